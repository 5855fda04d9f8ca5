"""Resolve validated inventory files into the network model and its address plan."""

from __future__ import annotations

from pathlib import Path

from govnet.errors import InventoryError
from govnet.inventory.district import DistrictContext, build_aggregation, build_cores, check_subdistrict_ids
from govnet.inventory.edge import build_edge, build_groups
from govnet.inventory.schema import NetworkFile
from govnet.inventory.sites import build_access_site, expand_ids, site_plans
from govnet.inventory.sourcefiles import InventorySources, Source, read_sources
from govnet.inventory.validate import check_network
from govnet.inventory.yamlsource import line_of
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
        mgmt_prefix=mgmt,
        mgmt_gateway=mgmt.network_address + 1,
        idle_timeout_minutes=net.idle_timeout_minutes,
        login_attempts=net.login_attempts,
        ospf_area=net.ospf_area,
        mtu=net.mtu,
    )


def _zones(net: NetworkFile, src: Source) -> dict[str, Zone]:
    zones: dict[str, Zone] = {}
    seen_ids: dict[int, str] = {}
    for i, spec in enumerate(net.zones):
        loc: tuple[int | str, ...] = ("zones", i)
        if spec.name in zones or spec.id in seen_ids:
            dup = spec.name if spec.name in zones else f"id {spec.id} (also zone {seen_ids[spec.id]})"
            raise InventoryError(
                f"duplicate zone {dup}",
                file=src.path,
                key=f"zones[{i}]",
                line=line_of(src.raw, loc),
                hint="give every zone a unique name and id",
            )
        seen_ids[spec.id] = spec.name
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
        for key in ("zone", "imports"):
            if getattr(exc, key) not in zones:
                raise InventoryError(
                    f"route exception {exc.name!r} names unknown zone {getattr(exc, key)!r}",
                    file=src.path,
                    key=f"route_exceptions[{i}].{key}",
                    line=line_of(src.raw, ("route_exceptions", i, key)),
                    hint=f"use one of: {', '.join(sorted(zones))}",
                )
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
        dev.vrfs = [
            Vrf(
                zones[z].vrf,
                z,
                f"{dev.loopback.ip}:{zones[z].id}",
                (zones[z].route_target,),
                zones[z].imports,
            )
            for z in names
        ]


def build_network(directory: Path) -> Network:
    """Read, validate and resolve the inventory at ``directory``."""
    sources = read_sources(directory)
    return resolve(sources, directory)


def resolve(sources: InventorySources, directory: Path) -> Network:
    """Resolve parsed sources into a Network (semantic checks included)."""


    net = sources.network
    zones = _zones(net, sources.network_src)
    devices: dict[str, Device] = {}
    links: list[Link] = []
    groups: list[RedundancyGroup] = []
    externals: dict[str, ExternalPeer] = {}
    origin: dict[str, Path] = {}
    district_ids: dict[int, Path] = {}
    for district, src in sources.districts:
        if district.district.id in district_ids:
            raise InventoryError(
                f"district id {district.district.id} is also used by {district_ids[district.district.id]}",
                file=src.path,
                key="district.id",
                line=line_of(src.raw, ("district", "id")),
                hint="give every district a unique id",
            )
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
        _build_district(ctx, externals)
        for name in ctx.devices:
            if name in devices:
                raise InventoryError(
                    f"duplicate host name {name} (also in {origin[name]})",
                    file=src.path,
                    hint="give every device a unique name",
                )
            origin[name] = src.path
        devices.update(ctx.devices)
        links.extend(ctx.links)
        groups.extend(build_groups(ctx, _district_cores(ctx)))
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
    check_network(network, sources)
    return network


def _district_cores(ctx: DistrictContext) -> dict[int, Device]:
    return {c.id: ctx.devices[f"{ctx.code}-core-{c.id}"] for c in ctx.district.cores}


def _build_district(ctx: DistrictContext, externals: dict[str, ExternalPeer]) -> None:
    for role in ("core", "aggregation", "access"):
        if role not in ctx.roles:
            raise ctx.fail_roles(f"role {role} is not defined", ("roles", role), f"add roles.{role}")
    cores = build_cores(ctx)
    check_subdistrict_ids(ctx)
    aggs: dict[str, Device] = {}
    for i, sub in enumerate(ctx.district.subdistricts):
        aggs[sub.name] = build_aggregation(ctx, i, sub, cores)
    for i, sub in enumerate(ctx.district.subdistricts):
        for plan in site_plans(ctx, i, sub):
            build_access_site(ctx, sub, plan, aggs)
    build_edge(ctx, externals)
