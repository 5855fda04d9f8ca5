"""Semantic checks of the resolved model that a schema cannot express."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from ipaddress import IPv4Network
from pathlib import Path

import yaml

from govnet.errors import InventoryError, LocatedError
from govnet.inventory.sourcefiles import InventorySources
from govnet.inventory.yamlsource import key_path, line_of
from govnet.model import Network
from govnet.platforms import PLATFORMS


def first_overlap(
    prefixes: Iterable[tuple[IPv4Network, str]],
) -> tuple[tuple[IPv4Network, str], tuple[IPv4Network, str]] | None:
    """The first pair of overlapping prefixes, in address order (None when all are disjoint).

    >>> first_overlap([(IPv4Network("10.0.0.0/24"), "a"), (IPv4Network("10.0.0.128/25"), "b")])
    ((IPv4Network('10.0.0.0/24'), 'a'), (IPv4Network('10.0.0.128/25'), 'b'))
    """
    items = list(prefixes)
    clash = _first_clash([prefix for prefix, _ in items])
    return None if clash is None else (items[clash[0]], items[clash[1]])


def _first_clash(prefixes: list[IPv4Network]) -> tuple[int, int] | None:
    """The indices in ``prefixes`` of :func:`first_overlap`'s pair."""
    # address order, as one int: first address up, then prefix length up (the widest first)
    keys = [int(prefix.network_address) << 6 | prefix.prefixlen for prefix in prefixes]
    widest = -1
    widest_last = -1
    for k in sorted(range(len(keys)), key=keys.__getitem__):  # stable: equal prefixes as given
        first = keys[k] >> 6
        if first <= widest_last:
            return widest, k
        last = first + (1 << (32 - (keys[k] & 63))) - 1
        if last > widest_last:
            widest, widest_last = k, last
    return None


def check_pools(sources: InventorySources) -> list[LocatedError]:
    """Underlay pools disjoint; each zone's pools disjoint; shared zones' pools disjoint."""
    errors: list[LocatedError] = []
    net = sources.network
    src = sources.network_src
    underlay = [
        (net.pools.loopback, "pools.loopback"),
        (net.pools.mgmt, "pools.mgmt"),
        (net.pools.p2p, "pools.p2p"),
        (net.noc_prefix, "noc_prefix"),
    ]
    clash = first_overlap(underlay)
    if clash:
        (p1, k1), (p2, k2) = clash
        errors.append(
            InventoryError(
                f"{k1} {p1} overlaps {k2} {p2} in the underlay",
                file=src.path,
                key=k2,
                line=line_of(src.raw, tuple(k2.split("."))),
                hint="make the underlay pools disjoint",
            )
        )
    for i, zone in enumerate(net.zones):
        if zone.site_pool.overlaps(zone.attach_pool):
            errors.append(
                InventoryError(
                    f"zone {zone.name}: site_pool {zone.site_pool} overlaps attach_pool "
                    f"{zone.attach_pool}; prefixes inside one zone must not overlap",
                    file=src.path,
                    key=f"zones[{i}].attach_pool",
                    line=line_of(src.raw, ("zones", i, "attach_pool")),
                    hint="give the zone disjoint site and attachment pools",
                )
            )
    shared = [(i, z) for i, z in enumerate(net.zones) if z.kind != "private"]
    for n, (_, z1) in enumerate(shared):
        pair = next(
            (
                (p1, z2.name, j, p2)
                for j, z2 in shared[n + 1 :]
                for p1 in (z1.site_pool, z1.attach_pool)
                for p2 in (z2.site_pool, z2.attach_pool)
                if p1.overlaps(p2)
            ),
            None,
        )
        if pair is None:
            continue
        p1, other, j, p2 = pair
        errors.append(
            InventoryError(
                f"zones {z1.name} and {other} share address space ({p1} / {p2}); only department VPNs "
                "may plan overlapping addresses",
                file=src.path,
                key=f"zones[{j}]",
                line=line_of(src.raw, ("zones", j)),
                hint="give the public and internet zones disjoint pools",
            )
        )
    return errors


def _check_zone_prefixes(network: Network, sources: InventorySources) -> list[LocatedError]:
    errors: list[LocatedError] = []
    src = sources.network_src
    index = {z.name: i for i, z in enumerate(sources.network.zones)}
    per_zone: dict[str, list[tuple[IPv4Network, str, str]]] = {}
    for link in network.links:
        for att in link.attachments:
            per_zone.setdefault(att.zone, []).append((att.subnet, link.id, "attachment"))
    for dev in network.devices.values():
        for zone, prefix in dev.site_prefixes.items():
            per_zone.setdefault(zone, []).append((prefix, dev.name, "site prefix"))
    for zone, owned in sorted(per_zone.items()):
        clash = _first_clash([prefix for prefix, _, _ in owned])
        if clash:
            (p1, o1, w1), (p2, o2, w2) = owned[clash[0]], owned[clash[1]]
            loc: tuple[int | str, ...] = ("zones", index.get(zone, 0))
            errors.append(
                InventoryError(
                    f"zone {zone}: {o1} {w1} {p1} overlaps {o2} {w2} {p2}",
                    file=src.path,
                    key=f"zones[{index.get(zone, 0)}]",
                    line=line_of(src.raw, loc),
                    hint="prefixes inside one zone must be unique; check the zone's pools and site ids",
                )
            )
    return errors


def check_network(network: Network, sources: InventorySources) -> list[LocatedError]:
    """Semantic problems of the resolved network that the build itself cannot see."""
    return _check_zone_prefixes(network, sources)


@lru_cache(maxsize=1)
def spec_limits() -> dict[str, int]:
    """The hardening limits of the platform spec (``govnet/data/spec/rules.yaml`` params)."""
    text = resources.files("govnet").joinpath("data/spec/rules.yaml").read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(text, Loader=loader) or {}
    limits: dict[str, int] = {}
    for rule in data.get("rules", []):
        for key, value in (rule.get("params") or {}).items():
            if isinstance(value, int) and not isinstance(value, bool):
                limits[f"{rule.get('id')}.{key}"] = value
    return limits


# network.yaml key -> (spec rule param, "max" or "min", what the rule requires)
HARDENING = {
    "login_attempts": ("GN-CFG-103.max_attempts", "max", "login lockout after at most {n} failed attempts"),
    "idle_timeout_minutes": (
        "GN-CFG-104.max_idle_minutes",
        "max",
        "idle sessions time out within {n} minutes",
    ),
    "ntp_servers": ("GN-CFG-106.min_ntp_servers", "min", "at least {n} NTP servers"),
}


def check_settings(sources: InventorySources) -> list[LocatedError]:
    """Hardening values of ``network.yaml`` inside the spec's limits, reported at their line."""
    errors: list[LocatedError] = []
    limits = spec_limits()
    src = sources.network_src
    for key, (param, bound, rule) in HARDENING.items():
        limit = limits.get(param)
        value = getattr(sources.network, key)
        size = len(value) if isinstance(value, list) else int(value)
        if limit is None or (size <= limit if bound == "max" else size >= limit):
            continue
        shown = f"{len(value)} server(s)" if isinstance(value, list) else str(value)
        errors.append(
            InventoryError(
                f"{shown} is outside the platform spec: {rule.format(n=limit)} ({param.split('.')[0]})",
                file=src.path,
                key=key,
                line=line_of(src.raw, (key,)),
                hint=f"set {key} to {'at most' if bound == 'max' else 'at least'} {limit}"
                + (" servers" if isinstance(value, list) else ""),
            )
        )
    return errors


def check_templates(network: Network, sources: InventorySources, templates_dir: Path) -> list[LocatedError]:
    """Every rendering device has a template for its role on its platform (and its lab platform)."""
    if not templates_dir.is_dir():
        return [
            InventoryError(
                "templates directory not found",
                file=templates_dir,
                hint="pass --templates DIR or set GOVNET_TEMPLATES to the templates/ directory",
            )
        ]
    errors: list[LocatedError] = []
    known: dict[tuple[str, str], bool] = {}

    def has(platform: str, role: str) -> bool:
        if (platform, role) not in known:
            path = templates_dir / PLATFORMS[platform].template_dir / f"{role}.j2"
            known[(platform, role)] = path.is_file()
        return known[(platform, role)]

    def offering(role: str) -> list[str]:
        return sorted(n for n, p in PLATFORMS.items() if p.renders and has(n, role))

    lab_seen: set[str] = set()
    for dev in network.devices.values():
        platform = PLATFORMS.get(dev.platform)
        if platform is not None and platform.renders and not has(dev.platform, dev.role):
            path, _, line = dev.source.rpartition(":")
            errors.append(
                InventoryError(
                    f"{dev.name}: platform {dev.platform} has no {dev.role} template "
                    f"({templates_dir / platform.template_dir / f'{dev.role}.j2'})",
                    file=path or None,
                    line=int(line) if line.isdigit() else None,
                    hint=f"use a platform with a {dev.role} template: "
                    + (", ".join(offering(dev.role)) or "none"),
                )
            )
        lab = PLATFORMS.get(dev.lab_platform)
        if (
            lab is not None
            and lab.renders
            and dev.role not in lab_seen
            and not has(dev.lab_platform, dev.role)
        ):
            lab_seen.add(dev.role)
            loc: tuple[int | str, ...] = ("roles", dev.role, "lab_platform")
            errors.append(
                InventoryError(
                    f"lab platform {dev.lab_platform} has no {dev.role} template",
                    file=sources.roles_src.path,
                    key=key_path(loc),
                    line=line_of(sources.roles_src.raw, loc),
                    hint=f"use a lab platform with a {dev.role} template: {', '.join(offering(dev.role))}",
                )
            )
    return errors
