"""Semantic checks of the resolved model that a schema cannot express."""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network

from govnet.errors import InventoryError
from govnet.inventory.sourcefiles import InventorySources
from govnet.inventory.yamlsource import line_of
from govnet.model import Network


def first_overlap(
    prefixes: Iterable[tuple[IPv4Network, str]],
) -> tuple[tuple[IPv4Network, str], tuple[IPv4Network, str]] | None:
    """The first pair of overlapping prefixes, in address order (None when all are disjoint).

    >>> first_overlap([(IPv4Network("10.0.0.0/24"), "a"), (IPv4Network("10.0.0.128/25"), "b")])
    ((IPv4Network('10.0.0.0/24'), 'a'), (IPv4Network('10.0.0.128/25'), 'b'))
    """
    ordered = sorted(prefixes, key=lambda p: (int(p[0].network_address), -p[0].num_addresses))
    widest: tuple[IPv4Network, str] | None = None
    for item in ordered:
        if widest is not None and int(item[0].network_address) <= int(widest[0].broadcast_address):
            return widest, item
        if widest is None or int(item[0].broadcast_address) > int(widest[0].broadcast_address):
            widest = item
    return None


def _check_pools(sources: InventorySources) -> None:
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
        raise InventoryError(
            f"{k1} {p1} overlaps {k2} {p2} in the underlay",
            file=src.path,
            key=k2,
            line=line_of(src.raw, tuple(k2.split("."))),
            hint="make the underlay pools disjoint",
        )
    for i, zone in enumerate(net.zones):
        if zone.site_pool.overlaps(zone.attach_pool):
            raise InventoryError(
                f"zone {zone.name}: site_pool {zone.site_pool} overlaps attach_pool "
                f"{zone.attach_pool}; prefixes inside one zone must not overlap",
                file=src.path,
                key=f"zones[{i}].attach_pool",
                line=line_of(src.raw, ("zones", i, "attach_pool")),
                hint="give the zone disjoint site and attachment pools",
            )
    shared = [(z.site_pool, z.name) for z in net.zones if z.kind != "private"]
    shared += [(z.attach_pool, z.name) for z in net.zones if z.kind != "private"]
    clash = first_overlap(shared)
    if clash:
        (p1, z1), (p2, z2) = clash
        raise InventoryError(
            f"zones {z1} and {z2} share address space ({p1} / {p2}); only department VPNs may "
            "plan overlapping addresses",
            file=src.path,
            key="zones",
            line=line_of(src.raw, ("zones",)),
            hint="give the public and internet zones disjoint pools",
        )


def _check_zone_prefixes(network: Network) -> None:
    per_zone: dict[str, list[tuple[IPv4Network, str]]] = {}
    for link in network.links:
        for att in link.attachments:
            per_zone.setdefault(att.zone, []).append((att.subnet, f"{link.id} attachment"))
    for dev in network.devices.values():
        for zone, prefix in dev.site_prefixes.items():
            per_zone.setdefault(zone, []).append((prefix, f"{dev.name} site prefix"))
    for zone, prefixes in sorted(per_zone.items()):
        clash = first_overlap(prefixes)
        if clash:
            (p1, w1), (p2, w2) = clash
            raise InventoryError(
                f"zone {zone}: {w1} {p1} overlaps {w2} {p2}",
                file=network.source_dir / "network.yaml",
                key=f"zones.{zone}",
                hint="prefixes inside one zone must be unique; check the zone's pools and site ids",
            )


def check_network(network: Network, sources: InventorySources) -> None:
    """Raise InventoryError on the first semantic problem of the resolved network."""
    _check_pools(sources)
    _check_zone_prefixes(network)
