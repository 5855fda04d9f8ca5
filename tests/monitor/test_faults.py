"""Monitor faults on loopback: bad agents, loss, reboots, new engine IDs, restarts.

A small bad SNMP agent written here (asyncio UDP on 127.0.0.1, requests read with pysnmp's own
decoder) answers garbage, wrong types, other objects, oversized or truncated packets, or never;
its target must fail with one clear log line while a real snmpd beside it is polled every cycle.
A lossy UDP relay (20 % of datagrams each way dropped, seeded) sits in front of a real snmpd:
polls complete within the retries and the loss shows in ``govnet_poller_retries_total``. A real
snmpd restarted with its persistent state (engineBoots + 1, engineTime from 0) and one restarted
with a new engine ID are both read again in the next cycle without an auth error.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pytest
from fault_record import note
from pyasn1.codec.ber import decoder, encoder  # type: ignore[import-untyped]
from pysnmp.proto import api
from snmprec_agent import free_port, stop_pid

from govnet.credentials import Credentials
from govnet.inventory import load_network
from govnet.monitor.changes import ChangeLog
from govnet.monitor.exporter import exposition, make_registry, serve
from govnet.monitor.health import judge
from govnet.monitor.plan import DevicePlan, LinkEnd, Plan
from govnet.monitor.poller import Poller
from govnet.monitor.snapshot import Snapshot
from govnet.monitor.transport import SnmpClient
from govnet.monitor.web.app import NocSite

ROOT = Path(__file__).resolve().parents[2]
V2C = Credentials(snmp_community="unit-fault-ro")
V3 = Credentials(snmp_user="unit-noc", snmp_auth_key="unit-auth-key-1", snmp_priv_key="unit-priv-key-1")
V2 = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
GOOD, BAD = "kf-core-1", "kf-core-2"


def _snmpd(workdir: Path, port: int, extra: list[str], *, fresh: bool) -> int:
    """A real snmpd on 127.0.0.1:port; ``fresh=False`` keeps its persistent state (engine ID,
    engineBoots) from the previous start, as a rebooted device does."""
    persist = workdir / "persist"
    if fresh:
        shutil.rmtree(persist, ignore_errors=True)
    persist.mkdir(parents=True, exist_ok=True)
    conf = workdir / "snmpd.conf"
    conf.write_text(
        "\n".join(
            [
                f"agentAddress udp:127.0.0.1:{port}",
                f"rocommunity {V2C.snmp_community} 127.0.0.1",
                f'createUser {V3.snmp_user} SHA "{V3.snmp_auth_key}" AES "{V3.snmp_priv_key}"',
                f"rouser {V3.snmp_user} priv",
                *extra,
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    pidfile = workdir / "snmpd.pid"
    pidfile.unlink(missing_ok=True)
    subprocess.run(
        ["snmpd", "-p", str(pidfile), "-Lf", str(workdir / "log"), "-m", ""],  # no -C: persistent state read
        env={
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "SNMPCONFPATH": f"{workdir}:{persist}",  # only these files, never /etc/snmp
            "SNMP_PERSISTENT_DIR": str(persist),
            "MIBS": "",
        },
        check=True,
        timeout=30,
    )
    deadline = time.monotonic() + 10
    while not pidfile.exists() or not pidfile.read_text(encoding="utf-8").strip():
        assert time.monotonic() < deadline, (workdir / "log").read_text(encoding="utf-8")[-500:]
        time.sleep(0.05)
    return int(pidfile.read_text(encoding="utf-8"))


@dataclass
class Snmpd:
    workdir: Path
    port: int = field(default_factory=free_port)
    pid: int = 0

    def start(self, extra: list[str] = [], *, fresh: bool = True) -> None:  # noqa: B006
        self.pid = _snmpd(self.workdir, self.port, extra, fresh=fresh)

    def stop(self) -> None:
        if self.pid:
            stop_pid(self.pid)
            self.pid = 0


@pytest.fixture
def snmpd(tmp_path: Path) -> Iterator[Snmpd]:
    agent = Snmpd(tmp_path / "snmpd")
    agent.workdir.mkdir()
    agent.start()
    try:
        yield agent
    finally:
        agent.stop()


def _plan(ports: dict[str, int]) -> Plan:
    network = load_network(ROOT / "inventory")
    devices = tuple(
        DevicePlan(
            name=name,
            role="core",
            platform="frr",
            host="127.0.0.1",
            port=port,
            links=(LinkEnd(name, "GigabitEthernet1/0/1", "lo", "kf-core-2", "kf-core-1--kf-core-2"),),
        )
        for name, port in ports.items()
    )
    return Plan(network=network, devices=devices)


# -- the bad agent --------------------------------------------------------------------------------


def _response(request: bytes, values: object) -> bytes:
    """A v2c GetResponse to ``request`` with every asked name bound to ``values`` (an OctetString
    for wrong types), or to other names when ``values`` is "other"."""
    message, _ = decoder.decode(request, asn1Spec=V2.Message())
    pdu = V2.apiMessage.get_pdu(message)
    response = V2.apiPDU.get_response(pdu)
    names = [name for name, _ in V2.apiPDU.get_varbinds(pdu)]
    if values == "other":
        binds = [((1, 3, 6, 1, 2, 1, 1, 5, 0), V2.OctetString(b"x")) for _ in names]
    else:
        binds = [(name, V2.OctetString(b"up(1)")) for name in names]
    V2.apiPDU.set_varbinds(response, binds)
    reply = V2.apiMessage.get_response(message)
    V2.apiMessage.set_pdu(reply, response)
    return bytes(encoder.encode(reply))


def _tlv(tag: int, body: bytes) -> bytes:
    assert len(body) < 128
    return bytes((tag, len(body))) + body


def _one_field_varbind(request: bytes) -> bytes:
    """A GetResponse to ``request`` whose varbind holds an OID and no value (this aborted the
    whole cycle with a bare ValueError before)."""
    message, _ = decoder.decode(request, asn1Spec=V2.Message())
    request_id = int(V2.apiPDU.get_request_id(V2.apiMessage.get_pdu(message)))
    varbind = _tlv(0x30, _tlv(0x06, bytes((0x2B, 6, 1, 2, 1, 1, 3, 0))))
    pdu = _tlv(
        0xA2,
        bytes.fromhex("0204")
        + request_id.to_bytes(4, "big")
        + bytes.fromhex("020100020100")
        + _tlv(0x30, varbind),
    )
    return _tlv(0x30, bytes.fromhex("020101") + _tlv(0x04, V2C.snmp_community.encode()) + pdu)


BAD_ANSWERS: dict[str, Callable[[bytes], bytes]] = {
    "garbage": lambda req: b"HTTP/1.1 400 Bad Request\r\n\r\n",
    "wrong types": lambda req: _response(req, "strings"),
    "other objects": lambda req: _response(req, "other"),
    "oversized": lambda req: bytes.fromhex("3084400000000201") + bytes(60_000),  # claims 1 GiB
    "truncated": lambda req: _response(req, "strings")[:-7],
    "one-field varbind": _one_field_varbind,
    "silent": lambda req: b"",
}
EXPECTED = {
    "garbage": ("decode", "that are not an SNMP message"),
    "wrong types": ("decode", "where an integer belongs"),
    "other objects": ("decode", "other objects than the 1 asked"),
    "oversized": ("decode", "longer than the message"),
    "truncated": ("decode", "that are not an SNMP message"),
    "one-field varbind": ("decode", "a varbind has two fields, not 1"),
    "silent": ("timeout", "no SNMP response from 127.0.0.1"),
}


class BadAgent(asyncio.DatagramProtocol):
    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.requests = 0
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.requests += 1
        answer = BAD_ANSWERS[self.mode](data)
        if answer and self.transport is not None:
            self.transport.sendto(answer, addr)


async def _cycles(poller: Poller, count: int) -> tuple[list[Snapshot], list[str]]:
    log = ChangeLog()
    snaps, lines = [], []
    for _ in range(count):
        snap = await poller.cycle()
        snaps.append(snap)
        lines += log.changes(snap, judge(poller.plan, snap))
    return snaps, lines


@pytest.mark.parametrize("mode", list(BAD_ANSWERS))
def test_a_bad_agent_fails_alone_with_one_clear_line(
    snmpd: Snmpd, mode: str, request: pytest.FixtureRequest
) -> None:
    async def run() -> tuple[list[Snapshot], list[str], int]:
        loop = asyncio.get_running_loop()
        transport, agent = await loop.create_datagram_endpoint(
            lambda: BadAgent(mode), local_addr=("127.0.0.1", 0)
        )
        bad_port = transport.get_extra_info("sockname")[1]
        client = SnmpClient(V2C, timeout=0.3, retries=1)
        poller = Poller(_plan({GOOD: snmpd.port, BAD: bad_port}), client)
        try:
            snaps, lines = await _cycles(poller, 3)
        finally:
            client.close()
            transport.close()
        return snaps, lines, agent.requests

    snaps, lines, requests = asyncio.run(run())
    kind, words = EXPECTED[mode]
    assert requests >= 3  # asked every cycle
    for snap in snaps:
        assert snap.complete and snap.devices[GOOD].up, snap.devices[GOOD].reason
        assert snap.devices[GOOD].interfaces["lo"].oper_status == 1
        bad = snap.devices[BAD]
        assert not bad.up and bad.error == kind and words in bad.reason, bad.reason
        assert not bad.interfaces and bad.last_success is None
    assert snaps[-1].errors_total[kind] == 3 and sum(snaps[-1].errors_total.values()) == 3
    device_lines = [line for line in lines if line.startswith("device ")]
    assert device_lines == [f"device {BAD}: new -> unreachable ({kind}): {snaps[0].devices[BAD].reason}"]
    assert device_lines[0].count(BAD) >= 2 and "\n" not in device_lines[0]
    missed = sum(not s.devices[GOOD].up for s in snaps)
    note(
        request.node.name,
        f"SNMP agent answers {mode}",
        "MONITOR loopback agent + real snmpd",
        len(snaps),
        f"marked failed ({kind}) every cycle, one log line: '{device_lines[0]}'; the other device polled "
        f"in {len(snaps) - missed}/{len(snaps)} cycles",
        missed,
    )


# -- 20 % loss ------------------------------------------------------------------------------------


class LossyRelay(asyncio.DatagramProtocol):
    """Forwards datagrams between one client and the agent, dropping ``loss`` of them each way."""

    def __init__(self, agent: tuple[str, int], loss: float, seed: int) -> None:
        self.agent, self.loss, self.random = agent, loss, random.Random(seed)
        self.client: tuple[str, int] | None = None
        self.transport: asyncio.DatagramTransport | None = None
        self.dropped = self.passed = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.random.random() < self.loss:
            self.dropped += 1
            return
        self.passed += 1
        assert self.transport is not None
        if addr == self.agent:
            if self.client is not None:
                self.transport.sendto(data, self.client)
        else:
            self.client = addr
            self.transport.sendto(data, self.agent)


def test_twenty_percent_loss_completes_within_retries_and_shows_as_retries(
    snmpd: Snmpd, request: pytest.FixtureRequest
) -> None:
    async def run() -> tuple[list[Snapshot], LossyRelay, bytes]:
        loop = asyncio.get_running_loop()
        transport, relay = await loop.create_datagram_endpoint(
            lambda: LossyRelay(("127.0.0.1", snmpd.port), 0.2, seed=23), local_addr=("127.0.0.1", 0)
        )
        client = SnmpClient(V3, timeout=0.2, retries=4)
        plan = _plan({GOOD: transport.get_extra_info("sockname")[1]})
        poller = Poller(plan, client)
        try:
            snaps, _ = await _cycles(poller, 12)
        finally:
            client.close()
            transport.close()
        return snaps, relay, exposition(make_registry(plan, lambda: snaps[-1]))

    snaps, relay, text = asyncio.run(run())
    assert relay.dropped >= 5 and 0.1 < relay.dropped / (relay.dropped + relay.passed) < 0.35
    assert all(s.devices[GOOD].up for s in snaps), [s.devices[GOOD].reason for s in snaps]
    assert snaps[-1].errors_total == {"timeout": 0, "auth": 0, "decode": 0}
    retries = snaps[-1].retries_total
    assert retries >= relay.dropped // 2 and retries > 0
    assert f"govnet_poller_retries_total {retries}".encode() in text
    note(
        request.node.name,
        "20 % loss on the management path (each way)",
        "MONITOR lossy relay + real snmpd",
        len(snaps),
        f"{relay.dropped} of {relay.dropped + relay.passed} datagrams dropped; every cycle "
        f"complete with the device up, 0 errors; govnet_poller_retries_total {retries}",
        sum(not s.devices[GOOD].up for s in snaps),
    )


# -- reboots and new engine IDs ---------------------------------------------------------------------


@pytest.mark.parametrize("new_engine_id", [False, True])
def test_a_rebooted_agent_or_a_new_engine_id_is_read_in_the_next_cycle(
    snmpd: Snmpd, new_engine_id: bool, request: pytest.FixtureRequest
) -> None:
    """Reboot: the same persistent state, so the same engine ID with engineBoots + 1 and
    engineTime from 0 (the agent answers notInTimeWindows once). New engine ID: fresh state."""
    engine_ids: list[bytes] = []

    async def run() -> list[Snapshot]:
        client = SnmpClient(V3, timeout=0.5, retries=1)
        poller = Poller(_plan({GOOD: snmpd.port}), client)
        try:
            await asyncio.sleep(2)  # sysUpTime past what a restart takes: the reboot is seen
            snaps, _ = await _cycles(poller, 2)
            engine_ids.append(client._engines[GOOD].engine_id)
            boots = client._engines[GOOD].boots
            await asyncio.to_thread(snmpd.stop)
            await asyncio.to_thread(snmpd.start, fresh=new_engine_id)
            after, _ = await _cycles(poller, 1)
            engine_ids.append(client._engines[GOOD].engine_id)
            assert client._engines[GOOD].boots == (1 if new_engine_id else boots + 1)
        finally:
            client.close()
        return snaps + after

    snaps = asyncio.run(run())
    assert all(s.devices[GOOD].up for s in snaps), [s.devices[GOOD].reason for s in snaps]
    assert snaps[-1].devices[GOOD].rebooted
    assert snaps[-1].errors_total == {"timeout": 0, "auth": 0, "decode": 0}
    assert (engine_ids[0] != engine_ids[1]) is new_engine_id
    fault = "agent restarted with a new engine ID" if new_engine_id else "agent rebooted (engineBoots + 1)"
    note(
        request.node.name,
        fault,
        "MONITOR real snmpd",
        1,
        "read again in the next cycle (rebooted flagged, "
        f"engine rediscovered), auth errors {snaps[-1].errors_total['auth']}",
        int(not snaps[-1].devices[GOOD].up),
    )


# -- the exporter restarts; Prometheus is down --------------------------------------------------------


def test_a_restarted_exporter_is_complete_after_one_cycle_and_needs_no_prometheus(
    snmpd: Snmpd, request: pytest.FixtureRequest
) -> None:
    plan = _plan({GOOD: snmpd.port, BAD: free_port()})  # BAD: nothing listens there

    async def one_life() -> tuple[bytes, bytes, bytes]:
        client = SnmpClient(V3, timeout=0.2, retries=0)
        poller = Poller(plan, client)
        registry = make_registry(plan, lambda: poller.snapshot)
        prometheus = f"http://127.0.0.1:{free_port()}"  # configured, and down
        site = NocSite(plan, lambda: poller.snapshot, interval=1.0, prometheus=prometheus)
        server = serve(registry, "127.0.0.1", 0, pages=site.page)
        url = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            before = await asyncio.to_thread(
                lambda: urllib.request.urlopen(url + "/metrics", timeout=5).read()
            )
            await poller.cycle()  # nobody scrapes: no Prometheus anywhere
            await poller.cycle()
            after = await asyncio.to_thread(
                lambda: urllib.request.urlopen(url + "/metrics", timeout=5).read()
            )
            page = await asyncio.to_thread(lambda: urllib.request.urlopen(url + "/", timeout=10).read())
        finally:
            server.shutdown()
            server.server_close()
            client.close()
        return before, after, page

    for _life in range(2):  # the second life is the restart: nothing carried over
        before, after, page = asyncio.run(one_life())
        assert b"did not answer" in page  # the NOC page says Prometheus is down, and still renders
        assert b"govnet_device_up{" not in before
        assert f'govnet_device_up{{device="{GOOD}"}} 1'.encode() in after
        assert f'govnet_device_up{{device="{BAD}"}} 0'.encode() in after
        assert b"govnet_poller_cycles_total 2" in after
        assert f'govnet_interface_oper_up{{device="{GOOD}",interface="GigabitEthernet1/0/1"'.encode() in after
    note(
        request.node.name,
        "exporter restarted; Prometheus down",
        "MONITOR real snmpd",
        2,
        "every device exported after the first cycle of each life; cycles ran with nobody scraping; "
        "with --prometheus down the NOC page renders and says so",
        0,
    )
