"""Typed schemas of the inventory files, as a user writes them (validated with pydantic)."""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Network
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from govnet.model import Role

ZoneKind = Literal["public", "private", "internet"]
GroupKind = Literal["devices", "links"]
NAME_RE = r"^[a-z0-9][a-z0-9-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Pools(_Strict):
    """Underlay address pools; each device/link takes a slot keyed by its name and ids."""

    loopback: IPv4Network
    mgmt: IPv4Network
    p2p: IPv4Network


class ZoneSpec(_Strict):
    """One zone of the extranet, carried as a VPN (VRF) over the MPLS core."""

    name: str = Field(pattern=NAME_RE)
    id: int = Field(ge=1, le=999)
    kind: ZoneKind
    title: str = ""
    vrf: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    vlan: int = Field(ge=2, le=4094)
    site_pool: IPv4Network
    site_prefixlen: int = Field(ge=8, le=30)
    attach_pool: IPv4Network
    department_site: int | None = Field(default=None, ge=1)


class RouteException(_Strict):
    """A reviewed, named exception letting one zone import another zone's route target."""

    name: str
    zone: str
    imports: str
    reason: str


class NetworkFile(_Strict):
    """``network.yaml``: network-wide settings, pools, platforms and zones."""

    name: str = Field(pattern=NAME_RE)
    title: str = ""
    asn: int = Field(ge=1, le=4294967295)
    noc_prefix: IPv4Network
    syslog_host: IPv4Address
    ntp_servers: list[IPv4Address] = Field(min_length=1)
    hwtacacs_servers: list[IPv4Address] = Field(default_factory=list, max_length=2)
    idle_timeout_minutes: int = Field(default=10, ge=1)
    login_attempts: int = Field(default=3, ge=1)
    ospf_area: int = Field(default=0, ge=0)
    mtu: int = Field(default=1500, ge=576, le=9216)
    p2p_prefixlen: Literal[30, 31] = 30
    pools: Pools
    zones: list[ZoneSpec] = Field(min_length=1)
    route_exceptions: list[RouteException] = Field(default_factory=list)
    backup_repo: str | None = None
    """The git repository of ``govnet backup``/``restore`` (relative: to the inventory directory)."""


class RoleSpec(_Strict):
    """Defaults for every device of a role."""

    platform: str
    lab_platform: str
    model: str = ""
    ports: dict[str, str] = Field(default_factory=dict)
    platform_ports: dict[str, dict[str, str]] = Field(default_factory=dict)
    platform_models: dict[str, str] = Field(default_factory=dict)
    mgmt_port: str | None = None


class RolesFile(_Strict):
    """``roles.yaml``: per-role defaults."""

    roles: dict[Role, RoleSpec]


class DistrictSpec(_Strict):
    id: int = Field(ge=1)
    code: str = Field(pattern=NAME_RE)
    name: str = Field(pattern=NAME_RE)
    title: str = ""


class CoreSpec(_Strict):
    id: int = Field(ge=1, le=2)
    platform: str | None = None


class SiteSpec(_Strict):
    """An access site listed by hand (a named site, or one homed on another node by mistake)."""

    id: int = Field(ge=1)
    name: str = Field(pattern=NAME_RE)
    title: str = ""
    parent: str | None = None
    zones: list[str] | None = None


class SubdistrictSpec(_Strict):
    """A subdistrict/town: one aggregation node and the access sites of its area."""

    id: int = Field(ge=1)
    name: str = Field(pattern=NAME_RE)
    title: str = ""
    platform: str | None = None
    communities: str = ""
    departments: list[str] = Field(default_factory=list)
    uplinks: list[int] = Field(default_factory=lambda: [1, 2])
    sites: list[SiteSpec] = Field(default_factory=list)

    @field_validator("communities")
    @classmethod
    def _ranges(cls, value: str) -> str:
        if value and not re.fullmatch(r"\s*\d+(\s*-\s*\d+)?(\s*,\s*\d+(\s*-\s*\d+)?)*\s*", value):
            raise ValueError("communities must be site ids like '1-8' or '1-3,5,7-9'")
        return value


class EdgeDeviceSpec(_Strict):
    name: str = Field(pattern=NAME_RE)
    id: int = Field(ge=1)
    role: Role
    platform: str | None = None


class ExternalSpec(_Strict):
    """An endpoint govnet does not manage: an ISP, an upstream extranet, the office intranet."""

    name: str = Field(pattern=NAME_RE)
    kind: Literal["isp", "upstream", "intranet"]
    title: str = ""


class EdgeLinkSpec(_Strict):
    id: int = Field(ge=1)
    a: str
    a_interface: str
    b: str
    b_interface: str
    ospf: bool = False
    mtu: int | None = Field(default=None, ge=576, le=9216)
    zone: str | None = None


class SegmentMemberSpec(_Strict):
    """A device's port on a shared segment; ``host`` is its address's offset in the segment subnet."""

    device: str
    interface: str
    host: int = Field(ge=1, le=14)


class VrrpSpec(_Strict):
    """A VRRP group: the virtual address's ``host`` offset; members in priority order (first active)."""

    vrid: int = Field(ge=1, le=255)
    host: int = Field(ge=1, le=14)
    members: list[str] = Field(min_length=2)


class SegmentSpec(_Strict):
    """An L2 segment shared by several devices (a hot-standby pair and its neighbours)."""

    id: int = Field(ge=1)
    name: str = Field(pattern=NAME_RE)
    title: str = ""
    zone: str | None = None
    mtu: int | None = Field(default=None, ge=576, le=9216)
    members: list[SegmentMemberSpec] = Field(min_length=2)
    vrrp: list[VrrpSpec] = Field(default_factory=list)


class IsolationFlowSpec(_Strict):
    """A one-way flow through an isolation gateway (网闸), by service."""

    gateway: str
    name: str = Field(pattern=NAME_RE)
    from_: Literal["extranet", "intranet"] = Field(alias="from")
    to: Literal["extranet", "intranet"]
    service: str
    protocol: Literal["tcp", "udp"] = "tcp"
    port: int = Field(ge=1, le=65535)
    title: str = ""


class VpnUsersSpec(_Strict):
    """Remote users of a VPN gateway landing in a zone (pool: the address plan's; way in: its link there)."""

    gateway: str
    zone: str


class GroupSpec(_Strict):
    name: str = Field(pattern=NAME_RE)
    kind: GroupKind
    members: list[str] = Field(min_length=1)
    title: str = ""


class DistrictFile(_Strict):
    """``districts/<name>.yaml``: one district's cores, subdistricts, sites and internet edge."""

    district: DistrictSpec
    cores: list[CoreSpec]
    subdistricts: list[SubdistrictSpec]
    edge_devices: list[EdgeDeviceSpec] = Field(default_factory=list)
    externals: list[ExternalSpec] = Field(default_factory=list)
    edge_links: list[EdgeLinkSpec] = Field(default_factory=list)
    segments: list[SegmentSpec] = Field(default_factory=list)
    isolation_flows: list[IsolationFlowSpec] = Field(default_factory=list)
    vpn_users: list[VpnUsersSpec] = Field(default_factory=list)
    groups: list[GroupSpec] = Field(default_factory=list)
