"""The lab's state file and ``lab status``, pinned on what the real twin wrote and printed.

Fixtures (``tests/fixtures/lab-status/``, see its README): the state file a real ``govnet lab up``
wrote, the exact stdout of ``vtysh -N <device> -c ...`` for the two commands ``routing_summary``
sends (FRR 8.4.4: booting, converged, bgpd killed) and the ``lab_status`` document of that twin.
``tests/fixtures/frr-show/`` adds ``show ip ospf neighbor json`` of the larger twin (same command).
vtysh is REPLAYED from those files (no daemon runs); the namespace list is a folder in ``tmp_path``
(``NETNS_DIR``) and the registry a file there (``REGISTRY``). No root needed, except for the one
SNMP test, whose real snmpd listens on 127.0.0.2:161.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from snmprec_agent import start_snmpd, stop_pid

from govnet.lab import netns, state, status
from govnet.lab.credentials import ensure_credentials
from govnet.lab.errors import CommandError, LabStateError
from govnet.lab.keepalived import HaPairStatus
from govnet.lab.state import (
    STATE_FILE,
    FaultRecord,
    LabState,
    ProcessRecord,
    all_states,
    load_state,
    nornir_options,
    register_workdir,
    registered_workdirs,
    unregister_workdir,
)
from govnet.lab.status import (
    DeviceStatus,
    LabStatus,
    RoutingSummary,
    daemon_status,
    format_status,
    lab_status,
    monitor_options,
    routing_summary,
)
from govnet.lab.topology import LabNode, LabTopology, build_topology
from govnet.model import Network

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CAPTURED = FIXTURES / "lab-status"
FRR_SHOW = FIXTURES / "frr-show"
OSPF, BGP = "show ip ospf neighbor json", "show bgp ipv4 unicast summary json"
CORE1, CORE2, AGG, ACC = "kf-core-1", "kf-core-2", "kf-agg-dongfenglu", "kf-acc-dongfenglu-c01"


def captured_state(workdir: Path) -> LabState:
    """The real twin's state file, in ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    text = (CAPTURED / "state.json").read_text(encoding="utf-8").replace("WORKDIR", str(workdir))
    (workdir / STATE_FILE).write_text(text, encoding="utf-8")
    loaded = load_state(workdir)
    assert loaded is not None
    return loaded


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


class Replay:
    """vtysh REPLAYED: each (device, command) answers with the file captured from the real twin."""

    def __init__(self, answers: dict[tuple[str, str], Path | Exception]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, str]] = []

    def __call__(self, device: str, *commands: str, timeout: float = 15.0) -> str:
        assert len(commands) == 1
        self.asked.append((device, commands[0]))
        answer = self.answers[(device, commands[0])]
        if isinstance(answer, Exception):
            raise answer
        return answer.read_text(encoding="utf-8")


def bgpd_killed() -> CommandError:
    """What ``vtysh -N kf-core-1 -c 'show bgp ...'`` raised with bgpd killed (exit status, output)."""
    recorded = (CAPTURED / "kf-core-1.bgpd-killed.bgp.error.txt").read_text(encoding="utf-8")
    code, output = recorded.split("\n", 1)
    return CommandError(["vtysh", "-N", CORE1, "-c", BGP], int(code), output)


def at(device: str, moment: str, folder: Path = CAPTURED) -> dict[tuple[str, str], Path | Exception]:
    return {(device, OSPF): folder / f"{device}.{moment}.ospf.txt",
            (device, BGP): CAPTURED / f"{device}.{moment}.bgp.txt"}


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LabState:
    """The captured twin in ``tmp_path``; its namespace list an empty folder, its registry a file."""
    monkeypatch.setattr(netns, "NETNS_DIR", tmp_path / "netns")
    (tmp_path / "netns").mkdir()
    monkeypatch.setattr(state, "REGISTRY", tmp_path / "run" / "govnet-lab" / "workdirs")
    return captured_state(tmp_path / "lab")


# -- the state file ---------------------------------------------------------------------------------

def test_the_real_state_file_loads_and_saves_back_byte_for_byte(lab: LabState) -> None:
    """The capture predates ``booted_by``: such a state (a lab left by an older govnet) loads with
    the booter unknown (0, so a lab nothing runs counts as abandoned) and saves back unchanged but
    for the two fields added at the end."""
    before = lab.path.read_text(encoding="utf-8")
    assert "booted_by" not in before and (lab.booted_by, lab.booted_by_started) == (0, 0)
    assert lab.path == lab.workdir / "state.json"
    assert (lab.phase, lab.inventory, lab.provisioned, lab.user_created, lab.boot_seconds) == (
        "up", "/work/main/inventory", True, "govnet-lab", 4.2)
    assert lab.netns[:2] == ["gn-kf-core-1", "gn-kf-core-2"] and len(lab.netns) == 6
    assert lab.processes[0] == ProcessRecord(CORE2, "snmpd", lab.processes[0].pid,
                                            f"{lab.workdir}/snmpd/{CORE2}/snmpd.pid")
    assert all(isinstance(p, ProcessRecord) for p in lab.processes) and len(lab.processes) == 22
    lab.save()
    assert before.endswith('\n "boot_seconds": 4.2\n}')
    after = before.removesuffix("\n}") + ',\n "booted_by": 0,\n "booted_by_started": 0\n}'
    assert lab.path.read_text(encoding="utf-8") == after
    assert sorted(p.name for p in lab.workdir.iterdir()) == ["state.json"]


def test_a_state_is_saved_with_its_records_and_without_its_lock(tmp_path: Path) -> None:
    workdir = tmp_path / "a" / "b"
    lab = LabState(workdir=workdir, phase="booting", dirs=[Path("/etc/frr/x")],  # type: ignore[list-item]
                   faults=[FaultRecord("loss", CORE1, "eth1", value=20)])
    lab.add_process(ProcessRecord(CORE1, "zebra", 10, "/run/z.pid"))
    doc = json.loads(lab.path.read_text(encoding="utf-8"))
    assert list(doc) == ["workdir", "phase", "inventory", "provisioned", "netns", "root_links", "dirs",
                         "user_created", "processes", "faults", "topology", "edge_ports", "boot_seconds",
                         "booted_by", "booted_by_started"]
    assert doc["workdir"] == str(workdir) and doc["dirs"] == ["/etc/frr/x"] and doc["phase"] == "booting"
    assert doc["processes"] == [{"device": CORE1, "daemon": "zebra", "pid": 10, "pidfile": "/run/z.pid"}]
    assert doc["faults"] == [{"kind": "loss", "device": CORE1, "target": "eth1", "peer": "", "value": 20}]
    assert lab.path.read_text(encoding="utf-8") == json.dumps(doc, indent=1)
    again = load_state(workdir)
    assert again is not None and again.faults == lab.faults and again.processes == lab.processes
    assert again.workdir == workdir and again.dirs == ["/etc/frr/x"]


def test_every_recorded_resource_is_saved_at_once_and_only_once(tmp_path: Path) -> None:
    lab = LabState(workdir=tmp_path)

    def saved() -> dict[str, object]:
        return json.loads(lab.path.read_text(encoding="utf-8"))

    lab.add_netns("gn-a")
    assert saved()["netns"] == ["gn-a"]
    lab.add_netns("gn-b")
    lab.add_netns("gn-a")
    assert saved()["netns"] == ["gn-a", "gn-b"]
    lab.add_root_link("gn-m1")
    lab.add_root_link("gn-m1")
    assert saved()["root_links"] == ["gn-m1"]
    lab.add_dir(tmp_path / "d")
    lab.add_dir(str(tmp_path / "d"))
    assert saved()["dirs"] == [str(tmp_path / "d")]
    lab.update(phase="up", boot_seconds=2.5)
    assert (saved()["phase"], saved()["boot_seconds"], lab.phase) == ("up", 2.5, "up")


def test_a_restarted_daemon_replaces_its_record_and_keeps_the_others(tmp_path: Path) -> None:
    lab = LabState(workdir=tmp_path)
    lab.add_process(ProcessRecord(CORE1, "bgpd", 1))
    lab.add_process(ProcessRecord(CORE1, "ospfd", 2))
    lab.add_process(ProcessRecord(CORE2, "bgpd", 3))
    lab.add_process(ProcessRecord(CORE1, "bgpd", 4, "/run/bgpd.pid"))
    assert [(p.device, p.daemon, p.pid) for p in lab.processes] == [
        (CORE1, "ospfd", 2), (CORE2, "bgpd", 3), (CORE1, "bgpd", 4)]
    assert [p["pid"] for p in json.loads(lab.path.read_text(encoding="utf-8"))["processes"]] == [2, 3, 4]
    assert lab.process(CORE1, "bgpd") == ProcessRecord(CORE1, "bgpd", 4, "/run/bgpd.pid")
    assert lab.process(CORE2, "bgpd") == ProcessRecord(CORE2, "bgpd", 3)
    assert lab.process(CORE2, "ospfd") is None


def test_a_state_without_topology_says_to_run_lab_up(lab: LabState) -> None:
    assert lab.lab_topology() == LabTopology.from_dict(lab.topology)
    assert [n.name for n in lab.lab_topology().nodes][:4] == [CORE1, CORE2, AGG, ACC]
    with pytest.raises(LabStateError) as err:
        LabState(workdir=Path("/x")).lab_topology()
    assert str(err.value) == "the lab state in /x has no topology; run `govnet lab up`"


def test_a_missing_state_is_none_and_an_unreadable_one_is_named(tmp_path: Path) -> None:
    assert load_state(tmp_path) is None
    (tmp_path / STATE_FILE).write_text('{"phase": ', encoding="utf-8")
    with pytest.raises(LabStateError) as err:
        load_state(tmp_path)
    assert str(err.value) == (f"cannot read the lab state {tmp_path / STATE_FILE}: "
                              "Expecting value: line 1 column 11 (char 10)")
    assert isinstance(err.value.__cause__, ValueError)
    (tmp_path / STATE_FILE).unlink()
    (tmp_path / STATE_FILE).mkdir()
    with pytest.raises(LabStateError) as err:
        load_state(tmp_path)
    assert str(err.value).startswith(f"cannot read the lab state {tmp_path / STATE_FILE}: [Errno 21] ")
    minimal = tmp_path / "m"
    minimal.mkdir()
    (minimal / STATE_FILE).write_text('{"phase": "up"}', encoding="utf-8")
    loaded = load_state(minimal)
    assert loaded is not None and loaded.workdir == minimal and loaded.phase == "up"
    (minimal / STATE_FILE).write_text('{"workdir": "/elsewhere"}', encoding="utf-8")
    moved = load_state(minimal)
    assert moved is not None and moved.workdir == minimal, "the folder it is in, not the one it names"
    assert (loaded.processes, loaded.faults) == ([], [])


def test_nornir_reaches_each_ssh_port_and_the_twins_secrets(lab: LabState, tmp_path: Path) -> None:
    lab.update(edge_ports={"kf-fw-1": "22010"})
    assert nornir_options(lab.workdir) == {
        "lab": True,
        "lab_ports": {CORE1: 22001, CORE2: 22002, AGG: 22003, ACC: 22004, "kf-fw-1": 22010},
        "secrets_file": str(lab.workdir / "secrets.env"),
    }
    topo = lab.topology
    topo["nodes"][1]["stub"] = True  # a stub with a port is not a device to reach
    lab.update(topology=topo, edge_ports={})
    assert nornir_options(lab.workdir)["lab_ports"] == {CORE1: 22001, AGG: 22003, ACC: 22004}
    with pytest.raises(LabStateError) as err:
        nornir_options(tmp_path / "none")
    assert str(err.value) == (f"{tmp_path / 'none'}: no lab twin here; "
                              f"run 'govnet lab up --workdir {tmp_path / 'none'}'")


# -- the registry of workdirs -------------------------------------------------------------------------

def test_workdirs_are_registered_sorted_and_the_registry_goes_with_the_last(
    lab: LabState, tmp_path: Path
) -> None:
    registry = state.REGISTRY
    assert registered_workdirs() == set()
    second = tmp_path / "b-lab"
    register_workdir(second)
    register_workdir(tmp_path / "lab" / ".." / "lab")
    register_workdir(second)
    assert registry.read_text(encoding="utf-8") == f"{tmp_path / 'b-lab'}\n{tmp_path / 'lab'}\n"
    assert registered_workdirs() == {second, lab.workdir}
    assert [s.workdir for s in all_states(tmp_path / "none")] == [lab.workdir]
    captured_state(second)
    assert sorted(s.workdir for s in all_states(tmp_path / "none")) == [second, lab.workdir]
    register_workdir(tmp_path / "c-lab")
    unregister_workdir(second)
    assert registry.read_text(encoding="utf-8") == f"{tmp_path / 'c-lab'}\n{tmp_path / 'lab'}\n"
    unregister_workdir(tmp_path / "c-lab")
    assert registry.read_text(encoding="utf-8") == f"{tmp_path / 'lab'}\n"
    (registry.parent / "other").write_text("", encoding="utf-8")
    unregister_workdir(lab.workdir)
    assert not registry.exists() and registry.parent.is_dir(), "a folder holding more stays"
    register_workdir(lab.workdir)
    (registry.parent / "other").unlink()
    unregister_workdir(lab.workdir / "x" / "..")
    assert not registry.parent.exists()
    unregister_workdir(lab.workdir)  # nothing registered: nothing to do
    registry.parent.mkdir(parents=True)
    registry.write_text(f"\n{second}\n\n", encoding="utf-8")
    assert registered_workdirs() == {second}


def test_all_states_include_the_default_workdir(lab: LabState, tmp_path: Path) -> None:
    assert [s.workdir for s in all_states(lab.workdir)] == [lab.workdir]
    assert all_states(tmp_path / "none") == []


# -- lab status -------------------------------------------------------------------------------------

def test_a_daemon_runs_by_its_recorded_pid_or_its_pidfile(tmp_path: Path) -> None:
    node = build_topology_node()
    gone = dead_pid()
    (tmp_path / "alive.pid").write_text(f"{os.getpid()}\n", encoding="utf-8")
    (tmp_path / "dead.pid").write_text(f"{gone}\n", encoding="utf-8")
    lab = LabState(workdir=tmp_path, processes=[
        ProcessRecord(CORE1, "zebra", os.getpid()),
        ProcessRecord(CORE1, "staticd", gone, str(tmp_path / "alive.pid")),  # restarted: a new pid
        ProcessRecord(CORE1, "ospfd", gone, str(tmp_path / "dead.pid")),
        ProcessRecord(CORE1, "bgpd", gone, str(tmp_path / "missing.pid")),
        ProcessRecord(CORE1, "ldpd", gone),
        ProcessRecord(CORE2, "snmpd", os.getpid()),  # another device's
    ])
    assert daemon_status(lab, node) == {
        "zebra": True, "staticd": True, "ospfd": False, "bgpd": False, "ldpd": False, "snmpd": False}
    assert list(daemon_status(lab, node)) == list(node.daemons)


def captured_topology() -> LabTopology:
    saved = json.loads((CAPTURED / "state.json").read_text(encoding="utf-8"))
    return LabTopology.from_dict(saved["topology"])


def build_topology_node() -> LabNode:
    return captured_topology().node(CORE1)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (at(CORE1, "converged"), RoutingSummary(2, 2, 2)),
        (at(CORE1, "booting"), RoutingSummary(0, 0, 2)),  # OSPF Init/-, both peers Active
        # the larger twin's three Full neighbours (same command), the booting BGP peers
        ({(CORE1, OSPF): FRR_SHOW / "kf-core-1.converged.ospf.txt",
          (CORE1, BGP): CAPTURED / "kf-core-1.booting.bgp.txt"}, RoutingSummary(3, 0, 2)),
        ({(CORE1, OSPF): FRR_SHOW / "kf-core-1.link-down.ospf.txt",
          (CORE1, BGP): CAPTURED / "kf-core-1.converged.bgp.txt"}, RoutingSummary(2, 2, 2)),
        ({(CORE1, OSPF): FRR_SHOW / "kf-core-1.booting.ospf.txt",
          (CORE1, BGP): CAPTURED / "kf-core-1.converged.bgp.txt"}, RoutingSummary(0, 2, 2)),
    ],
)
def test_routing_counts_full_neighbours_and_established_peers_of_the_real_output(
    answers: dict[tuple[str, str], Path | Exception],
    expected: RoutingSummary,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    replay = Replay(answers)
    monkeypatch.setattr(status, "vtysh", replay)
    assert routing_summary(build_topology_node()) == expected
    assert replay.asked == [(CORE1, OSPF), (CORE1, BGP)]


@pytest.mark.parametrize(
    "failure",
    [
        bgpd_killed(),  # vtysh exits 1: "bgpd is not running"
        subprocess.TimeoutExpired(["vtysh"], 15.0),
        OSError(2, "No such file or directory: 'vtysh'"),
    ],
)
def test_routing_is_unknown_when_vtysh_fails(failure: Exception, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = at(CORE1, "converged")
    answers[(CORE1, BGP)] = failure
    monkeypatch.setattr(status, "vtysh", Replay(answers))
    assert routing_summary(build_topology_node()) is None


def test_routing_is_unknown_when_vtysh_prints_a_warning_not_json(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = at(CORE1, "converged")
    answers[(CORE1, BGP)] = FRR_SHOW / "kf-core-1.bgpd-killed.bgp.txt"  # vtysh's I/O error warning
    monkeypatch.setattr(status, "vtysh", Replay(answers))
    assert routing_summary(build_topology_node()) is None


def test_routing_asks_only_the_daemons_a_node_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    node = build_topology_node()
    replay = Replay({**at(CORE1, "converged"), (CORE1, BGP): tmp_path / "empty.txt"})
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    monkeypatch.setattr(status, "vtysh", replay)
    assert routing_summary(replace(node, daemons=("zebra", "ospfd"))) == RoutingSummary(2, 0, 0)
    # an empty answer (not seen from FRR 8.4.4, which prints JSON or fails) counts nothing
    assert routing_summary(replace(node, daemons=("zebra", "bgpd"))) == RoutingSummary(0, 0, 0)
    assert replay.asked == [(CORE1, OSPF), (CORE1, BGP)]
    replay.answers[(CORE1, OSPF)] = tmp_path / "empty.txt"
    assert routing_summary(replace(node, daemons=("ospfd",))) == RoutingSummary(0, 0, 0)
    replay.asked.clear()
    topo = captured_topology()
    assert routing_summary(topo.node(ACC)) == RoutingSummary(0, 0, 0)  # zebra and staticd only
    assert routing_summary(topo.node("kf-municipal-extranet")) is None
    assert replay.asked == [], "nothing asked of a node without ospfd/bgpd"


def converged_replay() -> Replay:
    answers: dict[tuple[str, str], Path | Exception] = {}
    for device in (CORE1, CORE2, AGG):
        answers |= at(device, "converged")
    return Replay(answers)


def test_the_status_of_the_captured_twin_is_the_document_it_printed(
    lab: LabState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(status, "vtysh", converged_replay())
    lab.update(processes=[replace(p, pid=os.getpid()) for p in lab.processes])  # every daemon alive
    for name in lab.netns:
        (tmp_path / "netns" / name).write_text("", encoding="utf-8")
    printed = (CAPTURED / "status.converged.json").read_text(encoding="utf-8")
    printed = printed.replace("WORKDIR", str(lab.workdir))
    assert lab_status(lab.workdir, probe_snmp=False).to_json() + "\n" == printed
    probed = lab_status(lab.workdir)  # no secrets.env here: SNMP unknown, no VRRP group on these
    assert probed == lab_status(lab.workdir, probe_snmp=False)


def test_status_rows_follow_namespaces_daemons_faults_and_edge_ports(
    lab: LabState, network: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(status, "vtysh", converged_replay())
    devices = [CORE1, CORE2, AGG, ACC, "kf-fw-1", "kf-fw-2"]
    fault = FaultRecord("kill", CORE1, "bgpd")
    lab.update(topology=build_topology(network, devices).to_dict(), edge_ports={"kf-fw-2": 22010},
               provisioned=False, phase="booting", boot_seconds=7.5, faults=[fault],
               processes=[ProcessRecord(AGG, "bgpd", os.getpid()), ProcessRecord(CORE1, "zebra", dead_pid())])
    (tmp_path / "netns" / f"gn-{AGG}").write_text("", encoding="utf-8")
    got = lab_status(lab.workdir.parent / lab.workdir.name / ".." / "lab")
    assert (got.workdir, got.phase, got.provisioned, got.boot_seconds, got.faults) == (
        str(lab.workdir), "booting", False, 7.5, (fault,))
    rows = {d.name: d for d in got.devices}
    assert list(rows) == [CORE1, CORE2, AGG, "kf-fw-1", "kf-fw-2", ACC]
    assert [d.netns_up for d in got.devices] == [False, False, True, False, False, False]
    assert rows[AGG].netns == f"gn-{AGG}" and rows[AGG].role == "aggregation" and rows[ACC].role == "access"
    assert rows[AGG].daemons == {"zebra": False, "staticd": False, "ospfd": False, "bgpd": True,
                                 "ldpd": False, "snmpd": False}
    assert not any(rows[CORE1].daemons.values())
    assert [d.mgmt_ip for d in got.devices] == ["10.240.0.9", "10.240.0.10", "10.240.0.65", "10.240.0.18",
                                                "10.240.0.19", "10.240.0.129"]
    assert [d.ssh_port for d in got.devices] == [22001, 22002, 22003, None, 22010, 22006]
    assert [d.routing for d in got.devices] == [RoutingSummary(2, 2, 2)] * 3 + [None, None, RoutingSummary()]
    assert not any(d.snmp for d in got.devices)
    pairs = got.ha_pairs
    assert [(p.segment, p.vrid, p.virtual_ip) for p in pairs] == [
        ("kf-fw-inside", 1, "10.8.15.1"), ("kf-fw-outside", 2, "10.8.15.17"), ("kf-fw-dmz", 3, "10.8.15.33")]
    assert pairs[0] == HaPairStatus("kf-fw-inside", 1, "10.8.15.1", "kf-fw-1",
                                    {"kf-fw-1": "unknown", "kf-fw-2": "unknown"}, None, "down")
    assert lab_status(lab.workdir, probe_snmp=False).ha_pairs == ()


def test_status_and_monitor_refuse_a_workdir_without_a_lab(lab: LabState, tmp_path: Path) -> None:
    for call in (lab_status, monitor_options):
        with pytest.raises(LabStateError) as err:
            call(tmp_path / "x" / ".." / "none")
        assert str(err.value) == f"no lab in {tmp_path / 'none'}; start one with `govnet lab up`"
    assert monitor_options(lab.workdir) == {"devices": [CORE1, CORE2, AGG, ACC],
                                            "secrets_file": lab.workdir / "secrets.env"}


def test_the_status_table_aligns_every_column_and_marks_what_is_down() -> None:
    core1 = DeviceStatus("kf-core-1", "core", "gn-kf-core-1", True, "10.240.0.9", 22001,
                         {"zebra": True, "ospfd": True, "bgpd": False}, True, RoutingSummary(3, 1, 2))
    fw1 = DeviceStatus("kf-fw-1", "firewall", "gn-kf-fw-1", False, None, None,
                       {"snmpd": False, "keepalived": True}, False, None)
    acc = DeviceStatus(ACC, "access", f"gn-{ACC}", True, "10.240.0.129", 22006,
                       {"zebra": True, "staticd": True}, True, RoutingSummary())
    core2 = DeviceStatus(CORE2, "core", f"gn-{CORE2}", True, "10.240.0.10", 22002,
                         {"zebra": True, "ospfd": True, "bgpd": True}, True, None)  # vtysh did not answer
    unknown = {"kf-fw-1": "unknown", "kf-fw-2": "unknown"}
    pair = HaPairStatus("kf-fw-inside", 1, "10.8.15.1", "kf-fw-1", unknown, None, "down")
    faults = (FaultRecord("kill", CORE1, "bgpd"), FaultRecord("link-down", CORE1, AGG, "x"))
    lab = LabStatus("/w", "up", False, 4.2, faults, (core1, fw1, acc, core2), (pair,))
    assert format_status(lab).split("\n") == [
        "lab in /w: up (base config, booted in 4.2s)",
        "device                       mgmt ip           ssh snmp ospf   bgp  daemons",
        "kf-core-1                    10.240.0.9      22001 ok      3   1/2  zebra ospfd bgpd(down)",
        "kf-fw-1                      -                   - no      -     -  snmpd(down) keepalived",
        "kf-acc-dongfenglu-c01        10.240.0.129    22006 ok      -     -  zebra staticd",
        "kf-core-2                    10.240.0.10     22002 ok      -     -  zebra ospfd bgpd",
        "ha kf-fw-inside vrid 1 10.8.15.1: master - (down) kf-fw-1=unknown kf-fw-2=unknown",
        "fault: kill kf-core-1 bgpd",
        f"fault: link-down kf-core-1 {AGG} x",
    ]
    provisioned = format_status(replace(lab, provisioned=True, faults=(), ha_pairs=()))
    assert provisioned.split("\n")[0] == "lab in /w: up (provisioned, booted in 4.2s)"
    assert provisioned.split("\n")[-1].startswith("kf-core-2 ")


@pytest.fixture
def agent_on_loopback(lab: LabState) -> Iterator[str]:
    """A real snmpd answering the twin's SNMPv3 user on 127.0.0.2:161 (the port lab status asks;
    binding it needs root: without root this skips, in CI it fails, as in test_backup_faults)."""
    if os.geteuid() != 0:
        (pytest.fail if os.environ.get("CI") else pytest.skip)("udp/161 needs root")
    creds = ensure_credentials(lab.workdir)
    folder = lab.workdir / "snmpd"
    folder.mkdir(exist_ok=True)
    pid = start_snmpd(folder, [
        "agentAddress udp:127.0.0.2:161",
        f'createUser {creds.snmp_user} SHA "{creds.snmp_auth_key}" AES "{creds.snmp_priv_key}"',
        f"rouser {creds.snmp_user} priv",
        "sysName kf-core-1",
    ])
    try:
        yield "127.0.0.2"
    finally:
        stop_pid(pid)


def test_snmp_is_ok_only_where_the_agent_answers_the_twins_credentials(
    lab: LabState, agent_on_loopback: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(status, "vtysh", converged_replay())
    topo = lab.topology
    for node in topo["nodes"]:  # only kf-core-1 has a management address (the agent's): no other traffic
        node["mgmt_ip"] = f"{agent_on_loopback}/8" if node["name"] == CORE1 else None
    lab.update(topology=topo)
    rows = lab_status(lab.workdir).devices
    assert [(d.name, d.snmp, d.mgmt_ip) for d in rows] == [
        (CORE1, True, agent_on_loopback), (CORE2, False, None), (AGG, False, None), (ACC, False, None)]
    assert not any(d.snmp for d in lab_status(lab.workdir, probe_snmp=False).devices)
