"""The lab twin with real daemons: routing converges, SNMPv3 and SSH answer, faults are real.

Boots a small twin once (see conftest.py) and always tears it down, also when a test fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from netmiko import ConnectHandler

from govnet.lab import faults
from govnet.lab.down import lab_down
from govnet.lab.netns import list_netns, root_links
from govnet.lab.status import converged, daemon_status, lab_status, snmp_get, snmp_walk
from govnet.lab.up import lab_up

from .lab_helpers import (
    AGGREGATION,
    CORES,
    INVENTORY,
    SMALL_TWIN,
    Lab,
    lab_processes,
    vtysh_json,
    wait_for,
)

pytestmark = pytest.mark.integration

SYS_NAME = ".1.3.6.1.2.1.1.5.0"
BGP_PEER_STATE = ".1.3.6.1.2.1.15.3.1.2"
OSPF_NBR_STATE = ".1.3.6.1.2.1.14.10.1.6"
IF_NAME = ".1.3.6.1.2.1.31.1.1.1.1"
IF_OPER_STATUS = ".1.3.6.1.2.1.2.2.1.8"
CONVERGENCE_S = 90
QUIET = {"echo": lambda _m: None}


def _loopback(lab: Lab, device: str) -> str:
    node = lab.topology.node(device)
    assert node.loopback is not None
    return str(node.loopback.ip)


def _ospf_full(device: str, peers: list[str], lab: Lab) -> bool:
    neighbors = vtysh_json(device, "show ip ospf neighbor json").get("neighbors", {})
    assert isinstance(neighbors, dict)
    for peer in peers:
        entries = neighbors.get(_loopback(lab, peer), [])
        if not any(str(e.get("nbrState", "")).startswith("Full") for e in entries):
            return False
    return True


def _bgp_established(device: str, peers: list[str], lab: Lab) -> bool:
    summary = vtysh_json(device, "show bgp summary json")
    for afi in ("ipv4Unicast", "ipv4Vpn"):
        table = summary.get(afi, {})
        assert isinstance(table, dict)
        states = {ip: p.get("state") for ip, p in table.get("peers", {}).items()}
        if any(states.get(_loopback(lab, peer)) != "Established" for peer in peers):
            return False
    return True


def _mgmt(lab: Lab, device: str) -> str:
    node = lab.topology.node(device)
    assert node.mgmt_ip is not None
    return str(node.mgmt_ip.ip)


def test_ospf_full_between_every_core_and_aggregation_node(lab: Lab) -> None:
    for core in CORES:
        peers = [c for c in CORES if c != core] + AGGREGATION
        assert wait_for(lambda c=core, p=peers: _ospf_full(c, p, lab), CONVERGENCE_S), (
            f"{core}: OSPF not Full with {peers}: {vtysh_json(core, 'show ip ospf neighbor json')}")
    for agg in AGGREGATION:
        assert wait_for(lambda a=agg: _ospf_full(a, CORES, lab), CONVERGENCE_S), agg


def test_bgp_established_between_every_core_and_aggregation_node(lab: Lab) -> None:
    for agg in AGGREGATION:
        assert wait_for(lambda a=agg: _bgp_established(a, CORES, lab), CONVERGENCE_S), (
            f"{agg}: {vtysh_json(agg, 'show bgp summary json')}")
    for core in CORES:
        peers = [c for c in CORES if c != core] + AGGREGATION
        assert wait_for(lambda c=core, p=peers: _bgp_established(c, p, lab), CONVERGENCE_S), core


def test_snmpv3_answers_sysname_on_every_device(lab: Lab) -> None:
    for node in lab.topology.nodes:
        if node.stub:
            continue
        values = snmp_get(lab.creds, _mgmt(lab, node.name), SYS_NAME)
        assert values == {SYS_NAME: node.name}


def test_snmpv3_serves_bgp_and_ospf_mibs_from_frr(lab: Lab) -> None:
    test_bgp_established_between_every_core_and_aggregation_node(lab)
    for device in CORES + AGGREGATION:
        peers = [p for p in CORES + AGGREGATION if p != device and (device in CORES or p in CORES)]
        expected = {f"{BGP_PEER_STATE}.{_loopback(lab, p)}" for p in peers}

        def established(d: str = device, want: set[str] = expected) -> bool:
            states = snmp_walk(lab.creds, _mgmt(lab, d), BGP_PEER_STATE)
            return all(states.get(oid) == "6" for oid in want)  # established(6)

        assert wait_for(established, 40), (device, snmp_walk(lab.creds, _mgmt(lab, device), BGP_PEER_STATE))
        ospf = snmp_walk(lab.creds, _mgmt(lab, device), OSPF_NBR_STATE)
        assert ospf and all(v == "8" for v in ospf.values()), ospf  # full(8)


def test_snmp_refuses_v2c_communities(lab: Lab) -> None:
    from govnet.lab.procs import run

    proc = run(["snmpget", "-m", "", "-v2c", "-c", "public", "-t", "1", "-r", "0",
                _mgmt(lab, "kf-core-1"), SYS_NAME], check=False)
    assert proc.returncode != 0


def test_netmiko_over_ssh_reaches_vtysh_on_every_router(lab: Lab) -> None:
    for node in lab.topology.nodes:
        if node.ssh_port is None:
            continue
        conn = ConnectHandler(
            device_type="cisco_ios", host="127.0.0.1", port=node.ssh_port,
            username=lab.creds.ssh_user, password=lab.creds.ssh_password, fast_cli=False,
        )
        try:
            assert conn.find_prompt() == f"{node.name}#"
            assert "FRRouting" in conn.send_command("show version")
            if node.name == "kf-acc-dongfenglu-c01":
                conn.send_config_set(["interface lo", "description pushed over ssh"])
                assert "description pushed over ssh" in conn.send_command("show running-config")
        finally:
            conn.disconnect()


def test_nornir_inventory_plugin_drives_the_twin(lab: Lab) -> None:
    """The same inventory, pointed at the twin: Nornir + netmiko over real SSH into vtysh."""
    from nornir import InitNornir
    from nornir_netmiko.tasks import netmiko_send_command

    from govnet.lab.state import nornir_options

    nr = InitNornir(
        runner={"plugin": "threaded", "options": {"num_workers": 5}},
        inventory={
            "plugin": "GovnetInventory",
            "options": {"inventory_dir": str(INVENTORY), **nornir_options(lab.workdir)},
        },
        logging={"enabled": False},
    )
    routers = {n.name for n in lab.topology.nodes if n.ssh_port is not None}
    assert set(nr.inventory.hosts) == routers
    result = nr.filter(role="core").run(task=netmiko_send_command, command_string="show ip ospf neighbor")
    assert not result.failed, result.failed_hosts
    for host in ("kf-core-1", "kf-core-2"):
        text = result[host][0].result
        assert text.count("Full") >= 3, text  # the other core and both aggregation nodes


def _oper_status(lab: Lab, device: str, ifname: str) -> str | None:
    names = snmp_walk(lab.creds, _mgmt(lab, device), IF_NAME)
    index = next((oid.rsplit(".", 1)[1] for oid, name in names.items() if name == ifname), None)
    assert index is not None, f"{device} has no ifName {ifname}: {names}"
    return snmp_get(lab.creds, _mgmt(lab, device), f"{IF_OPER_STATUS}.{index}").get(
        f"{IF_OPER_STATUS}.{index}")


def test_link_down_fault_turns_ifoperstatus_down_and_heal_restores_it(lab: Lab) -> None:
    link = lab.topology.links_between("kf-core-1", "kf-agg-dongfenglu")[0]
    ifname = link.a_ifname if link.a == "kf-core-1" else link.b_ifname
    assert _oper_status(lab, "kf-core-1", ifname) == "1"
    faults.link_down(lab.workdir, "kf-core-1", "kf-agg-dongfenglu", **QUIET)
    try:
        assert wait_for(lambda: _oper_status(lab, "kf-core-1", ifname) == "2", 30)  # down(2)
    finally:
        faults.heal(lab.workdir, **QUIET)
    assert wait_for(lambda: _oper_status(lab, "kf-core-1", ifname) == "1", 30)  # up(1)
    assert wait_for(lambda: _ospf_full("kf-core-1", ["kf-agg-dongfenglu"], lab), CONVERGENCE_S)


def test_killed_daemon_and_loss_are_healed(lab: Lab) -> None:
    node = lab.topology.node("kf-agg-qingshuitang")
    faults.kill_daemon(lab.workdir, node.name, "bgpd", **QUIET)
    faults.packet_loss(lab.workdir, "kf-core-2", "GigabitEthernet2/0/2", 50, **QUIET)
    state = lab_status(lab.workdir, probe_snmp=False)
    dev = next(d for d in state["devices"] if d["name"] == node.name)
    assert dev["daemons"]["bgpd"] is False and len(state["faults"]) == 2
    faults.heal(lab.workdir, **QUIET)
    from govnet.lab.state import load_state

    healed = load_state(lab.workdir)
    assert healed is not None and healed.faults == []
    assert daemon_status(healed, node)["bgpd"] is True
    assert wait_for(lambda: _bgp_established(node.name, CORES, lab), CONVERGENCE_S)


def test_status_json_shape(lab: Lab) -> None:
    status = lab_status(lab.workdir)
    names = [d["name"] for d in status["devices"]]
    assert names == SMALL_TWIN
    for dev in status["devices"]:
        assert {"name", "netns", "mgmt_ip", "ssh_port", "daemons", "snmp", "routing"} <= dev.keys()
        assert dev["snmp"] is True and all(dev["daemons"].values())
    assert converged(status)
    routing = {d["name"]: d["routing"] for d in status["devices"]}
    for core in CORES:  # the other core and both aggregation nodes
        assert routing[core] == {"ospf_full": 3, "bgp_established": 3, "bgp_peers": 3}
    for agg in AGGREGATION:
        assert routing[agg] == {"ospf_full": 2, "bgp_established": 2, "bgp_peers": 2}


def test_secrets_stay_in_their_two_files(lab: Lab) -> None:
    """Plaintext secrets live only in secrets.env and the agents' own config, both 0600."""
    secrets = [lab.creds.ssh_password, lab.creds.snmp_auth_key, lab.creds.snmp_priv_key]
    roots = [lab.workdir, Path("/etc/frr"), Path("/var/run/frr")]
    holders = {
        path
        for root in roots
        for path in root.rglob("*")
        if path.is_file() and any(s in path.read_text(errors="replace") for s in secrets)
    }
    assert lab.workdir / "secrets.env" in holders
    for path in holders:
        assert path.name in ("secrets.env", "snmpd.conf") and path.parent.name != "persist", path
        assert path.stat().st_mode & 0o077 == 0, path
    status = json.dumps(lab_status(lab.workdir))
    assert not any(s in status for s in secrets)


def test_up_twice_is_harmless(lab: Lab) -> None:
    messages: list[str] = []
    lab_up(INVENTORY, lab.workdir, provisioned=True, devices=SMALL_TWIN, echo=messages.append)
    assert any("already up" in m for m in messages)


def test_down_leaves_nothing_behind(lab: Lab) -> None:
    """Last on purpose: tears the module's twin down and checks (the fixture's down is a no-op then)."""
    netns_names = set(lab.state.netns)
    host_links = set(lab.state.root_links)
    assert netns_names and host_links and lab_processes(lab.workdir)
    assert lab_down(lab.workdir, **QUIET)
    assert not netns_names & list_netns()
    assert not host_links & root_links()
    assert not [n for n in list_netns() if n.startswith("gn-")]
    assert not lab_processes(lab.workdir)
    assert not any(Path(d).exists() for d in lab.state.dirs)
    assert not (lab.workdir / "state.json").exists()
    assert (lab.workdir / "secrets.env").exists()  # credentials survive down/up

