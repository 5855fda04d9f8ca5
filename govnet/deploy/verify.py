"""Post-change checks from the model: OSPF neighbours Full, BGP (and VPNv4) sessions
Established, LDP sessions Operational, links up; on the twin's Linux edge devices also the
nftables tables loaded and keepalived running each VRRP group of the device.

What a device should see comes from the model (:func:`expectations`); what it sees comes from
its platform's own display commands (``Platform.verify_commands``) run over the driver's session
and read by the platform's pure observer (``Platform.observe``): vendor ``display`` output via
TextFSM, FRR's ``show ... json``, the edge agent's ``status``. Peers still waiting for their own
config are left out by the caller (``settled``), so a rollout from blank expects only what can
already be up, and a converged network expects everything.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from govnet.deploy.driver import DeployError, DeviceDriver
from govnet.model import Network
from govnet.platforms import PLATFORMS, Platform, get_platform
from govnet.platforms.base import Observed
from govnet.platforms.linux import kernel_ifname
from govnet.render import linux_edge as render_edge

POLL_S = 1.0


@dataclass(frozen=True, slots=True)
class Expectations:
    """What a healthy device shows: OSPF router-ids Full, BGP peer addresses Established, LDP
    peers (LSR IDs) Operational, interfaces operationally up; edge devices: nftables tables
    (``family name``) loaded and VRRP groups (vrid) running in keepalived."""

    ospf: frozenset[str] = frozenset()
    bgp: frozenset[str] = frozenset()
    links: frozenset[str] = frozenset()
    tables: frozenset[str] = frozenset()
    vrrp: frozenset[str] = frozenset()
    ldp: frozenset[str] = frozenset()

    def with_seen(self, seen: Observed) -> Expectations:
        """Also whatever was up before the change (it must come back); tables and VRRP groups
        are the intended config's alone."""
        return Expectations(self.ospf | seen.ospf, self.bgp | seen.bgp, self.links | seen.links,
                            self.tables, self.vrrp, self.ldp | seen.ldp)


@dataclass(frozen=True, slots=True)
class VerifyReport:
    device: str
    ok: bool
    missing: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0
    note: str = ""
    """Set when nothing could be checked (no post-change checks for the platform yet)."""

    def summary(self) -> str:
        if self.ok:
            return self.note or "ok"
        return "; ".join(f"{k} not up: {', '.join(v)}" for k, v in self.missing.items() if v)


def expectations(
    network: Network, device: str, *, lab: bool, settled: Collection[str] | None = None
) -> Expectations:
    """The model's view of ``device``'s neighbours (only peers in ``settled`` when given)."""
    dev = network.devices[device]
    kernel = get_platform(dev.platform_for(lab=lab)).ifname_style == "kernel"

    def counts(peer: str) -> bool:
        return peer in network.devices and (settled is None or peer in settled)

    ospf: set[str] = set()
    links: set[str] = set()
    for intf in dev.interfaces:
        if intf.vlan is not None or not counts(intf.peer):
            continue
        links.add(kernel_ifname(intf.name) if kernel else intf.name)
        peer = network.devices[intf.peer]
        if intf.ospf and peer.loopback is not None:
            ospf.add(str(peer.loopback.ip))
    bgp = {str(s.peer_ip) for s in network.bgp_sessions(device) if counts(s.peer)}
    ldp = frozenset() if lab else frozenset(  # the twin's FRR observer reads no LDP
        str(network.devices[i.peer].loopback.ip) for i in dev.interfaces  # type: ignore[union-attr]
        if i.ldp and i.vlan is None and counts(i.peer) and network.devices[i.peer].loopback is not None)
    tables: frozenset[str] = frozenset()
    vrrp: frozenset[str] = frozenset()
    if lab and render_edge.driven(network, device):
        config = render_edge.split_sections(render_edge.edge_config(network, device))
        tables = render_edge.ruleset_tables(config.get("nftables", ""))
        vrrp = frozenset(str(v) for v in render_edge.vrids(network, device))
    elif not lab and get_platform(dev.platform).ifname_style == "vendor":  # vendor gear prints roles
        vrrp = _roles(network, device, get_platform(dev.platform), counts)
    return Expectations(frozenset(ospf), frozenset(bgp), frozenset(links), tables, vrrp, ldp)


def _roles(network: Network, device: str, entry: Platform, counts: Callable[[str], bool]) -> frozenset[str]:
    """On real gear, ``interface/vrid master|backup`` for each VRRP group of ``device`` whose
    other members count (the first member is master), and on a VGMP platform (USG) its HRP role
    (``hrp active|standby``, the first member's pair being active)."""
    roles: set[str] = set()
    vgmp = any(table.protocol == "vgmp" for table in entry.ha_tables)
    for segment in network.segments:
        for group in segment.vrrp_of(device):
            if not all(counts(m) for m in group.members if m != device):
                continue
            active = group.role_of(device) == "active"
            roles.add(f"{segment.member(device).interface}/{group.vrid} {'master' if active else 'backup'}")
            if vgmp:
                roles.add(f"hrp {'active' if active else 'standby'}")
    return frozenset(roles)


def _role_key(entry: Platform, role: str) -> str:
    """A role in comparable form: the interface of ``interface/vrid role`` in the platform's
    comparable form (USG prints ``GE1/0/1``), anything else (a twin vrid, ``hrp active``) as is."""
    where, _, state = role.rpartition(" ")
    interface, slash, vrid = where.rpartition("/")
    return f"{entry.interface_key(interface)}/{vrid} {state}" if slash and interface else role


def platform_of(driver: DeviceDriver, platform: str) -> Platform:
    """The registry entry ``platform`` names; an unknown name is a DeployError naming the device."""
    if platform in PLATFORMS:
        return get_platform(platform)
    raise DeployError(f"{driver.device}: unknown platform {platform!r}")


def observe(driver: DeviceDriver, platform: str) -> Observed:
    """What the device shows: each of its platform's display commands run over the driver's
    session, the outputs read by the platform's observer. An unexpected reply, like a dead
    session, is a DeployError naming the device."""
    entry = platform_of(driver, platform)
    outputs = {command: driver.cli(command) for command in entry.verify_commands}
    try:
        return entry.observe(outputs)
    except ValueError as exc:
        raise DeployError(f"{driver.device}: {exc}") from None


def missing(entry: Platform, expected: Expectations, seen: Observed) -> dict[str, list[str]]:
    """What ``expected`` names that ``seen`` lacks, per kind (empty kinds left out); interfaces
    are compared in the platform's comparable form (``GE1/0/1`` is ``GigabitEthernet1/0/1``)."""
    up = {entry.interface_key(name) for name in seen.links}
    found = {
        "ospf": sorted(expected.ospf - seen.ospf),
        "bgp": sorted(expected.bgp - seen.bgp),
        "ldp": sorted(expected.ldp - seen.ldp),
        "links": sorted(name for name in expected.links if entry.interface_key(name) not in up),
        "nftables tables": sorted(expected.tables - seen.tables),
        "vrrp groups": sorted(r for r in expected.vrrp
                              if _role_key(entry, r) not in {_role_key(entry, s) for s in seen.vrrp}),
    }
    return {kind: names for kind, names in found.items() if names}


def verify(driver: DeviceDriver, platform: str, expected: Expectations, timeout: float) -> VerifyReport:
    """Poll until every expectation holds or ``timeout`` passes; a dead session fails it.

    A platform without display commands to observe (none that govnet deploys to) passes with a
    note saying it was not verified, without touching the session."""
    entry = platform_of(driver, platform)
    if not entry.verify_commands:
        return VerifyReport(driver.device, True, note=f"not verified: no post-change checks for {entry.name}")
    start = time.monotonic()
    while True:
        try:
            seen = observe(driver, entry.name)
        except DeployError as exc:
            elapsed = round(time.monotonic() - start, 1)
            return VerifyReport(driver.device, False, {"session": [str(exc)]}, elapsed)
        lacking = missing(entry, expected, seen)
        elapsed = round(time.monotonic() - start, 1)
        if not lacking:
            return VerifyReport(driver.device, True, {}, elapsed)
        if elapsed >= timeout:
            return VerifyReport(driver.device, False, lacking, elapsed)
        time.sleep(POLL_S)
