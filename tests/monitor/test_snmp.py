"""The monitor's SNMP clients and poller against a real net-snmp agent on loopback (SNMPv3 authPriv).

The poller's bytes-level client (govnet.monitor.transport) is checked against pysnmp 7's
low-level client: the same agent must give both the same answers.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from snmprec_agent import free_port, start_snmpd, stop_pid

from govnet.credentials import Credentials
from govnet.inventory import load_network
from govnet.monitor import ber, oids
from govnet.monitor.plan import DevicePlan, LinkEnd, Plan
from govnet.monitor.poller import Poller, ldp_peer
from govnet.monitor.snmp import (
    Client,
    PysnmpClient,
    SnmpError,
    SnmpTarget,
    Value,
    to_value,
)
from govnet.monitor.transport import SnmpClient, snmp_get, snmp_walk

CLIENTS: list[type[Client]] = [SnmpClient, PysnmpClient]

ROOT = Path(__file__).resolve().parents[2]
CREDS = Credentials(snmp_user="unit-noc", snmp_auth_key="unit-auth-key-1", snmp_priv_key="unit-priv-key-1")


@dataclass
class Agent:
    port: int
    workdir: Path
    pid: int = 0

    def start(self) -> None:
        self.pid = start_snmpd(
            self.workdir,
            [
                f"agentAddress udp:127.0.0.1:{self.port}",
                f'createUser {CREDS.snmp_user} SHA "{CREDS.snmp_auth_key}" AES "{CREDS.snmp_priv_key}"',
                f"rouser {CREDS.snmp_user} priv",
                "sysName unit-agent",
            ],
        )
        deadline = time.monotonic() + 10
        while not snmp_get(CREDS, "127.0.0.1", ".1.3.6.1.2.1.1.5.0", timeout=0.3, port=self.port):
            assert time.monotonic() < deadline, "snmpd does not answer"

    def stop(self) -> None:
        if self.pid:
            stop_pid(self.pid)
            self.pid = 0


_free_port = free_port


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Agent]:
    if shutil.which("snmpd") is None:
        pytest.fail("snmpd missing (package snmpd, installed by make setup)")
    running = Agent(_free_port(), tmp_path_factory.mktemp("snmpd"))
    running.start()
    try:
        yield running
    finally:
        running.stop()


def _plan(port: int) -> Plan:
    network = load_network(ROOT / "inventory")
    device = DevicePlan(
        name="kf-core-1",
        role="core",
        platform="frr",
        host="127.0.0.1",
        port=port,
        links=(LinkEnd("kf-core-1", "XGigabitEthernet1/0/1", "lo", "kf-core-2", "kf-core-1--kf-core-2"),),
    )
    return Plan(network=network, devices=(device,))


def test_get_and_walk_over_snmpv3(agent: Agent) -> None:
    assert snmp_get(CREDS, "127.0.0.1", ".1.3.6.1.2.1.1.5.0", port=agent.port) == {
        ".1.3.6.1.2.1.1.5.0": "unit-agent"
    }
    names = snmp_walk(CREDS, "127.0.0.1", ".1.3.6.1.2.1.31.1.1.1.1", port=agent.port)
    assert "lo" in names.values()
    assert all(key.startswith(".1.3.6.1.2.1.31.1.1.1.1.") for key in names)


@pytest.mark.parametrize("client_type", CLIENTS)
def test_errors_are_classified(agent: Agent, client_type: type[Client]) -> None:
    async def ask(creds: Credentials, port: int) -> str:
        client = client_type(creds, timeout=0.3, retries=0)  # type: ignore[call-arg]
        client.add_target(SnmpTarget("t", "127.0.0.1", port))
        try:
            await client.get("t", [oids.SYS_UPTIME])
        except SnmpError as exc:
            return exc.kind
        finally:
            client.close()
        return "ok"

    assert asyncio.run(ask(CREDS, agent.port)) == "ok"
    assert asyncio.run(ask(replace(CREDS, snmp_auth_key="wrong-auth-key"), agent.port)) == "auth"
    assert asyncio.run(ask(CREDS, _free_port())) == "timeout"


@pytest.mark.parametrize("client_type", CLIENTS)
def test_many_varbinds_split_into_pdus_keep_order(agent: Agent, client_type: type[Client]) -> None:
    async def ask() -> list[tuple[tuple[int, ...], Value]]:
        client = client_type(CREDS)  # type: ignore[call-arg]
        client.add_target(SnmpTarget("t", "127.0.0.1", agent.port))
        try:
            return await client.get("t", [oids.SYS_NAME] * 3 + [(*oids.IF_NAME, 1)] * 100)
        finally:
            client.close()

    answer = asyncio.run(ask())
    assert len(answer) == 103
    assert [v for _, v in answer[:3]] == [b"unit-agent"] * 3
    assert {v for _, v in answer[3:]} == {b"lo"}


def test_bytes_level_client_answers_as_pysnmp_does(agent: Agent) -> None:
    request = [oids.SYS_NAME, oids.SYS_UPTIME] + [(*column, 1) for column in oids.INTERFACE_COLUMNS.values()]
    request += [(*oids.IF_ALIAS, 1), (*oids.IF_NAME, 999999), (1, 3, 6, 1, 4, 1, 99999, 1, 0)]

    async def both() -> tuple[list[tuple[tuple[int, ...], Value]], ...]:
        answers = []
        for client_type in CLIENTS:
            client = client_type(CREDS)  # type: ignore[call-arg]
            client.add_target(SnmpTarget("t", "127.0.0.1", agent.port))
            try:
                answers.append(await client.get("t", request))
                answers.append(list((await client.walk("t", oids.IF_NAME)).items()))
            finally:
                client.close()
        return tuple(answers)

    fast_get, fast_walk, ref_get, ref_walk = asyncio.run(both())
    assert fast_walk == ref_walk and len(fast_walk) >= 1
    uptime = 1
    # lo's traffic counters may move between the two reads (other tests use loopback): the
    # later (pysnmp) read is then larger; every other value is equal
    moving = {2 + list(oids.INTERFACE_COLUMNS).index(c) for c in ("hc_in_octets", "hc_out_octets")}
    assert [vb for i, vb in enumerate(fast_get) if i not in moving | {uptime}] == [
        vb for i, vb in enumerate(ref_get) if i not in moving | {uptime}
    ]
    for i in moving:
        assert fast_get[i][0] == ref_get[i][0] and 0 <= fast_get[i][1] <= ref_get[i][1]  # type: ignore[operator]
    assert fast_get[-1][1] is None and fast_get[-2][1] is None  # noSuchObject / noSuchInstance


def test_counter64_is_an_exact_int() -> None:
    from pysnmp.proto import rfc1902

    assert to_value(rfc1902.Counter64(2**64 - 1)) == 18446744073709551615
    counter64 = bytes.fromhex("460900ffffffffffffffff")  # Counter64 max as an agent sends it
    tag, start, end = ber.header(counter64, 0)
    assert ber.read_value(counter64, tag, start, end) == 2**64 - 1
    assert to_value(rfc1902.OctetString(b"x")) == b"x"


def test_poller_discovers_ifindex_once_and_again_after_a_reboot(agent: Agent) -> None:
    plan = _plan(agent.port)

    async def cycles() -> tuple[bool, bool, bool, int, int]:
        client = SnmpClient(CREDS)
        poller = Poller(plan, client)
        walks = 0
        real_walk = client.walk

        async def counting_walk(target: str, column: tuple[int, ...]) -> dict[tuple[int, ...], Value]:
            nonlocal walks
            walks += 1
            return await real_walk(target, column)

        client.walk = counting_walk  # type: ignore[method-assign]
        await asyncio.sleep(4)  # let the agent's sysUpTime grow past what a restart takes
        try:
            first = await poller.cycle()
            await poller.cycle()
            walks_before_reboot = walks
            await asyncio.to_thread(agent.stop)
            await asyncio.to_thread(agent.start)
            third = await poller.cycle()
        finally:
            client.close()
        dev1, dev3 = first.devices["kf-core-1"], third.devices["kf-core-1"]
        assert dev3.up, dev3.error
        return dev1.up and dev1.interfaces["lo"].up, dev1.rebooted, dev3.rebooted, walks_before_reboot, walks

    lo_up, rebooted_first, rebooted_after, walks_before, walks_after = asyncio.run(cycles())
    assert lo_up and not rebooted_first
    assert walks_before == 1  # ifName walked once for two cycles
    assert rebooted_after and walks_after == 2  # sysUpTime went backwards: discovered again


def test_failed_poll_keeps_last_success_and_counts_the_error_kind(agent: Agent) -> None:
    plan = _plan(agent.port)

    async def run() -> tuple[bool, float | None, float | None, dict[str, int]]:
        client = SnmpClient(CREDS, timeout=0.3, retries=0)
        poller = Poller(plan, client)
        try:
            ok = await poller.cycle()
            await asyncio.to_thread(agent.stop)
            failed = await poller.cycle()
        finally:
            await asyncio.to_thread(agent.start)
            client.close()
        dev = failed.devices["kf-core-1"]
        return dev.up, ok.devices["kf-core-1"].last_success, dev.last_success, failed.errors_total

    up, first_success, kept, errors = asyncio.run(run())
    assert not up and kept == first_success and errors["timeout"] == 1


def test_ldp_peer_from_session_index() -> None:
    entity = (10, 0, 0, 9, 0, 0)
    assert ldp_peer((*entity, 1, 10, 0, 0, 10, 0, 0)) == "10.0.0.10"
