"""The scale benchmark's simulated agents answer what the poller asks: each device's data file
(``benchmarks/snmpsim_agents.device_snmprec``) served over SNMPv3 authPriv by a real net-snmp
snmpd on loopback (``tests/snmprec_agent.py``; snmpsim itself needs its own venv from PyPI), polled
by the real poller, judged by the real health rules."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from snmprec_agent import ReplayAgent, free_port

from benchmarks.snmpsim_agents import CREDENTIALS, device_snmprec
from govnet.inventory import load_network
from govnet.monitor.health import judge
from govnet.monitor.plan import Plan, build_plan
from govnet.monitor.poller import Poller
from govnet.monitor.snapshot import DeviceState, Snapshot
from govnet.monitor.transport import SnmpClient

ROOT = Path(__file__).resolve().parents[2]
DEVICES = ("kf-core-1", "kf-core-2", "kf-fw-1", "kf-fw-2")
ROUTING = (".1.3.6.1.2.1.10.166", ".1.3.6.1.2.1.14", ".1.3.6.1.2.1.15")
"""LDP, OSPF and BGP subtrees, replayed from the data file beside snmprec_agent's own."""
REPLAY = Path(__file__).resolve().parents[1] / "snmprec_agent.py"


@pytest.fixture(scope="module")
def polled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Plan, Snapshot]]:
    network = load_network(ROOT / "inventory")
    ports = {name: free_port() for name in DEVICES}
    plan = build_plan(network, devices=DEVICES, hosts=dict.fromkeys(DEVICES, "127.0.0.1"), ports=ports)
    user = (CREDENTIALS.snmp_user or "", CREDENTIALS.snmp_auth_key or "", CREDENTIALS.snmp_priv_key or "")
    agents: list[ReplayAgent] = []
    try:
        for dev in plan.devices:
            workdir = tmp_path_factory.mktemp(dev.name)
            data = workdir / f"{dev.name}.snmprec"
            data.write_text(device_snmprec(plan.network, dev), encoding="utf-8")
            agent = ReplayAgent(data, dev.port, workdir, user)
            agent.extra = [f"pass_persist {s} {sys.executable} {REPLAY} {data} {s}" for s in ROUTING]
            agent.start()
            agents.append(agent)

        async def cycle() -> Snapshot:
            client = SnmpClient(CREDENTIALS, timeout=2.0, retries=1)
            try:
                return await Poller(plan, client).cycle()
            finally:
                client.close()

        yield plan, asyncio.run(cycle())
    finally:
        for agent in agents:  # all at once: each snmpd takes a while to reap its replayers
            os.kill(agent.pid, signal.SIGTERM)
        for agent in agents:
            for _ in range(100):
                if not Path(f"/proc/{agent.pid}").exists():
                    break
                time.sleep(0.05)


def test_every_planned_row_answers_as_a_healthy_device(polled: tuple[Plan, Snapshot]) -> None:
    plan, snap = polled
    for dev in plan.devices:
        state = snap.devices[dev.name]
        assert state.up, state.reason
        assert state.not_found == {}
        assert sorted(state.interfaces) == sorted(e.ifname for e in dev.links)
        assert all(row.admin_status == 1 and row.oper_status == 1 for row in state.interfaces.values())
        assert state.bgp == {str(p.address): (6, 86400) for p in dev.bgp}
        assert state.ospf == {str(p.address): 8 for p in dev.ospf}
        assert state.ldp == {str(p.address): 5 for p in dev.ldp}
    assert {len(d.bgp) + len(d.ospf) + len(d.ldp) for d in plan.devices if "core" in d.name} == {3}


def test_the_hot_standby_pair_has_one_master_per_vrrp_group(polled: tuple[Plan, Snapshot]) -> None:
    plan, snap = polled
    vgmp = "hwVgmpGroupCfgState"
    assert snap.devices["kf-fw-1"].vendor[vgmp] == {"1.1": 3, "1.2": 3, "1.3": 3}  # the groups' active member
    assert snap.devices["kf-fw-2"].vendor[vgmp] == {"1.1": 2, "1.2": 2, "1.3": 2}
    judged = {h.group.name: h for h in judge(plan, snap)}
    assert sorted(judged) == ["kf-core-pair", "kf-firewall-pair", "kf-upstream-pair"]
    assert {h.state for h in judged.values()} == {"healthy"}
    assert judged["kf-firewall-pair"].masters == 1 and judged["kf-firewall-pair"].ha_checked is True



def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # not a process, or gone
            continue
        if entry.name.isdigit() and int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def test_an_ldp_session_row_that_appears_later_is_read_from_the_next_cycle(tmp_path: Path) -> None:
    """The poller builds its GET list once per discovery; a session row found on a later look
    (the LDP table re-walked after a cycle missing it) must be in the next cycle's GET."""
    network = load_network(ROOT / "inventory")
    names = ("kf-core-1", "kf-core-2")  # LDP peers of each other
    ports = {n: free_port() for n in names}
    plan = build_plan(network, devices=names, hosts=dict.fromkeys(names, "127.0.0.1"), ports=ports)
    user = (CREDENTIALS.snmp_user or "", CREDENTIALS.snmp_auth_key or "", CREDENTIALS.snmp_priv_key or "")
    ldp = "1.3.6.1.2.1.10.166."
    agents: list[ReplayAgent] = []
    full = ""
    try:
        for dev in plan.devices:
            workdir = tmp_path / dev.name
            workdir.mkdir()
            data = workdir / f"{dev.name}.snmprec"
            text = device_snmprec(plan.network, dev)
            if dev.name == names[0]:  # its session is not up yet: no row
                full, text = text, "\n".join(ln for ln in text.splitlines() if not ln.startswith(ldp)) + "\n"
            data.write_text(text, encoding="utf-8")
            agent = ReplayAgent(data, dev.port, workdir, user)
            agent.extra = [f"pass_persist {s} {sys.executable} {REPLAY} {data} {s}" for s in ROUTING]
            agent.start()
            agents.append(agent)
        dev = plan.devices[0]
        assert dev.name == names[0] and dev.ldp and full

        async def cycles() -> tuple[list[DeviceState], dict[str, int]]:
            client = SnmpClient(CREDENTIALS, timeout=2.0, retries=1)
            poller = Poller(plan, client)
            try:
                states = [(await poller.cycle()).devices[dev.name]]
                agents[0].recording.write_text(full, encoding="utf-8")  # the session is up: its row appears
                for pid in _children(agents[0].pid):  # the LDP replayer reads its file when restarted
                    if f"{ROUTING[0]}\0".encode() in Path(f"/proc/{pid}/cmdline").read_bytes() + b"\0":
                        os.kill(pid, signal.SIGTERM)
                states += [(await poller.cycle()).devices[dev.name] for _ in range(3)]
                return states, (await poller.cycle()).devices[names[1]].ldp
            finally:
                client.close()

        states, other = asyncio.run(cycles())
    finally:
        for agent in agents:
            agent.stop()
    first, seen = states[0], [s.ldp for s in states[1:]]
    missing = {str(p.address): None for p in dev.ldp}  # planned, no row on the agent
    assert first.up and first.ldp == missing and len(first.bgp) == len(dev.bgp) > 0
    want = {str(p.address): 5 for p in dev.ldp}
    assert seen[-1] == want, seen  # read by the cycle after the one that found the row
    assert seen[0] in (missing, want)
    assert other == {str(p.address): 5 for p in plan.devices[1].ldp}
