"""Resolve validated inventory files into the network model and its address plan."""

from __future__ import annotations

from pathlib import Path

from govnet.errors import InventoryError, LocatedError, did_you_mean, raise_all
from govnet.inventory.district import DistrictContext, build_aggregation, build_cores, check_subdistrict_ids
from govnet.inventory.edge import build_edge, build_groups
from govnet.inventory.ipam import dotted
from govnet.inventory.schema import NetworkFile
from govnet.inventory.sites import build_access_site, expand_ids, site_plans
from govnet.inventory.sourcefiles import InventorySources, Source, collect_sources
from govnet.inventory.validate import check_network, check_pools, check_settings, check_templates
from govnet.inventory.yamlsource import key_path, line_of
from govnet.model import Device, ExternalPeer, Link, Network, RedundancyGroup, Settings, Vrf, Zone

__all__ = ["build_network", "expand_ids", "resolve"]


def _settings(net: NetworkFile) -> Settings:
    mgmt = net.pools.mgmt
    return Settings(
        name=net.name,
        title=net.title,
        asn=net.asn,
        noc_prefix=net.noc_prefix,
        syslog_host=net.syslog_host,
        ntp_servers=tuple(net.ntp_servers),
        hwtacacs_servers=tuple(net.hwtacacs_servers),
        mgmt_prefix=mgmt,
        mgmt_gateway=mgmt.network_address + 1,
        idle_timeout_minutes=net.idle_timeout_minutes,
        login_attempts=net.login_attempts,
        ospf_area=net.ospf_area,
        mtu=net.mtu,
    )


def _zones(net: NetworkFile, src: Source, errors: list[LocatedError]) -> dict[str, Zone]:
    zones: dict[str, Zone] = {}
    seen_ids: dict[int, str] = {}
    seen_vrfs: dict[str, str] = {}
    seen_vlans: dict[int, str] = {}
    for i, spec in enumerate(net.zones):
        loc: tuple[int | str, ...] = ("zones", i)

        def _fail(message: str, key: str, hint: str, loc: tuple[int | str, ...] = loc) -> None:
            errors.append(
                InventoryError(
                    message,
                    file=src.path,
                    key=key_path((*loc, key)),
                    line=line_of(src.raw, (*loc, key)),
                    hint=hint,
                )
            )

        if spec.name in zones:
            _fail(f"duplicate zone {spec.name}", "name", "give every zone a unique name")
            continue
        if spec.id in seen_ids:
            _fail(
                f"zone id {spec.id} is also zone {seen_ids[spec.id]}'s", "id", "give every zone a unique id"
            )
        if spec.vrf in seen_vrfs:
            _fail(
                f"VRF name {spec.vrf} is also zone {seen_vrfs[spec.vrf]}'s",
                "vrf",
                "give every zone its own VRF name",
            )
        if spec.vlan in seen_vlans:
            _fail(
                f"VLAN {spec.vlan} is also zone {seen_vlans[spec.vlan]}'s (both ride the same PE-CE trunks)",
                "vlan",
                "give every zone its own VLAN",
            )
        seen_ids.setdefault(spec.id, spec.name)
        seen_vrfs.setdefault(spec.vrf, spec.name)
        seen_vlans.setdefault(spec.vlan, spec.name)
        zones[spec.name] = Zone(
            name=spec.name,
            id=spec.id,
            kind=spec.kind,
            title=spec.title,
            vrf=spec.vrf,
            vlan=spec.vlan,
            route_target=f"{net.asn}:{spec.id}",
            imports=(f"{net.asn}:{spec.id}",),
            site_pool=spec.site_pool,
            attach_pool=spec.attach_pool,
            department_site=spec.department_site,
        )
    for i, exc in enumerate(net.route_exceptions):
        bad = [key for key in ("zone", "imports") if getattr(exc, key) not in zones]
        for key in bad:
            guess = did_you_mean(getattr(exc, key), zones)
            errors.append(
                InventoryError(
                    f"route exception {exc.name!r} names unknown zone {getattr(exc, key)!r}",
                    file=src.path,
                    key=f"route_exceptions[{i}].{key}",
                    line=line_of(src.raw, ("route_exceptions", i, key)),
                    hint=(f"{guess} " if guess else "") + f"use one of: {', '.join(sorted(zones))}",
                )
            )
        if bad:
            continue
        z = zones[exc.zone]
        zones[exc.zone] = Zone(
            **{
                **{f: getattr(z, f) for f in z.__slots__},
                "imports": (*z.imports, zones[exc.imports].route_target),
            }
        )
    return zones


def _vrfs(devices: dict[str, Device], zones: dict[str, Zone]) -> None:
    for dev in devices.values():
        if dev.loopback is None or dev.role not in ("core", "aggregation", "access"):
            continue
        names = list(zones) if dev.role == "core" else [z for z in zones if z in dev.zones]
        if dev.role == "core":
            dev.zones = names
        router_id = dotted(int(dev.loopback))  # str(dev.loopback.ip), without the address object
        dev.vrfs = [
            Vrf(zone.vrf, z, f"{router_id}:{zone.id}", (zone.route_target,), zone.imports)
            for z in names
            for zone in (zones[z],)
        ]


def build_network(directory: Path, *, templates_dir: Path | None = None) -> Network:
    """Read, validate and resolve the inventory at ``directory``; every problem in one error.

    With ``templates_dir``, a device whose platform has no template for its role is an error too.
    """
    sources, errors = collect_sources(directory)
    if sources is None:
        raise_all(errors)
    assert sources is not None
    return resolve(sources, directory, templates_dir=templates_dir, errors=errors)


def resolve(
    sources: InventorySources,
    directory: Path,
    *,
    templates_dir: Path | None = None,
    errors: list[LocatedError] | None = None,
) -> Network:
    """Resolve parsed sources into a Network (semantic checks included; all errors together).

    ``errors`` already found (schema errors of other files) are reported with this run's.
    """
    net = sources.network
    errors = list(errors or [])
    errors.extend(check_settings(sources))
    errors.extend(check_pools(sources))
    zones = _zones(net, sources.network_src, errors)
    devices: dict[str, Device] = {}
    links: list[Link] = []
    groups: list[RedundancyGroup] = []
    externals: dict[str, ExternalPeer] = {}
    origin: dict[str, Path] = {}
    district_ids: dict[int, Path] = {}
    for district, src in sources.districts:
        if district.district.id in district_ids:
            errors.append(
                InventoryError(
                    f"district id {district.district.id} is also used by "
                    f"{district_ids[district.district.id]}",
                    file=src.path,
                    key="district.id",
                    line=line_of(src.raw, ("district", "id")),
                    hint="give every district a unique id",
                )
            )
            continue
        district_ids[district.district.id] = src.path
        ctx = DistrictContext(
            net,
            {str(k): v for k, v in sources.roles.roles.items()},
            sources.roles_src,
            zones,
            src,
            district,
            taken=origin,
        )
        try:
            _build_district(ctx, externals)
            district_groups = build_groups(ctx, _district_cores(ctx))
        except InventoryError as exc:
            errors.extend(ctx.errors)
            errors.append(exc)
            continue
        errors.extend(ctx.errors)
        for name in ctx.devices:
            origin[name] = src.path
        devices.update(ctx.devices)
        links.extend(ctx.links)
        groups.extend(district_groups)
    _vrfs(devices, zones)
    network = Network(
        settings=_settings(net),
        devices=dict(sorted(devices.items())),
        links=links,
        zones=zones,
        groups=groups,
        externals=externals,
        source_dir=directory,
        route_exceptions=[(e.name, e.zone, e.imports) for e in net.route_exceptions],
        subdistrict_titles={
            sub.name: sub.title
            for district, _ in sources.districts
            for sub in district.subdistricts
            if sub.title
        },
    )
    if not errors:
        errors.extend(check_network(network, sources))
    if templates_dir is not None:
        errors.extend(check_templates(network, sources, templates_dir))
    raise_all([_located(e, sources) for e in errors])
    return network


def _located(err: LocatedError, sources: InventorySources) -> LocatedError:
    """Pool errors (raised by the address plan, which knows no files) at their network.yaml key."""
    if err.file is not None or not (err.key or "").startswith("pools."):
        return err
    name = (err.key or "").removeprefix("pools.")
    loc: tuple[int | str, ...] = ("pools", name)
    if name.startswith("zones."):
        _, zone, pool = name.split(".", 2)
        index = next((i for i, z in enumerate(sources.network.zones) if z.name == zone), 0)
        loc = ("zones", index, pool)
    src = sources.network_src
    return type(err)(err.message, file=src.path, key=key_path(loc), line=line_of(src.raw, loc), hint=err.hint)


def _district_cores(ctx: DistrictContext) -> dict[int, Device]:
    return {c.id: ctx.devices[f"{ctx.code}-core-{c.id}"] for c in ctx.district.cores}


def _build_district(ctx: DistrictContext, externals: dict[str, ExternalPeer]) -> None:
    for role in ("core", "aggregation", "access"):
        if role not in ctx.roles:
            raise ctx.fail_roles(f"role {role} is not defined", ("roles", role), f"add roles.{role}")
    cores = build_cores(ctx)
    check_subdistrict_ids(ctx)
    if ctx.errors:
        return
    aggs: dict[str, Device] = {}
    for i, sub in enumerate(ctx.district.subdistricts):
        aggs[sub.name] = build_aggregation(ctx, i, sub, cores)
    for i, sub in enumerate(ctx.district.subdistricts):
        for plan in site_plans(ctx, i, sub):
            build_access_site(ctx, sub, plan, aggs)
    build_edge(ctx, externals)
