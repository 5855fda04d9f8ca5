"""Post-change checks from the model: OSPF neighbours Full, BGP (and VPNv4) sessions
Established, LDP sessions Operational, links up; on the twin's Linux edge devices also the
nftables tables loaded and keepalived running each VRRP group of the device.

What a device should see comes from the model (:func:`expectations`); what it sees comes from
its platform's own display commands (``Platform.verify_commands``) run over the driver's session
and read by the platform's pure observer (``Platform.observe``): vendor ``display`` output via
TextFSM, FRR's ``show ... json``, the edge agent's ``status``. Peers still waiting for their own
config are left out by the caller (``settled``), so a rollout from blank expects only what can
already be up, and a converged network expects everything.

With a :class:`ManagementProbe` verify also proves the NOC can still reach the device as it does
every day, not over the session that pushed: a fresh SSH login through AAA with the same
credentials (a new driver from the registry, one harmless display command) and an SNMPv3 GET of
``sysUpTime.0`` from the poller's side, to the agent ``govnet monitor``'s plan polls, with the
poller's USM user. Either failing fails verify, the reason named (docs/verify.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace

from govnet.credentials import Credentials, load_credentials
from govnet.deploy.driver import DeployError, DeviceDriver
from govnet.deploy.drivers import driver_class
from govnet.deploy.nornir_setup import DeployTarget
from govnet.model import Network
from govnet.monitor.oids import SYS_UPTIME
from govnet.monitor.plan import build_plan
from govnet.monitor.snmp import SnmpError, SnmpTarget
from govnet.monitor.transport import SnmpClient
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
    """Set when something could not be checked (no post-change checks for the platform, no
    SNMP agent for the device in the monitor plan)."""
    management: dict[str, float] = field(default_factory=dict)
    """The management-path checks made (``ssh login``, ``snmpv3 get``) and their seconds."""

    def summary(self) -> str:
        if self.ok:
            return self.note or "ok"
        return "; ".join(
            "; ".join(v) if k == MANAGEMENT else f"{k} not up: {', '.join(v)}"
            for k, v in self.missing.items() if v
        )


MANAGEMENT = "management"
"""The ``missing`` kind of a failed management-path check (its entries are whole reasons)."""
SSH_LOGIN = "ssh login"
SNMP_GET = "snmpv3 get"


@dataclass(frozen=True, slots=True)
class ManagementProbe:
    """How verify reaches devices as the NOC does: the poller's credentials (SNMPv3 USM user,
    or v2c community) and, per device, the agent ``govnet monitor``'s plan polls."""

    credentials: Credentials
    agents: Mapping[str, SnmpTarget]
    timeout: float = 3.0
    retries: int = 1


def management_probe(
    network: Network,
    credentials: Credentials,
    *,
    lab: bool = False,
    hosts: Mapping[str, str] | None = None,
    ports: Mapping[str, int] | None = None,
    timeout: float = 3.0,
    retries: int = 1,
) -> ManagementProbe:
    """The probe over the monitor's own targets: :func:`govnet.monitor.plan.build_plan` with the
    same ``lab``/``hosts``/``ports`` as ``govnet monitor`` takes (per-role timeouts kept)."""
    plan = build_plan(network, lab=lab, hosts=hosts, ports=ports)
    agents = {d.name: SnmpTarget(d.name, d.host, d.port, d.timeout) for d in plan.devices}
    return ManagementProbe(credentials, agents, timeout, retries)


def target_probe(network: Network, target: DeployTarget) -> ManagementProbe:
    """The management probe of a deploy target, as ``govnet monitor`` polls it: the twin's own
    secrets file alone (never the production environment) and the lab timeouts with ``--lab``;
    the environment or secrets file and the production timeouts otherwise."""
    if target.lab:
        return management_probe(network, load_credentials(target.secrets_file, environ={}), lab=True,
                                timeout=1.0, retries=1)
    return management_probe(network, target.credentials(), timeout=3.0, retries=2)


def _fresh_login(driver: DeviceDriver, entry: Platform) -> str:
    """A new SSH session to the device (a new login, same credentials), one display command,
    logged out; '' when it worked, else why not."""
    target = replace(driver.target, extras=dict(driver.target.extras))
    fresh = driver_class(entry.name)(target)
    try:
        fresh.open()
    except Exception as exc:  # whatever stops a login is the finding
        return f"{MANAGEMENT}: new SSH login refused: {exc}"
    try:
        if entry.verify_commands:
            fresh.cli(entry.verify_commands[0])
    except Exception as exc:  # a login that cannot run a display command is no management path
        return f"{MANAGEMENT}: new SSH session cannot run {entry.verify_commands[0]!r}: {exc}"
    finally:
        with contextlib.suppress(Exception):  # the check is made; a failed logout does not undo it
            fresh.close()
    return ""


async def _uptime(probe: ManagementProbe, agent: SnmpTarget) -> int | bytes | None:
    client = SnmpClient(probe.credentials, timeout=probe.timeout, retries=probe.retries)
    try:
        client.add_target(agent)
        answer = await client.get(agent.name, [SYS_UPTIME])
    finally:
        client.close()
    return answer[0][1] if answer else None


def _snmp_get(probe: ManagementProbe, agent: SnmpTarget) -> str:
    """The poller's GET of sysUpTime.0; '' when the agent answered it, else why not."""
    where = f"{agent.host}:{agent.port}"
    try:
        value = asyncio.run(_uptime(probe, agent))
    except SnmpError as exc:
        if exc.kind == "timeout":
            return f"{MANAGEMENT}: SNMPv3 get sysUpTime.0 timed out ({where})"
        return f"{MANAGEMENT}: SNMPv3 get sysUpTime.0 failed ({where}, {exc.kind}): {exc}"
    except Exception as exc:  # no credentials, no socket: the poller could not poll either
        return f"{MANAGEMENT}: SNMPv3 get sysUpTime.0 not made ({where}): {exc}"
    if value is None:
        return f"{MANAGEMENT}: SNMPv3 get sysUpTime.0: the agent at {where} has no sysUpTime.0"
    return ""


def check_management(
    driver: DeviceDriver, entry: Platform, probe: ManagementProbe
) -> tuple[list[str], dict[str, float], str]:
    """Both management-path checks: (failures, the checks made with their seconds, a note naming
    what could not be checked)."""
    done: dict[str, float] = {}
    failed: list[str] = []
    step = time.monotonic()
    if why := _fresh_login(driver, entry):
        failed.append(why)
    done[SSH_LOGIN] = round(time.monotonic() - step, 2)
    agent = probe.agents.get(driver.device)
    if agent is None:
        return failed, done, (f"{MANAGEMENT}: SNMP not checked: {driver.device} has no SNMP agent "
                              "in the monitor plan")
    step = time.monotonic()
    if why := _snmp_get(probe, agent):
        failed.append(why)
    done[SNMP_GET] = round(time.monotonic() - step, 2)
    return failed, done, ""


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


def verify(
    driver: DeviceDriver,
    platform: str,
    expected: Expectations,
    timeout: float,
    probe: ManagementProbe | None = None,
) -> VerifyReport:
    """Poll until every expectation holds or ``timeout`` passes; a dead session fails it. Then,
    with a ``probe``, the management path once (:func:`check_management`): a refused login or an
    unanswered GET fails verify.

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
            if probe is None:
                return VerifyReport(driver.device, True, {}, elapsed)
            failed, done, note = check_management(driver, entry, probe)
            elapsed = round(time.monotonic() - start, 1)
            found = {MANAGEMENT: failed} if failed else {}
            return VerifyReport(driver.device, not failed, found, elapsed, note, done)
        if elapsed >= timeout:
            return VerifyReport(driver.device, False, lacking, elapsed)
        time.sleep(POLL_S)
