"""The poller against replays of real Huawei and H3C recordings (LibreNMS snmpsim recordings,
sliced in tests/fixtures/snmprec/, served over SNMPv3 authPriv by a real net-snmp snmpd).

Interfaces are planned as an inventory would name them and found as the devices name them
(S5735 ``GE1/0/5``, CE12804 ``40GE1/1/0/0``, Comware ``Ten-GigabitEthernet9/0/10``); a planned
port the device does not have is ``not_found`` (its link unknown, never down); hardware rows
carry the entity names; a hot-standby pair whose HA tables answer nothing is unknown.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from snmprec_agent import FIXTURES, ReplayAgent, free_port

from govnet.credentials import Credentials
from govnet.inventory import load_network
from govnet.model import Network
from govnet.monitor.exporter import exposition, make_registry
from govnet.monitor.hardware import ENT_PHYSICAL_CLASS
from govnet.monitor.health import judge
from govnet.monitor.plan import DevicePlan, LinkEnd, Plan
from govnet.monitor.poller import Poller
from govnet.monitor.report import cycle_data
from govnet.monitor.service import MonitorOptions, parse_target, run_monitor
from govnet.monitor.snapshot import Snapshot
from govnet.monitor.snmp import PysnmpClient, SnmpTarget
from govnet.monitor.transport import SnmpClient
from govnet.platforms import get_platform

ROOT = Path(__file__).resolve().parents[2]
CREDS = Credentials(snmp_user="rec-noc", snmp_auth_key="rec-auth-key-1", snmp_priv_key="rec-priv-key-1")
USER = (CREDS.snmp_user or "", CREDS.snmp_auth_key or "", CREDS.snmp_priv_key or "")
RECORDINGS = ("yunshan_s5735-v2", "vrp_ce12804-withvrf", "comware", "vrp_5720-vrf", "comware_hpe5900")
UPLINK_1 = "kf-core-1--kf-agg-dongfenglu"
UPLINK_2 = "kf-core-2--kf-agg-dongfenglu"


@pytest.fixture(scope="module")
def agents(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    running: list[ReplayAgent] = []
    try:
        for name in RECORDINGS:
            agent = ReplayAgent(
                FIXTURES / f"{name}.snmprec", free_port(), tmp_path_factory.mktemp(name), USER
            )
            agent.start()
            running.append(agent)
        yield {a.recording.stem: a.port for a in running}
    finally:
        for agent in running:
            agent.stop()


@pytest.fixture(scope="module")
def network() -> Network:
    return load_network(ROOT / "inventory")


def _device(
    name: str, platform: str, port: int, links: tuple[LinkEnd, ...], role: str = "core"
) -> DevicePlan:
    p = get_platform(platform)
    return DevicePlan(
        name=name,
        role=role,
        platform=platform,
        host="127.0.0.1",
        port=port,
        links=links,
        vendor_oids=dict(p.vendor_oids),
        ha_tables=p.ha_tables,
        ha_expected=name.startswith("kf-fw-"),
        hardware=p.hardware,
    )


def _plan(network: Network, ports: dict[str, int]) -> Plan:
    """kf-core-1 is the CE12804, kf-core-2 the Comware 10508, kf-agg-dongfenglu the S5735, the
    firewall pair the S5720 stack and the 5900 (no VRRP or VGMP rows in either recording)."""
    agg = "kf-agg-dongfenglu"
    devices = (
        _device(
            "kf-core-1",
            "huawei_vrpv8",
            ports["vrp_ce12804-withvrf"],
            (LinkEnd("kf-core-1", "40GE1/1/0/0", "40GE1/1/0/0", agg, UPLINK_1),),
        ),
        _device(
            "kf-core-2",
            "h3c_comware",
            ports["comware"],
            (LinkEnd("kf-core-2", "XGE9/0/10", "XGE9/0/10", agg, UPLINK_2),),
        ),
        _device(
            agg,
            "huawei_vrp",
            ports["yunshan_s5735-v2"],
            (
                LinkEnd(agg, "GigabitEthernet1/0/5", "GigabitEthernet1/0/5", "kf-core-1", UPLINK_1),
                LinkEnd(agg, "GigabitEthernet1/0/48", "GigabitEthernet1/0/48", "kf-core-2", UPLINK_2),
            ),
            role="aggregation",
        ),
        _device("kf-fw-1", "huawei_vrp", ports["vrp_5720-vrf"], (), role="firewall"),
        _device("kf-fw-2", "h3c_comware", ports["comware_hpe5900"], (), role="firewall"),
    )
    return Plan(network=network.subset([d.name for d in devices]), devices=devices)


async def _cycles(plan: Plan, count: int = 2) -> tuple[Snapshot, list[str], int]:
    client = SnmpClient(CREDS, timeout=2.0, retries=1)
    log: list[str] = []
    poller = Poller(plan, client, log=log.append)
    requested: list[int] = []
    real_get = client.get

    async def counting_get(target: str, oids: list[tuple[int, ...]]) -> list[tuple[tuple[int, ...], object]]:
        if target == "kf-fw-1":
            requested.append(len(oids))
        return await real_get(target, oids)  # type: ignore[return-value]

    client.get = counting_get  # type: ignore[assignment,method-assign]
    try:
        for _ in range(count):
            snap = await poller.cycle()
        await poller.discover(plan.device("kf-agg-dongfenglu"))  # a rediscovery does not log it again
    finally:
        client.close()
    return snap, log, requested[-1]


@pytest.fixture(scope="module")
def cycle(agents: dict[str, int], network: Network) -> tuple[Plan, Snapshot, list[str], int]:
    plan = _plan(network, agents)
    snap, log, last_request = asyncio.run(_cycles(plan))
    return plan, snap, log, last_request


def test_interfaces_are_found_as_the_devices_name_them(cycle: tuple[Plan, Snapshot, list[str], int]) -> None:
    _, snap, _log, _n = cycle
    assert all(d.up for d in snap.devices.values()), {n: d.error for n, d in snap.devices.items()}
    core1 = snap.devices["kf-core-1"].interfaces["40GE1/1/0/0"]
    assert (core1.name, core1.ifindex, core1.up) == ("40GE1/1/0/0", 67, True)
    core2 = snap.devices["kf-core-2"].interfaces["XGE9/0/10"]
    assert (core2.name, core2.ifindex, core2.alias, core2.up) == (
        "Ten-GigabitEthernet9/0/10",
        13,
        "to MS-5406-A23",
        True,
    )
    agg = snap.devices["kf-agg-dongfenglu"]
    assert (agg.interfaces["GigabitEthernet1/0/5"].name, agg.interfaces["GigabitEthernet1/0/5"].ifindex) == (
        "GE1/0/5",
        7,
    )
    assert agg.interfaces["GigabitEthernet1/0/5"].high_speed == 1000


def test_a_port_the_device_lacks_is_not_found_logged_once_and_its_link_unknown(
    cycle: tuple[Plan, Snapshot, list[str], int],
) -> None:
    plan, snap, log, _n = cycle
    agg = snap.devices["kf-agg-dongfenglu"]
    assert "GigabitEthernet1/0/48" not in agg.interfaces
    why = agg.not_found["GigabitEthernet1/0/48"]
    assert why.startswith("not found in ifName/ifDescr (the agent reports 35 names: 10GE1/0/1, 10GE1/0/2")
    assert log == [f"kf-agg-dongfenglu: interface GigabitEthernet1/0/48 (link {UPLINK_2}) {why}"]  # once
    health = next(h for h in judge(plan, snap) if h.group.name == "kf-uplinks-dongfenglu")
    # the core-2 end is found and up: the link is judged by it, as when the other end's poll fails
    assert health.members == {UPLINK_1: "healthy", UPLINK_2: "healthy"}
    text = exposition(make_registry(plan, lambda: snap)).decode()
    assert (
        f'govnet_interface_found{{device="kf-agg-dongfenglu",interface="GigabitEthernet1/0/48",'
        f'peer="kf-core-2",link="{UPLINK_2}"}} 0' in text
    )
    assert 'govnet_interface_found{device="kf-core-2",interface="XGE9/0/10"' in text
    oper = [ln for ln in text.splitlines() if ln.startswith("govnet_interface_oper_up{")]
    assert len(oper) == 3 and all(ln.endswith(" 1") for ln in oper)
    data = cycle_data(plan, snap, judge(plan, snap))
    agg_data = next(d for d in data["devices"] if d["device"] == "kf-agg-dongfenglu")
    assert [(i["interface"], i["state"], i["agent_name"]) for i in agg_data["interfaces"]] == [
        ("GigabitEthernet1/0/5", "up", "GE1/0/5"),
        ("GigabitEthernet1/0/48", "not_found", None),
    ]


def test_hardware_rows_are_the_boards_fans_and_power_named_by_entity(
    cycle: tuple[Plan, Snapshot, list[str], int],
) -> None:
    _, snap, _log, last_request = cycle
    stack = {(h.kind, h.entity): h.value for h in snap.devices["kf-fw-1"].hardware}
    assert {e: v for (k, e), v in stack.items() if k == "cpu"} == {
        "MPU Board 0": 18,
        "MPU Board 1": 28,
        "MPU Board 2": 53,
    }
    assert {e: v for (k, e), v in stack.items() if k == "temperature"} == {
        "MPU Board 0": 44,
        "MPU Board 1": 44,
        "MPU Board 2": 43,
    }
    assert {e: v for (k, e), v in stack.items() if k == "stack_role"} == {"member 1": 1, "member 2": 2}
    assert sum(1 for k, _ in stack if k == "entity") == 13  # boards, fan and power cards of 234 entities
    standby = {e: v for (k, e), v in stack.items() if k == "standby"}
    # providingService(4), hotStandby(2); the other boards report notSupported(1): no row
    assert standby == {"MPU Board 0": 4, "MPU Board 1": 2, "MPU Board 2": 4}
    # a cycle asks sysUpTime, 9 board readings, 13 board states, 3 standby roles and 2 stack
    # roles: one PDU (the full entity columns have 234 rows each)
    assert last_request == 1 + 9 + 13 + 3 + 2
    h3c = {(h.kind, h.entity): (h.value, h.ok) for h in snap.devices["kf-fw-2"].hardware}
    assert h3c[("cpu", "Board")] == (5, True) and h3c[("memory", "Board")] == (32, True)
    assert h3c[("temperature", "Board")] == (42, True)
    # the S5735's fans and power supplies, named by their descriptions
    s5735 = {
        (h.kind, h.entity) for h in snap.devices["kf-agg-dongfenglu"].hardware if h.kind in ("fan", "power")
    }
    assert {("fan", "slot1,FAN1"), ("fan", "slot1,FAN2")} <= s5735


def test_hardware_series_are_exported_with_entity_labels(
    cycle: tuple[Plan, Snapshot, list[str], int],
) -> None:
    plan, snap, _log, _n = cycle
    text = exposition(make_registry(plan, lambda: snap)).decode()
    families = {f.name: f for f in text_string_to_metric_families(text)}
    cpu = {
        (s.labels["device"], s.labels["entity"]): s.value
        for s in families["govnet_hardware_cpu_ratio"].samples
    }
    assert cpu[("kf-fw-1", "MPU Board 2")] == pytest.approx(0.53)
    fans = [s for s in families["govnet_hardware_ok"].samples if s.labels["kind"] == "fan"]
    assert fans and all(s.value == 1 for s in fans)
    assert {s.labels["entity"] for s in fans if s.labels["device"] == "kf-agg-dongfenglu"} >= {"slot1,FAN1"}
    members = {s.labels["entity"]: s.value for s in families["govnet_stack_member_present"].samples}
    assert members == {"member 1": 1, "member 2": 1}


def test_a_pair_whose_ha_tables_answer_nothing_is_unknown_with_the_reason_exported(
    cycle: tuple[Plan, Snapshot, list[str], int],
) -> None:
    plan, snap, _log, _n = cycle
    health = next(h for h in judge(plan, snap) if h.group.name == "kf-firewall-pair")
    assert (health.state, health.ha_checked) == ("unknown", False)
    assert snap.devices["kf-fw-1"].vendor == {} or not any(snap.devices["kf-fw-1"].vendor.values())
    text = exposition(make_registry(plan, lambda: snap)).decode()
    assert 'govnet_redundancy_group_ha_checked{group="kf-firewall-pair"} 0' in text
    assert 'govnet_redundancy_group_state{group="kf-firewall-pair",state="healthy"} 0' in text
    assert 'govnet_redundancy_group_state{group="kf-firewall-pair",state="unknown"} 1' in text
    assert "master and split brain unchecked" in text


def test_both_clients_read_the_recordings_alike(agents: dict[str, int]) -> None:
    """The bytes-level client and pysnmp 7's walk the S5735's entity classes identically."""

    async def walk(kind: type[SnmpClient] | type[PysnmpClient]) -> dict[tuple[int, ...], object]:
        client = kind(CREDS)
        client.add_target(SnmpTarget("t", "127.0.0.1", agents["yunshan_s5735-v2"]))
        try:
            return dict(await client.walk("t", ENT_PHYSICAL_CLASS))
        finally:
            client.close()

    fast, reference = asyncio.run(walk(SnmpClient)), asyncio.run(walk(PysnmpClient))
    assert fast == reference and len(fast) == 45


def test_once_pointed_at_recordings_on_other_ports_prints_json(
    agents: dict[str, int], network: Network
) -> None:
    """``run_monitor(once, hosts=, ports=)`` (what ``--target DEVICE=HOST:PORT`` hands it): the
    inventory's kf-agg-dongfenglu (planned GigabitEthernet0/0/1-2) at the S5735 replay and kf-core-1
    (planned GigabitEthernet2/0/1) at the CE12804 replay, which have no such ports: not_found with
    the names they have, that link unknown (never down); kf-core-2 at the Comware 10508 replay,
    whose GigabitEthernet2/0/1 is recorded up: that link healthy; the S5735's board, fans and
    power read."""
    targets = [
        parse_target(f"kf-agg-dongfenglu=127.0.0.1:{agents['yunshan_s5735-v2']}", network.devices),
        parse_target(f"kf-core-1=127.0.0.1:{agents['vrp_ce12804-withvrf']}", network.devices),
        parse_target(f"kf-core-2=127.0.0.1:{agents['comware']}", network.devices),
    ]
    printed: list[str] = []
    run_monitor(
        network,
        CREDS,
        MonitorOptions(output="json", timeout=2.0, retries=1),
        devices=[d for d, _, _ in targets],
        hosts={d: h for d, h, _ in targets},
        ports={d: p for d, _, p in targets},
        once=True,
        echo=printed.append,
    )
    data = json.loads(printed[0])
    devices = {d["device"]: d for d in data["devices"]}
    agg = devices["kf-agg-dongfenglu"]
    assert agg["up"] and [(i["interface"], i["state"]) for i in agg["interfaces"]] == [
        ("GigabitEthernet0/0/1", "not_found"),
        ("GigabitEthernet0/0/2", "not_found"),
    ]
    assert "the agent reports 35 names: 10GE1/0/1" in agg["interfaces"][0]["reason"]
    assert "MEth0/0/0/0" not in agg["interfaces"][0]["reason"]
    core = devices["kf-core-1"]["interfaces"]
    # the CE numbers its ports 10GE1/4/0/0, 40GE1/1/0/0: none of the VRP5-style plan is there
    assert {i["interface"] for i in core} == {
        "GigabitEthernet2/0/1",
        "XGigabitEthernet1/0/1",
        "XGigabitEthernet1/0/3",
    }
    assert {i["state"] for i in core} == {"not_found"}
    kinds = {(h["kind"], h["entity"]) for h in agg["hardware"]}
    assert {("fan", "slot1,FAN1"), ("fan", "slot1,FAN2")} <= kinds
    assert any(k == "cpu" for k, _ in kinds) and all(h["ok"] for h in agg["hardware"])
    groups = {g["group"]: g for g in data["groups"]}
    uplinks = groups["kf-uplinks-dongfenglu"]
    assert uplinks["state"] == "unknown"
    assert uplinks["members"] == {
        "kf-core-1--kf-agg-dongfenglu": "unknown",
        "kf-core-2--kf-agg-dongfenglu": "healthy",
    }
    assert "kf-agg-dongfenglu GigabitEthernet0/0/1 not found in ifName/ifDescr" in uplinks["reason"]
    assert all(g["state"] != "down" for g in groups.values())


def test_cli_once_json_with_filter_and_target_polls_only_that_device_at_that_address(
    agents: dict[str, int], tmp_path: Path
) -> None:
    """``govnet monitor --once -f json --filter name=kf-core-2 --target kf-core-2=127.0.0.1:PORT``
    through the CLI (credentials from a 0600 secrets file): one device, polled at the replay."""
    from typer.testing import CliRunner

    from govnet.cli import app

    secrets = tmp_path / "snmp.env"
    keys = ("GOVNET_SNMP_USER", "GOVNET_SNMP_AUTH_KEY", "GOVNET_SNMP_PRIV_KEY")
    lines = [f"{key}={value}" for key, value in zip(keys, USER, strict=True)]
    secrets.write_text("\n".join(lines) + "\n", encoding="utf-8")
    secrets.chmod(0o600)
    args = ["--secrets", str(secrets), "monitor", "-i", str(ROOT / "inventory"), "--once", "-f", "json",
            "--filter", "name=kf-core-2", "--target", f"kf-core-2=127.0.0.1:{agents['comware']}",
            "--timeout", "2", "--retries", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["device"] for d in data["devices"]] == ["kf-core-2"] and data["devices"][0]["up"]
    inventory = ["monitor", "-i", str(ROOT / "inventory"), "--once"]
    bad = CliRunner().invoke(app, [*inventory, "--role-timeout", "cores=5"])
    assert bad.exit_code == 2 and "--role-timeout 'cores=5': expected ROLE=SECONDS" in bad.output
    bad = CliRunner().invoke(app, [*inventory, "--target", "kf-nope=1.2.3.4"])
    assert bad.exit_code == 2 and "no device 'kf-nope' in the inventory" in bad.output
