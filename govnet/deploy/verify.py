"""Post-change checks from the model: OSPF neighbours Full, BGP sessions Established, links up;
on the twin's Linux edge devices also the nftables tables loaded and keepalived running each
VRRP group of the device (as MASTER or BACKUP, from keepalived's own state dump).

What a device should see comes from the model (:func:`expectations`); what it sees comes from
its own show commands over the driver's session (FRR: ``show ... json`` in vtysh). Peers still
waiting for their own config are left out by the caller (``settled``), so a rollout from blank
expects only what can already be up, and a converged network expects everything.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from govnet.deploy.driver import DeployError, DeviceDriver
from govnet.model import Network
from govnet.platforms import get_platform
from govnet.platforms.linux import kernel_ifname
from govnet.render import linux_edge as render_edge

POLL_S = 1.0


@dataclass(frozen=True, slots=True)
class Expectations:
    """What a healthy device shows: OSPF router-ids Full, BGP peer addresses Established,
    interfaces operationally up; edge devices: nftables tables (``family name``) loaded and VRRP
    groups (vrid) running in keepalived."""

    ospf: frozenset[str] = frozenset()
    bgp: frozenset[str] = frozenset()
    links: frozenset[str] = frozenset()
    tables: frozenset[str] = frozenset()
    vrrp: frozenset[str] = frozenset()

    def with_seen(self, seen: Observed) -> Expectations:
        """Also whatever was up before the change (it must come back); tables and VRRP groups
        are the intended config's alone."""
        return Expectations(self.ospf | seen.ospf, self.bgp | seen.bgp, self.links | seen.links,
                            self.tables, self.vrrp)


@dataclass(frozen=True, slots=True)
class Observed:
    ospf: frozenset[str] = frozenset()
    bgp: frozenset[str] = frozenset()
    links: frozenset[str] = frozenset()
    tables: frozenset[str] = frozenset()
    vrrp: frozenset[str] = frozenset()


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
    tables: frozenset[str] = frozenset()
    vrrp: frozenset[str] = frozenset()
    if lab and render_edge.driven(network, device):
        config = render_edge.split_sections(render_edge.edge_config(network, device))
        tables = render_edge.ruleset_tables(config.get("nftables", ""))
        vrrp = frozenset(str(v) for v in render_edge.vrids(network, device))
    return Expectations(frozenset(ospf), frozenset(bgp), frozenset(links), tables, vrrp)


def _json(driver: DeviceDriver, command: str) -> dict[str, Any]:
    text = driver.cli(command).strip()
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}  # the daemon is not running (no bgpd on an access site): nothing up
    return data if isinstance(data, dict) else {}


def _shaped(driver: DeviceDriver, command: str, where: str, value: Any, kind: type) -> Any:
    """``value`` when it is a ``kind`` (absent: empty); else a DeployError naming the device,
    the command and the place in its reply (a reply of the wrong shape is not "nothing up")."""
    if value is None:
        return kind()
    if not isinstance(value, kind):
        raise DeployError(f"{driver.device}: {command!r}: unexpected reply at {where}: "
                          f"expected {'an object' if kind is dict else 'a list'}, got {type(value).__name__}")
    return value


def observe_frr(driver: DeviceDriver) -> Observed:
    """OSPF Full neighbours, Established BGP peers and up interfaces, from vtysh JSON."""
    command = "show ip ospf neighbor json"
    ospf_data = _shaped(driver, command, "neighbors", _json(driver, command).get("neighbors"), dict)
    ospf = {str(rid) for rid, entries in ospf_data.items()
            if any(str(e.get("converged", e.get("state", ""))).startswith("Full")
                   for e in _shaped(driver, command, f"neighbors.{rid}", entries, list)
                   if isinstance(e, dict))}
    bgp: set[str] = set()
    command = "show bgp summary json"
    for name, family in _json(driver, command).items():
        if isinstance(family, dict):
            peers = _shaped(driver, command, f"{name}.peers", family.get("peers"), dict)
            bgp |= {ip for ip, p in peers.items() if isinstance(p, dict) and p.get("state") == "Established"}
    links = {name for name, i in _json(driver, "show interface json").items()
             if isinstance(i, dict) and i.get("operationalStatus") == "up"}
    return Observed(frozenset(ospf), frozenset(bgp), frozenset(links))


VRRP_RUNNING = ("MASTER", "BACKUP")


def observe_linux(driver: DeviceDriver) -> Observed:
    """A Linux edge device's ``status``: interfaces up, nftables tables, keepalived's groups
    in MASTER or BACKUP (not FAULT, not missing) while the daemon runs."""
    data = _json(driver, "status")
    keepalived = _shaped(driver, "status", "keepalived", data.get("keepalived"), dict)
    states = (_shaped(driver, "status", "keepalived.states", keepalived.get("states"), dict)
              if keepalived.get("running") else {})
    return Observed(
        links=frozenset(map(str, _shaped(driver, "status", "links_up", data.get("links_up"), list))),
        tables=frozenset(map(str, _shaped(driver, "status", "tables", data.get("tables"), list))),
        vrrp=frozenset(v for v, s in states.items() if s in VRRP_RUNNING),
    )


OBSERVERS: dict[str, Callable[[DeviceDriver], Observed]] = {"frr": observe_frr, "linux": observe_linux}


def observe(driver: DeviceDriver, os_family: str) -> Observed:
    try:
        return OBSERVERS[os_family](driver)
    except KeyError:
        raise DeployError(f"{driver.device}: no post-change checks for {os_family} yet") from None


def verify(
    driver: DeviceDriver, os_family: str, expected: Expectations, timeout: float
) -> VerifyReport:
    """Poll until every expectation holds or ``timeout`` passes; a dead session fails it.

    A platform without post-change checks passes with a note saying it was not verified."""
    if os_family not in OBSERVERS:
        return VerifyReport(driver.device, True, note=f"not verified: no post-change checks for {os_family}")
    start = time.monotonic()
    while True:
        try:
            seen = observe(driver, os_family)
        except DeployError as exc:
            return VerifyReport(driver.device, False, {"session": [str(exc)]},
                                round(time.monotonic() - start, 1))
        missing = {
            "ospf": sorted(expected.ospf - seen.ospf),
            "bgp": sorted(expected.bgp - seen.bgp),
            "links": sorted(expected.links - seen.links),
            "nftables tables": sorted(expected.tables - seen.tables),
            "vrrp groups": sorted(expected.vrrp - seen.vrrp),
        }
        elapsed = round(time.monotonic() - start, 1)
        if not any(missing.values()):
            return VerifyReport(driver.device, True, {}, elapsed)
        if elapsed >= timeout:
            return VerifyReport(driver.device, False, {k: v for k, v in missing.items() if v}, elapsed)
        time.sleep(POLL_S)
