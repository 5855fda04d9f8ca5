"""The monitor's service parts: targets, state-change log lines, backup commit times from a real
git repository, the one-cycle report (text and JSON), and late SNMP answers through a delaying
relay in front of a real snmpd."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from monitor_support import healthy_snapshot
from snmprec_agent import ReplayAgent, free_port, start_snmpd, stop_pid

from govnet.credentials import Credentials
from govnet.inventory import load_network
from govnet.lab.topology import select_devices
from govnet.model import Network
from govnet.monitor import oids
from govnet.monitor.backups import commit_times
from govnet.monitor.changes import ChangeLog
from govnet.monitor.exporter import exposition, make_registry
from govnet.monitor.health import judge
from govnet.monitor.plan import DevicePlan, LinkEnd, Plan, build_plan
from govnet.monitor.poller import Poller
from govnet.monitor.report import format_json
from govnet.monitor.service import TargetError, format_health, parse_target
from govnet.monitor.snapshot import DeviceState, HardwareRow, Snapshot
from govnet.monitor.snmp import SnmpError, SnmpTarget
from govnet.monitor.transport import SnmpClient
from govnet.platforms import get_platform

ROOT = Path(__file__).resolve().parents[2]
CREDS = Credentials(snmp_user="svc-noc", snmp_auth_key="svc-auth-key-1", snmp_priv_key="svc-priv-key-1")


@pytest.fixture(scope="module")
def network() -> Network:
    return load_network(ROOT / "inventory")


@pytest.fixture(scope="module")
def plan(network: Network) -> Plan:
    return build_plan(network, devices=select_devices(network), lab=True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kf-core-1", "expected DEVICE=HOST[:PORT]"),
        ("kf-core-1=127.0.0.1:x", "expected DEVICE=HOST[:PORT]"),
        ("kf-nope=127.0.0.1:1161", "no device 'kf-nope' in the inventory"),
    ],
)
def test_bad_target_is_a_clear_error(text: str, message: str, network: Network) -> None:
    with pytest.raises(TargetError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_target(text, network.devices)


def test_state_changes_are_logged_once_per_change(plan: Plan) -> None:
    log = ChangeLog()
    snap = healthy_snapshot(plan)
    assert log.changes(snap, judge(plan, snap)) == []  # all fine at start: nothing to say
    snap.devices["kf-fw-1"].vendor.clear()  # keepalived gone on kf-fw-1, kf-fw-2 took over
    snap.devices["kf-fw-2"].vendor["vrrpOperState"] = dict.fromkeys(
        snap.devices["kf-fw-2"].vendor["vrrpOperState"], 3
    )
    snap.devices["kf-core-2"] = DeviceState("kf-core-2", up=False, error="timeout")
    lines = log.changes(snap, judge(plan, snap))
    assert "device kf-core-2: up -> unreachable (timeout)" in lines
    fw = next(line for line in lines if line.startswith("group kf-firewall-pair"))
    assert fw.startswith("group kf-firewall-pair: healthy -> degraded (1/2 healthy): kf-fw-1: answers SNMP")
    assert (
        "group kf-core-pair: healthy -> unknown (1/2 healthy): kf-core-2: kf-core-2 does not answer (timeout)"
        in lines
    )
    assert log.changes(snap, judge(plan, snap)) == []  # no change, no line
    healed = healthy_snapshot(plan)
    assert "group kf-firewall-pair: degraded -> healthy (2/2 healthy)" in log.changes(
        healed, judge(plan, healed)
    )


def _git(repo: Path, *args: str, when: int) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": f"@{when} +0000", "GIT_COMMITTER_DATE": f"@{when} +0000"}
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@localhost", *args],
        check=True,
        capture_output=True,
        env=env,
    )


def test_backup_times_are_each_devices_newest_commit(tmp_path: Path, plan: Plan) -> None:
    repo = tmp_path / "backups"
    repo.mkdir()
    _git(repo, "init", "-q", when=0)
    (repo / "kf-core-1.cfg").write_text("sysname kf-core-1\n")
    (repo / "kf-core-2.cfg").write_text("sysname kf-core-2\n")
    _git(repo, "add", ".", when=0)
    _git(repo, "commit", "-q", "-m", "backup 1", when=1_700_000_000)
    (repo / "kf-core-1.cfg").write_text("sysname kf-core-1\n#\n")
    (repo / "secret-refs").mkdir()
    (repo / "secret-refs" / "kf-core-1.json").write_text("{}\n")
    _git(repo, "add", ".", when=0)
    _git(repo, "commit", "-q", "-m", "backup 2", when=1_700_086_400)
    assert commit_times(repo) == {"kf-core-1": 1_700_086_400.0, "kf-core-2": 1_700_000_000.0}
    assert commit_times(tmp_path / "missing") == {}
    snap = healthy_snapshot(plan)
    text = exposition(make_registry(plan, lambda: snap, lambda: commit_times(repo))).decode()
    assert 'govnet_config_backup_timestamp_seconds{device="kf-core-1"} 1700086400.0' in text
    assert 'govnet_config_backup_timestamp_seconds{device="kf-core-2"} 1700000000.0' in text


def test_once_report_names_what_is_missing_and_why(plan: Plan) -> None:
    snap = healthy_snapshot(plan)
    agg = plan.device("kf-agg-dongfenglu")
    end = next(e for e in agg.links if e.link == "kf-core-1--kf-agg-dongfenglu")
    del snap.devices[agg.name].interfaces[end.ifname]
    snap.devices[agg.name].not_found[end.ifname] = (
        "not found in ifName/ifDescr (the agent reports 1 name: GE1/0/5)"
    )
    snap.devices["kf-core-1"].hardware.append(
        HardwareRow("hwEntityFanState", "fan", "1.2", "slot1,FAN2", 2, ok=False)
    )
    groups = judge(plan, snap)
    text = format_health(groups, snap, plan)
    assert (
        f"  not found: kf-agg-dongfenglu {end.interface} (link kf-core-1--kf-agg-dongfenglu): not found in "
        "ifName/ifDescr (the agent reports 1 name: GE1/0/5)" in text.splitlines()
    )
    assert "  hardware: kf-core-1 slot1,FAN2 hwEntityFanState=2" in text.splitlines()
    data = json.loads(format_json(plan, snap, groups))
    agg_data = next(d for d in data["devices"] if d["device"] == "kf-agg-dongfenglu")
    missing = next(i for i in agg_data["interfaces"] if i["link"] == "kf-core-1--kf-agg-dongfenglu")
    assert (missing["state"], missing["agent_name"]) == ("not_found", None)
    uplinks = next(g for g in data["groups"] if g["group"] == "kf-uplinks-dongfenglu")
    assert uplinks["state"] == "healthy"  # the core end is found and up
    fw = next(g for g in data["groups"] if g["group"] == "kf-firewall-pair")
    assert (fw["state"], fw["ha_checked"], fw["reason"]) == ("healthy", True, "")
    fan = next(d for d in data["devices"] if d["device"] == "kf-core-1")["hardware"]
    assert fan == [
        {
            "object": "hwEntityFanState",
            "kind": "fan",
            "index": "1.2",
            "entity": "slot1,FAN2",
            "value": 2,
            "ok": False,
        }
    ]


class _Relay(asyncio.DatagramProtocol):
    """Forwards datagrams to an agent and its answers back, each answer ``delay`` seconds late."""

    def __init__(self, agent: tuple[str, int], delay: float) -> None:
        self.agent, self.delay = agent, delay
        self.client: tuple[str, int] | None = None
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        assert self.transport is not None
        loop = asyncio.get_running_loop()
        if addr == self.agent:
            if self.client is not None:
                loop.call_later(self.delay, self.transport.sendto, data, self.client)
        else:
            self.client = addr
            self.transport.sendto(data, self.agent)


@pytest.fixture(scope="module")
def snmpd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = free_port()
    pid = start_snmpd(
        tmp_path_factory.mktemp("snmpd-late"),
        [
            f"agentAddress udp:127.0.0.1:{port}",
            f'createUser {CREDS.snmp_user} SHA "{CREDS.snmp_auth_key}" AES "{CREDS.snmp_priv_key}"',
            f"rouser {CREDS.snmp_user} priv",
            "sysName busy-chassis",
        ],
    )
    try:
        yield port
    finally:
        stop_pid(pid)


def test_an_answer_later_than_the_timeout_but_within_the_retries_is_taken(snmpd: int) -> None:
    """A busy chassis answering in 1.5 s: with a 1 s timeout and one retry the first request's
    late answer arrives while the retry is waiting (1.5 s) and is taken; without the retry the
    request times out."""

    async def ask(retries: int) -> str:
        loop = asyncio.get_running_loop()
        relay, _protocol = await loop.create_datagram_endpoint(
            lambda: _Relay(("127.0.0.1", snmpd), 1.5), local_addr=("127.0.0.1", 0)
        )
        port = relay.get_extra_info("sockname")[1]
        client = SnmpClient(CREDS, timeout=1.0, retries=retries)
        client.add_target(SnmpTarget("busy", "127.0.0.1", port))
        try:
            answer = await client.get("busy", [oids.SYS_NAME])
            return str(answer[0][1])
        except SnmpError as exc:
            return exc.kind
        finally:
            client.close()
            relay.close()

    assert asyncio.run(ask(retries=1)) == "b'busy-chassis'"
    assert asyncio.run(ask(retries=0)) == "timeout"


def test_gbk_descriptions_and_names_are_read_as_chinese(tmp_path: Path, network: Network) -> None:
    """Older VRP/Comware agents send ifAlias (and sometimes ifName) in GBK. Constructed rows (not
    a recording: none of the LibreNMS recordings read carries GBK), served by a real snmpd."""
    alias = "上联核心一".encode("gbk").hex()
    name = "GigabitEthernet0/0/1".encode("gbk").hex()
    rows = [
        "1.3.6.1.2.1.2.2.1.7.5|2|1",
        "1.3.6.1.2.1.2.2.1.8.5|2|1",
        f"1.3.6.1.2.1.31.1.1.1.1.5|4x|{name}",
        f"1.3.6.1.2.1.31.1.1.1.1.6|4x|{'管理口'.encode('gbk').hex()}",
        f"1.3.6.1.2.1.31.1.1.1.18.5|4x|{alias}",
    ]
    recording = tmp_path / "gbk.snmprec"
    recording.write_text("# constructed rows, GBK strings\n" + "\n".join(rows) + "\n")
    user = (CREDS.snmp_user or "", CREDS.snmp_auth_key or "", CREDS.snmp_priv_key or "")
    agent = ReplayAgent(recording, free_port(), tmp_path, user)
    agent.start()
    try:
        end = LinkEnd("kf-agg-dongfenglu", "GE0/0/1", "GE0/0/1", "kf-core-1", "kf-core-1--kf-agg-dongfenglu")
        platform = get_platform("huawei_vrp")
        dev = DevicePlan("kf-agg-dongfenglu", "aggregation", platform.name, "127.0.0.1", agent.port, (end,))
        plan = Plan(network=network, devices=(dev,))

        async def once() -> Snapshot:
            client = SnmpClient(CREDS, timeout=2.0, retries=1)
            try:
                return await Poller(plan, client).cycle()
            finally:
                client.close()

        row = asyncio.run(once()).devices[dev.name].interfaces["GE0/0/1"]
    finally:
        agent.stop()
    assert (row.ifindex, row.name, row.alias, row.up) == (5, "GigabitEthernet0/0/1", "上联核心一", True)
