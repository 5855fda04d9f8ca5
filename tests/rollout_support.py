"""An in-process FAKE device driver (not an emulation of any vendor) for rollout orchestration tests.

:class:`FakeFleet` holds every device's running config, the faults to inject and a log of what
the rollout did to each device. :meth:`FakeFleet.driver_class` is what
``govnet.deploy.connection.driver_class`` returns while a test runs, so ``deploy``/``recover``
go through the real Nornir inventory, connection plugin, ``push_config`` and ``verify`` and only
the SSH session is replaced. The driver answers FRR's ``show ... json`` commands from the model:
every adjacency of the device is up unless the test takes it down.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from snmprec_agent import free_port, start_snmpd

from govnet.credentials import Credentials
from govnet.deploy.driver import CommitRejected, ConfigDiff, DeployError, DriverTarget
from govnet.deploy.lkg import LkgStore, PendingCommit
from govnet.model import Network
from govnet.monitor.transport import snmp_get
from govnet.platforms.linux import kernel_ifname

FAULTS = frozenset(
    {"open", "crash", "reject", "verify", "confirm", "rollback", "sigint", "sigterm", "refuse", "login"}
)
"""``open``: SSH refused; ``login``: a new SSH login is refused between the commit and the
confirm or rollback (the push broke AAA or the management path; the pushing session stays up);
``crash``: compare raises a non-DeployError; ``reject``: the commit is
refused; ``verify``: nothing is up after the commit (until rolled back); ``confirm``: confirm
fails; ``rollback``: the restore fails; ``sigint``/``sigterm``: that signal arrives while the
device commits."""

WAIT_S = 5.0
"""How long a held device waits for the event it waits for (a test fails long before)."""


@dataclass
class FakeFleet:
    """Fake devices of ``network``: running configs, injected faults, and what was done to them."""

    network: Network
    running: dict[str, str] = field(default_factory=dict)
    lkg: dict[str, str] = field(default_factory=dict)
    faults: dict[str, set[str]] = field(default_factory=dict)
    down: dict[str, set[str]] = field(default_factory=dict)
    """Device -> neighbours whose adjacency it shows down (before and after a commit)."""
    held: dict[str, tuple[str, ...]] = field(default_factory=dict)
    events: list[tuple[str, str]] = field(default_factory=list)
    targets: dict[str, DriverTarget] = field(default_factory=dict)
    locked: dict[str, bool] = field(default_factory=dict)
    """Device -> whether the network's deploy lock file existed when it committed."""
    locked_restores: list[bool] = field(default_factory=list)
    """Whether the lock file existed at each rollback (in order)."""
    broken: set[str] = field(default_factory=set)
    gate: threading.Barrier | None = None
    """When set, each diff waits here for a second session in flight (``met`` once one came)."""
    met: bool = False
    waits: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Device -> (other device, action): its commit holds until the other device saw that action
    (at most :data:`WAIT_S`), so a test can prove which devices were in flight together."""
    waited: dict[str, bool] = field(default_factory=dict)
    """Device -> whether the action it waited for came."""
    flying: set[str] = field(default_factory=set)
    """Devices between their commit and their confirm or rollback."""
    together: dict[str, frozenset[str]] = field(default_factory=dict)
    """Device -> the devices in flight when it committed."""
    _guard: threading.Condition = field(default_factory=threading.Condition)

    def log(self, device: str, action: str) -> None:
        with self._guard:
            self.events.append((device, action))
            if action.split()[0] == "commit":
                self.together[device] = frozenset(self.flying)
                self.flying.add(device)
            elif action in ("confirm", "rollback"):
                self.flying.discard(device)
            self._guard.notify_all()

    def wait_for(self, device: str) -> None:
        """Hold ``device`` until its :attr:`waits` entry happened (or :data:`WAIT_S` passed)."""
        if device not in self.waits:
            return
        with self._guard:
            self.waited[device] = self._guard.wait_for(lambda: self.waits[device] in self.events, WAIT_S)

    def actions(self, device: str) -> list[str]:
        """What was done to ``device``, in order."""
        return [a for d, a in self.events if d == device]

    def order(self, action: str) -> list[str]:
        """The devices that saw ``action`` (``commit ...`` matches by prefix), in order."""
        return [d for d, a in self.events if a.split()[0] == action]

    def fault(self, device: str, *names: str) -> None:
        unknown = set(names) - FAULTS
        assert not unknown, f"unknown faults {unknown}"
        self.faults.setdefault(device, set()).update(names)

    def has(self, device: str, name: str) -> bool:
        return name in self.faults.get(device, set())

    def driver_class(self, platform: str) -> type:
        """Stands in for ``govnet.deploy.drivers.driver_class``: every platform gets the fake."""
        fleet = self

        class BoundFakeDriver(FakeDriver):
            def __init__(self, target: DriverTarget) -> None:
                super().__init__(target, fleet)

        return BoundFakeDriver

    def adjacencies(self, device: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        """Kernel interface -> peer, OSPF router-id -> peer, BGP peer address -> peer."""
        dev = self.network.devices[device]
        links: dict[str, str] = {}
        ospf: dict[str, str] = {}
        for intf in dev.interfaces:
            if intf.vlan is not None or intf.peer not in self.network.devices:
                continue
            links[kernel_ifname(intf.name)] = intf.peer
            peer = self.network.devices[intf.peer]
            if intf.ospf and peer.loopback is not None:
                ospf[str(peer.loopback.ip)] = intf.peer
        bgp = {str(s.peer_ip): s.peer for s in self.network.bgp_sessions(device)}
        return links, ospf, bgp

    def show(self, device: str, command: str) -> str:
        """FRR's JSON for the three commands ``verify`` uses; nothing up when broken."""
        links, ospf, bgp = self.adjacencies(device)
        down: Collection[str] = self.down.get(device, set())
        if device in self.broken:
            down = set(links.values()) | set(ospf.values()) | set(bgp.values())
        if command == "show ip ospf neighbor json":
            return json.dumps(
                {
                    "neighbors": {
                        rid: [{"converged": "Full"}] for rid, peer in ospf.items() if peer not in down
                    }
                }
            )
        if command == "show bgp summary json":
            return json.dumps(
                {
                    "ipv4Unicast": {
                        "peers": {
                            ip: {"state": "Established"} for ip, peer in bgp.items() if peer not in down
                        }
                    }
                }
            )
        if command == "show interface json":
            return json.dumps(
                {name: {"operationalStatus": "up"} for name, peer in links.items() if peer not in down}
            )
        return f"% Unknown command: {command}"


class FakeDriver:
    """A :class:`~govnet.deploy.driver.DeviceDriver` over a :class:`FakeFleet` (FAKE, in process)."""

    def __init__(self, target: DriverTarget, fleet: FakeFleet) -> None:
        self.target = target
        self.device = target.device
        self.fleet = fleet
        self.state = LkgStore(target.state_dir, target.device)
        self.candidate: str | None = None

    def _log(self, action: str) -> None:
        self.fleet.log(self.device, action)

    def open(self) -> None:
        self._log("open")
        self.fleet.targets[self.device] = self.target
        if self.fleet.has(self.device, "open"):
            raise DeployError(f"{self.device}: cannot open SSH to {self.target.hostname}: refused")
        if self.fleet.has(self.device, "login") and self.device in self.fleet.flying:
            raise DeployError(f"{self.device}: SSH to {self.target.hostname} failed: authentication failed "
                              f"for user {self.target.username!r} (password login)")

    def close(self) -> None:
        self._log("close")

    def get_config(self) -> str:
        return self.fleet.running.get(self.device, "")

    def load_merge_candidate(self, config: str) -> None:
        self._log("merge")
        self.candidate = config

    def load_replace_candidate(self, config: str) -> None:
        self._log("replace")
        self.candidate = config

    def compare_config(self) -> ConfigDiff:
        self._log("compare")
        if self.fleet.gate is not None:
            try:
                self.fleet.gate.wait()
                self.fleet.met = True
            except threading.BrokenBarrierError:
                pass  # no other session came in time (or the gate broke earlier)
        if self.fleet.has(self.device, "crash"):
            raise RuntimeError("driver bug")
        assert self.candidate is not None
        running = self.get_config().splitlines()
        wanted = self.candidate.splitlines()
        commands = tuple(line for line in wanted if line not in running)
        unified = "".join(f"+{line}\n" for line in commands)
        return ConfigDiff(self.device, commands, unified, self.fleet.held.get(self.device, ()))

    def discard_config(self) -> None:
        self._log("discard")
        self.candidate = None

    def residual(self, config: str, replace: bool) -> ConfigDiff:
        self._log("replace" if replace else "merge")
        self._log("compare")
        running = self.get_config().splitlines()
        commands = tuple(line for line in config.splitlines() if line not in running)
        self._log("discard")
        return ConfigDiff(self.device, commands, "".join(f"+{line}\n" for line in commands))

    def commit_config(self, revert_in: int | None = None) -> None:
        self._log(f"commit {revert_in}")
        self.fleet.wait_for(self.device)
        self.fleet.locked[self.device] = self._lock_held()
        for fault, signum in (("sigint", signal.SIGINT), ("sigterm", signal.SIGTERM)):
            if self.fleet.has(self.device, fault):
                signal.raise_signal(signum)
                time.sleep(0.05)  # let the main thread run its handler while this batch is in flight
        if self.fleet.has(self.device, "reject"):
            raise CommitRejected(self.device, "ntp server 10.0.0.1", "Error: Unrecognized command\n")
        assert self.candidate is not None
        self.fleet.lkg[self.device] = self.get_config()
        if revert_in is not None:
            self.state.mark_pending(
                PendingCommit.for_driver(self.target, revert_in, str(self.target.extras["run_id"]))
            )
        self.refused: list[tuple[str, str]] = []
        if self.fleet.has(self.device, "refuse"):  # the device took all but the last line
            *taken, last = self.candidate.rstrip("\n").split("\n")
            self.fleet.running[self.device] = "\n".join(taken) + "\n"
            self.refused = [(last, "% Unknown command.")]
        else:
            self.fleet.running[self.device] = self.candidate
        if self.fleet.has(self.device, "verify"):
            self.fleet.broken.add(self.device)

    def has_pending_commit(self) -> bool:
        return self.state.pending() is not None

    def confirm_commit(self) -> None:
        self._log("confirm")
        if self.fleet.has(self.device, "confirm"):
            raise DeployError(f"{self.device}: confirm timed out")
        self.state.clear_pending()

    def _lock_held(self) -> bool:
        return (self.target.state_dir / f"{self.fleet.network.settings.name}.lock").exists()

    def rollback(self) -> None:
        self._log("rollback")
        self.fleet.locked_restores.append(self._lock_held())
        if self.fleet.has(self.device, "rollback"):
            raise DeployError(f"{self.device}: no last-known-good config")
        if self.device in self.fleet.lkg:
            self.fleet.running[self.device] = self.fleet.lkg[self.device]
        self.fleet.broken.discard(self.device)
        self.state.clear_pending()

    def cli(self, command: str) -> str:
        return self.fleet.show(self.device, command)


def extras_of(target: DriverTarget) -> dict[str, Any]:
    """The per-run values ``prepare_hosts`` gave a driver (secrets shown by type only)."""
    return {k: (type(v).__name__ if k == "secrets" else v) for k, v in target.extras.items()}


NOC = Credentials(snmp_user="unit-noc", snmp_auth_key="unit-auth-key-1", snmp_priv_key="unit-priv-key-1")
"""The poller's SNMPv3 user (SHA/AES) in tests of verify's management-path check."""


def start_agent(workdir: Path, sys_name: str) -> tuple[int, int]:
    """A real net-snmp agent on loopback knowing :data:`NOC` (a stand-in device's agent, not an
    emulation): (UDP port, PID) once it answers. Stop it with ``snmprec_agent.stop_pid``."""
    port = free_port()
    pid = start_snmpd(workdir, [
        f"agentAddress udp:127.0.0.1:{port}",
        f'createUser {NOC.snmp_user} SHA "{NOC.snmp_auth_key}" AES "{NOC.snmp_priv_key}"',
        f"rouser {NOC.snmp_user} priv",
        f"sysName {sys_name}",
    ])
    deadline = time.monotonic() + 10
    while not snmp_get(NOC, "127.0.0.1", ".1.3.6.1.2.1.1.3.0", timeout=0.3, port=port):
        assert time.monotonic() < deadline, "snmpd does not answer"
    return port, pid
