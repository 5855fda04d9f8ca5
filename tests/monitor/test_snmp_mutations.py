"""The pysnmp reference client, value by value, against a real net-snmp agent on loopback: every
SNMP type, v3 before v2c, retries and timeouts counted on the wire, PDUs of at most 40 varbinds
counted by the agent itself, walks over several GETBULK rounds and at the end of the MIB, and an
agent restarted with a new engine ID."""

from __future__ import annotations

import asyncio
import shutil
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pysnmp.carrier.asyncio.dgram import udp
from pysnmp.carrier.error import CarrierError
from pysnmp.proto import errind, rfc1902, rfc1905
from snmprec_agent import free_port, start_snmpd, stop_pid

from govnet.credentials import Credentials
from govnet.monitor import oids
from govnet.monitor.snmp import (
    MAX_VARBINDS,
    CredentialsMissing,
    PysnmpClient,
    SnmpError,
    SnmpTarget,
    Value,
    error_kind,
    to_value,
)
from govnet.monitor.transport import SnmpClient

V3 = Credentials(snmp_user="unit-noc", snmp_auth_key="unit-auth-key-1", snmp_priv_key="unit-priv-key-1")
V2C = Credentials(snmp_community="unit-public")
SYS_CONTACT = (1, 3, 6, 1, 2, 1, 1, 4, 0)
SYS_OBJECT_ID = (1, 3, 6, 1, 2, 1, 1, 2, 0)
SYS_OR_ID = (1, 3, 6, 1, 2, 1, 1, 9, 1, 2)  # an OBJECT IDENTIFIER column
SNMP_IN_GET_REQUESTS = (1, 3, 6, 1, 2, 1, 11, 15, 0)  # RFC 1213 snmpInGetRequests, net-snmp counts GET PDUs
SNMP_IN_PKTS = (1, 3, 6, 1, 2, 1, 11, 1, 0)  # RFC 3418 snmpInPkts: every message the agent received
USM_USERS = (1, 3, 6, 1, 6, 3, 15, 1, 2, 2, 1)  # usmUserTable: four users, eleven columns, 44 rows
EXTEND_LONG = (1, 3, 6, 1, 4, 1, 8072, 1, 3, 2, 3, 1, 2, 4, *b"long")  # NET-SNMP-EXTEND-MIB output of "long"


@dataclass
class Agent:
    port: int
    workdir: Path
    pid: int = 0

    def start(self, engine_id: str) -> None:
        self.pid = start_snmpd(
            self.workdir,
            [
                f"agentAddress udp:127.0.0.1:{self.port}",
                f"engineID {engine_id}",
                f'createUser {V3.snmp_user} SHA "{V3.snmp_auth_key}" AES "{V3.snmp_priv_key}"',
                f"rouser {V3.snmp_user} priv",
                *(
                    f'createUser unit-ro-{i} SHA "{V3.snmp_auth_key}" AES "{V3.snmp_priv_key}"'
                    for i in range(3)
                ),
                f"rocommunity {V2C.snmp_community} 127.0.0.1",
                "sysName unit-agent",
                "sysContact " + "c" * 250,
                "extend long /usr/bin/printf %03000d 7",  # a 3000-byte nsExtendOutputFull."long"
            ],
        )
        deadline = time.monotonic() + 10
        while asyncio.run(_get(V3, self.port, [oids.SYS_NAME], timeout=0.3)) != [
            (oids.SYS_NAME, b"unit-agent")
        ]:
            assert time.monotonic() < deadline, "snmpd does not answer"

    def stop(self) -> None:
        if self.pid:
            stop_pid(self.pid)
            self.pid = 0


async def _get(
    creds: Credentials, port: int, asked: list[tuple[int, ...]], **kw: float
) -> list[tuple[tuple[int, ...], Value]] | str:
    client = PysnmpClient(creds, **kw)  # type: ignore[arg-type]
    client.add_target(SnmpTarget("t", "127.0.0.1", port))
    try:
        return await client.get("t", asked)
    except SnmpError as exc:
        return exc.kind
    finally:
        client.close()


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Agent]:
    if shutil.which("snmpd") is None:
        pytest.fail("snmpd missing (package snmpd, installed by make setup)")
    running = Agent(free_port(), tmp_path_factory.mktemp("snmpd-pysnmp"))
    running.start("unit-first")
    try:
        yield running
    finally:
        running.stop()


def test_every_snmp_type_as_an_int_bytes_or_none() -> None:
    assert to_value(rfc1902.Integer32(-2147483648)) == -2147483648
    assert to_value(rfc1902.Counter32(4294967295)) == 4294967295
    assert to_value(rfc1902.Gauge32(4294967294)) == 4294967294
    assert to_value(rfc1902.Unsigned32(7)) == 7
    assert to_value(rfc1902.TimeTicks(123456)) == 123456
    assert to_value(rfc1902.Counter64(2**64 - 2)) == 2**64 - 2
    assert to_value(rfc1902.OctetString(b"\x00\xffge1-0-1")) == b"\x00\xffge1-0-1"
    assert to_value(rfc1902.Opaque(b"\x9f\x78\x04")) == b"\x9f\x78\x04"
    assert to_value(rfc1902.IpAddress("10.8.0.38")) == bytes([10, 8, 0, 38])
    assert to_value(rfc1902.ObjectIdentifier((1, 3, 6, 1, 4, 1, 2011, 2, 23))) == b"1.3.6.1.4.1.2011.2.23"
    for absent in (
        rfc1905.NoSuchObject(""),
        rfc1905.NoSuchInstance(""),
        rfc1905.EndOfMibView(""),
        rfc1902.Null(""),
    ):
        assert to_value(absent) is None
    with pytest.raises(SnmpError) as caught:
        to_value(3.5)
    assert (caught.value.kind, str(caught.value)) == ("decode", "unexpected SNMP type float")


def test_error_indications_are_classified() -> None:
    assert error_kind(errind.requestTimedOut) == "timeout"
    auth = [
        errind.UnknownUserName,
        errind.WrongDigest,
        errind.DecryptionError,
        errind.UnknownSecurityName,
        errind.UnsupportedSecurityLevel,
        errind.AuthenticationError,
        errind.AuthenticationFailure,
    ]
    assert [error_kind(cls()) for cls in auth] == ["auth"] * 7
    assert error_kind(errind.NotInTimeWindow()) == "decode"
    assert error_kind(errind.UnknownEngineID()) == "decode"
    assert error_kind("something else") == "decode"


def test_credentials_choose_v3_first_then_v2c() -> None:
    with pytest.raises(CredentialsMissing) as caught:
        PysnmpClient(Credentials(snmp_user="unit-noc", snmp_auth_key="unit-auth-key-1"))
    assert str(caught.value) == (
        "no SNMP credentials: set GOVNET_SNMP_USER, GOVNET_SNMP_AUTH_KEY and GOVNET_SNMP_PRIV_KEY "
        "(or GOVNET_SNMP_COMMUNITY for v2c) in the secrets file or the environment"
    )
    with pytest.raises(CredentialsMissing):
        PysnmpClient(Credentials(snmp_auth_key="unit-auth-key-1", snmp_priv_key="unit-priv-key-1"))


def test_v3_when_complete_and_v2c_otherwise(agent: Agent) -> None:
    both = Credentials(
        snmp_user=V3.snmp_user,
        snmp_auth_key=V3.snmp_auth_key,
        snmp_priv_key=V3.snmp_priv_key,
        snmp_community="not-the-community",
    )
    assert asyncio.run(_get(both, agent.port, [oids.SYS_NAME])) == [(oids.SYS_NAME, b"unit-agent")]
    # no privacy key: v2c with the community
    half = Credentials(snmp_user=V3.snmp_user, snmp_auth_key="wrong-key", snmp_community=V2C.snmp_community)
    assert asyncio.run(_get(half, agent.port, [oids.SYS_NAME, SYS_CONTACT])) == [
        (oids.SYS_NAME, b"unit-agent"),
        (SYS_CONTACT, b"c" * 250),
    ]


def test_retries_and_timeout_on_the_wire_and_a_target_registered_once(agent: Agent) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.setblocking(False)

        async def ask() -> tuple[str, float]:
            client = PysnmpClient(V3, timeout=0.2, retries=2)
            client.add_target(SnmpTarget("kf-core-1", "127.0.0.1", silent.getsockname()[1]))
            client.add_target(SnmpTarget("kf-core-1", "127.0.0.1", agent.port))  # ignored: registered
            started = time.monotonic()
            try:
                await client.get("kf-core-1", [oids.SYS_NAME])
            except SnmpError as exc:
                return f"{exc.kind}: {exc}", time.monotonic() - started
            finally:
                client.close()
            return "ok", time.monotonic() - started

        kind, elapsed = asyncio.run(ask())
        received = 0
        while True:
            try:
                silent.recv(65535)
            except BlockingIOError:
                break
            received += 1
    assert kind == "timeout: kf-core-1: No SNMP response received before timeout"
    assert received == 3  # the request and two retries
    assert 0.5 <= elapsed < 3.0  # three waits of 0.2 s


def _in_get_requests(port: int) -> int:
    answer = asyncio.run(_get(V3, port, [SNMP_IN_GET_REQUESTS]))
    assert isinstance(answer, list) and isinstance(answer[0][1], int)
    return answer[0][1]


def test_gets_are_split_into_pdus_of_at_most_40_varbinds(agent: Agent) -> None:
    assert MAX_VARBINDS == 40
    asked = [oids.SYS_NAME, SYS_CONTACT] * 40 + [oids.SYS_UPTIME]  # 81: two full PDUs and one of one
    before = _in_get_requests(agent.port)
    answer = asyncio.run(_get(V3, agent.port, asked))
    after = _in_get_requests(agent.port)
    assert after - before == 3 + 1  # three PDUs, and the read of the counter itself
    assert isinstance(answer, list) and [name for name, _ in answer] == asked
    assert [value for _, value in answer[:80]] == [b"unit-agent", b"c" * 250] * 40
    assert isinstance(answer[80][1], int) and answer[80][1] > 0


async def _walks(port: int, column: tuple[int, ...]) -> tuple[dict[tuple[int, ...], Value], ...]:
    found = []
    for client_type in (PysnmpClient, SnmpClient):
        client = client_type(V3)
        client.add_target(SnmpTarget("t", "127.0.0.1", port))
        try:
            found.append(await client.walk("t", column))
        finally:
            client.close()
    return tuple(found)


def test_walks_agree_with_the_bytes_level_client(agent: Agent) -> None:
    reference, fast = asyncio.run(_walks(agent.port, USM_USERS))
    assert reference == fast and len(reference) > 40  # four users, eleven columns
    assert {key[0] for key in reference} == set(range(3, 14))  # the column number, then the row index
    assert sum(value == b"unit-ro-2" for value in reference.values()) == 1  # its usmUserSecurityName
    or_ids, fast_or_ids = asyncio.run(_walks(agent.port, SYS_OR_ID))
    assert or_ids == fast_or_ids and len(or_ids) >= 5
    assert all(key == (i,) for i, key in enumerate(or_ids, start=1))
    assert or_ids[(1,)] == b"1.3.6.1.6.3.10.3.1.1"  # snmpFrameworkMIBCompliance, as net-snmp lists it
    assert asyncio.run(_walks(agent.port, (1, 3, 6, 1, 2, 1, 1, 5))) == ({(0,): b"unit-agent"},) * 2
    assert asyncio.run(_walks(agent.port, (1, 3, 6, 1, 9, 9))) == ({}, {})  # past the end of the MIB


def test_a_get_of_an_object_identifier_answers_as_the_bytes_level_client(agent: Agent) -> None:
    reference = asyncio.run(_get(V3, agent.port, [SYS_OBJECT_ID]))
    assert isinstance(reference, list)
    value = reference[0][1]
    assert isinstance(value, bytes) and value.startswith(b"1.3.6.1.4.1.8072.3.2.")  # net-snmp's agent OID


def test_forget_engine_after_an_agent_restarts_with_a_new_engine_id(agent: Agent) -> None:
    async def run() -> tuple[object, ...]:
        client = PysnmpClient(V3, timeout=0.3, retries=0)
        client.forget_engine("t")  # unknown target: nothing to forget
        client.add_target(SnmpTarget("t", "127.0.0.1", agent.port))
        client.forget_engine("t")  # nothing learnt yet
        try:
            first = await client.get("t", [oids.SYS_NAME])
            await asyncio.to_thread(agent.stop)
            await asyncio.to_thread(agent.start, "unit-second")
            try:
                stale: object = await client.get("t", [oids.SYS_NAME])
            except SnmpError as exc:
                stale = exc.kind
            client.forget_engine("t")
            again = await client.get("t", [oids.SYS_NAME])
        finally:
            client.close()
        return first, stale, again

    first, stale, again = asyncio.run(run())
    assert first == again == [(oids.SYS_NAME, b"unit-agent")]
    assert stale == "timeout"  # pysnmp keeps the old engine ID until told to forget it


def test_close_releases_the_socket() -> None:
    async def run() -> tuple[bool, bool]:
        client = PysnmpClient(V3)
        dispatcher = client.engine.transport_dispatcher
        assert dispatcher is not None
        opened = dispatcher.get_transport(udp.DOMAIN_NAME) is not None
        client.close()
        try:
            dispatcher.get_transport(udp.DOMAIN_NAME)
        except CarrierError:
            return opened, True
        return opened, False

    assert asyncio.run(run()) == (True, True)


def test_a_walk_takes_one_getbulk_per_40_rows_and_names_its_target_when_it_fails(agent: Agent) -> None:
    async def run() -> tuple[int, int, int, str]:
        client = PysnmpClient(V3)
        client.add_target(SnmpTarget("t", "127.0.0.1", agent.port))
        try:

            async def received() -> int:
                answer = await client.get("t", [SNMP_IN_PKTS])
                assert isinstance(answer[0][1], int)
                return answer[0][1]

            first = await received()
            second = await received()  # a GET costs one message
            rows = await client.walk("t", USM_USERS)
            third = await received()
        finally:
            client.close()
        silent = PysnmpClient(V3, timeout=0.2, retries=0)
        silent.add_target(SnmpTarget("quiet-agent", "127.0.0.1", free_port()))
        try:
            await silent.walk("quiet-agent", USM_USERS)
            message = ""
        except SnmpError as exc:
            message = str(exc)
        finally:
            silent.close()
        return second - first, third - second - (second - first), len(rows), message

    per_get, per_walk, rows, message = asyncio.run(run())
    assert (per_get, per_walk, rows) == (1, 2, 44)  # 40 rows, then 4 and the next column's start
    assert message == "quiet-agent: No SNMP response received before timeout"


def test_defaults_are_one_second_and_one_retry() -> None:
    async def run() -> tuple[float, int]:
        client = PysnmpClient(V3)
        client.close()
        return client.timeout, client.retries

    assert asyncio.run(run()) == (1.0, 1)


def test_an_answer_too_big_for_one_message_is_the_agents_error_status(agent: Agent) -> None:
    one = asyncio.run(_get(V3, agent.port, [EXTEND_LONG], timeout=2))
    assert one == [(EXTEND_LONG, b"0" * 2999 + b"7")]
    # 30 x 3000 bytes do not fit a UDP message: net-snmp answers error-status tooBig(1), index 0
    client_error = asyncio.run(_message(agent.port, [EXTEND_LONG] * 30))
    assert client_error == "decode: t: error-status tooBig at 0"


async def _message(port: int, asked: list[tuple[int, ...]]) -> str:
    client = PysnmpClient(V3, timeout=2, retries=0)
    client.add_target(SnmpTarget("t", "127.0.0.1", port))
    try:
        await client.get("t", asked)
    except SnmpError as exc:
        return f"{exc.kind}: {exc}"
    finally:
        client.close()
    return "answered"
