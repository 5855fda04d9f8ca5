"""The lab twin with real daemons: routing converges, SNMPv3 and SSH answer, faults are real.

Boots a small twin once (see conftest.py) and always tears it down, also when a test fails.
"""

from __future__ import annotations

import json
import re
import subprocess
from functools import partial
from pathlib import Path

import pytest
from netmiko import ConnectHandler

from govnet.inventory import load_network
from govnet.lab import faults
from govnet.lab.configs import render_lab_config
from govnet.lab.down import lab_down
from govnet.lab.firewall import FAULT_TABLE
from govnet.lab.netns import list_netns, root_links
from govnet.lab.status import converged, daemon_status, lab_status, snmp_get, snmp_walk
from govnet.lab.up import lab_up

from .lab_helpers import (
    AGGREGATION,
    CORES,
    INVENTORY,
    SMALL_TWIN,
    Lab,
    in_netns,
    lab_namespaces,
    lab_processes,
    namespace_processes,
    ping_loss,
    vtysh_json,
    wait_for,
)

pytestmark = pytest.mark.integration

SYS_NAME = ".1.3.6.1.2.1.1.5.0"
BGP_PEER_STATE = ".1.3.6.1.2.1.15.3.1.2"
OSPF_NBR_STATE = ".1.3.6.1.2.1.14.10.1.6"
IF_NAME = ".1.3.6.1.2.1.31.1.1.1.1"
IF_OPER_STATUS = ".1.3.6.1.2.1.2.2.1.8"
SNMP_IN_BAD_COMMUNITY_NAMES = ".1.3.6.1.2.1.11.4.0"  # SNMPv2-MIB: v1/v2c requests with an unknown community
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
        assert wait_for(partial(_ospf_full, core, peers, lab), CONVERGENCE_S), (
            f"{core}: OSPF not Full with {peers}: {vtysh_json(core, 'show ip ospf neighbor json')}")
    for agg in AGGREGATION:
        assert wait_for(partial(_ospf_full, agg, CORES, lab), CONVERGENCE_S), agg


def test_bgp_established_between_every_core_and_aggregation_node(lab: Lab) -> None:
    for agg in AGGREGATION:
        assert wait_for(partial(_bgp_established, agg, CORES, lab), CONVERGENCE_S), (
            f"{agg}: {vtysh_json(agg, 'show bgp summary json')}")
    for core in CORES:
        peers = [c for c in CORES if c != core] + AGGREGATION
        assert wait_for(partial(_bgp_established, core, peers, lab), CONVERGENCE_S), core


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


def test_snmp_refuses_v2c_while_v3_answers(lab: Lab) -> None:
    """The same agent, in the same test: v3 answers, v2c gets nothing, and the agent counted it."""
    agent = _mgmt(lab, "kf-core-1")
    assert snmp_get(lab.creds, agent, SYS_NAME) == {SYS_NAME: "kf-core-1"}
    before = int(snmp_get(lab.creds, agent, SNMP_IN_BAD_COMMUNITY_NAMES)[SNMP_IN_BAD_COMMUNITY_NAMES])
    for community in ("public", "private", lab.creds.snmp_user):
        argv = ["snmpget", "-m", "", "-v2c", "-c", community, "-t", "1", "-r", "0", agent, SYS_NAME]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
        assert proc.returncode != 0 and "kf-core-1" not in proc.stdout, (community, proc.stdout)
        assert "Timeout" in proc.stderr, proc.stderr
    after = int(snmp_get(lab.creds, agent, SNMP_IN_BAD_COMMUNITY_NAMES)[SNMP_IN_BAD_COMMUNITY_NAMES])
    assert after - before == 3, "the agent never saw the v2c requests: it was down, not refusing"
    assert snmp_get(lab.creds, agent, SYS_NAME) == {SYS_NAME: "kf-core-1"}


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
    assert set(nr.inventory.hosts) == routers | set(lab.state.edge_ports)  # and the firewall pair
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
    dev = next(d for d in state.devices if d.name == node.name)
    assert dev.daemons["bgpd"] is False and len(state.faults) == 2
    faults.heal(lab.workdir, **QUIET)
    from govnet.lab.state import load_state

    healed = load_state(lab.workdir)
    assert healed is not None and healed.faults == []
    assert daemon_status(healed, node)["bgpd"] is True
    assert wait_for(lambda: _bgp_established(node.name, CORES, lab), CONVERGENCE_S)


def test_status_json_shape(lab: Lab) -> None:
    status = lab_status(lab.workdir)
    doc = json.loads(status.to_json())
    names = [d["name"] for d in doc["devices"]]
    assert names == SMALL_TWIN
    for dev in doc["devices"]:
        assert {"name", "netns", "mgmt_ip", "ssh_port", "daemons", "snmp", "routing"} <= dev.keys()
        assert dev["snmp"] is True and all(dev["daemons"].values())
    assert converged(status)
    routing = {d["name"]: d["routing"] for d in doc["devices"]}
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
    status = lab_status(lab.workdir).to_json()
    assert not any(s in status for s in secrets)


def test_up_twice_leaves_one_set_of_namespaces_and_processes(lab: Lab) -> None:
    namespaces = lab_namespaces()
    processes = namespace_processes()
    ours = set(lab_processes(lab.workdir))
    assert {lab.topology.node(d).netns for d in SMALL_TWIN} <= namespaces and ours
    messages: list[str] = []
    lab_up(INVENTORY, lab.workdir, provisioned=True, devices=SMALL_TWIN, echo=messages.append)
    assert any("already up" in m for m in messages)
    assert lab_namespaces() == namespaces
    assert namespace_processes() == processes, "a second up started or stopped processes"
    assert set(lab_processes(lab.workdir)) == ours


def _p2p_address(device: str, peer: str) -> str:
    """The address of ``device`` on its point-to-point link to ``peer`` (from the inventory)."""
    network = load_network(INVENTORY)
    link = next(lk for lk in network.links if {lk.a, lk.b} == {device, peer})
    return str((link.a_ip if link.a == device else link.b_ip).ip)


def _nft_tables(netns: str) -> str:
    proc = in_netns(netns, ["nft", "list", "tables"])
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_packet_loss_is_measured_by_ping_and_gone_after_heal(lab: Lab) -> None:
    """50 % loss each way on core-2's port to qingshuitang: ~75 % of pings lost, none after heal."""
    core = lab.topology.node("kf-core-2")
    target = _p2p_address("kf-agg-qingshuitang", "kf-core-2")
    assert ping_loss(core.netns, target, 20) == 0.0
    faults.packet_loss(lab.workdir, "kf-core-2", "GigabitEthernet2/0/2", 50, **QUIET)
    try:
        assert FAULT_TABLE in _nft_tables(core.netns)
        loss = ping_loss(core.netns, target, 200)
        assert 0.4 <= loss < 1.0, f"measured {loss:.0%} loss through a 50 % fault each way"
    finally:
        faults.heal(lab.workdir, **QUIET)
    assert FAULT_TABLE not in _nft_tables(core.netns)
    assert ping_loss(core.netns, target, 50) == 0.0


COUNTERS = re.compile(r"counter packets \d+ bytes \d+")


def test_firewall_runs_the_ruleset_rendered_from_its_template(lab: Lab) -> None:
    """`nft list` in the firewall's namespace equals the template's text loaded in a scratch one.

    The twin renders from the inventory restricted to its own devices (as `lab up` does), so a
    segment whose other members are absent (the IPS, load balancer, VPN gateway) lands in untrust.
    """
    fw = lab.topology.node("kf-fw-1")
    ruleset = render_lab_config(load_network(INVENTORY).subset(lab.topology.devices), "kf-fw-1")
    assert "table inet govnet_fw" in ruleset and "policy drop" in ruleset
    loaded = in_netns(fw.netns, ["nft", "list", "table", "inet", "govnet_fw"])
    assert loaded.returncode == 0, f"no govnet_fw table in {fw.netns}: {loaded.stderr}"
    scratch = subprocess.run(["unshare", "--net", "sh", "-c", "nft -f - && nft list table inet govnet_fw"],
                             input=ruleset, capture_output=True, text=True, timeout=60, check=False)
    assert scratch.returncode == 0, scratch.stderr
    assert COUNTERS.sub("counter", loaded.stdout) == COUNTERS.sub("counter", scratch.stdout)
    assert "policy drop" in loaded.stdout and '"ge1-0-7"' in loaded.stdout  # the sync port


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

