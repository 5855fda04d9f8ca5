"""SNMP client types, and the pysnmp 7 client: one engine for every target, driven through the
low-level command generators.

pysnmp's high-level API reconfigures the engine and resolves OIDs on every call; here users,
target parameters and target addresses are registered once, requests carry raw OID tuples and
many varbinds per PDU, and answers come back as ints and bytes. Even so pysnmp spends ~0.1 ms of
CPU per varbind in pyasn1, 3.4x snmp_exporter on the twin; the poller therefore uses
:class:`govnet.monitor.transport.SnmpClient` (same interface, bytes-level USM) and this client
is its reference: tests check both give the same answers from the same agent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pyasn1.type import univ  # type: ignore[import-untyped]
from pysnmp.carrier.asyncio.dgram import udp
from pysnmp.entity import config
from pysnmp.entity.engine import SnmpEngine
from pysnmp.entity.rfc3413 import cmdgen
from pysnmp.proto import errind, rfc1902, rfc1905

from govnet.credentials import Credentials
from govnet.errors import GovnetError
from govnet.monitor.oids import Oid

ErrorKind = Literal["timeout", "auth", "decode"]
Value = int | bytes | None
"""An answer: an int (Integer, Counter32/64 exact, Gauge, TimeTicks), bytes (strings,
addresses, an OBJECT IDENTIFIER in dotted text), or None when the agent has no such row."""

MAX_VARBINDS = 40
"""Varbinds per GET: large enough to cover a router's rows in a few PDUs, small enough to stay
inside one Ethernet-sized response for counters."""
BULK_REPETITIONS = 40
_NULL = rfc1902.Null("")
_ABSENT = (rfc1905.NoSuchObject, rfc1905.NoSuchInstance, rfc1905.EndOfMibView)
_INTEGERS = (
    rfc1902.Integer32,
    rfc1902.Counter32,
    rfc1902.Gauge32,
    rfc1902.Unsigned32,
    rfc1902.TimeTicks,
    rfc1902.Counter64,
)
_STRINGS = (rfc1902.OctetString, rfc1902.Opaque)
_AUTH_ERRORS = (
    errind.UnknownUserName,
    errind.WrongDigest,
    errind.DecryptionError,
    errind.UnknownSecurityName,
    errind.UnsupportedSecurityLevel,
    errind.AuthenticationError,
    errind.AuthenticationFailure,
)


class SnmpError(GovnetError):
    """A request that got no usable answer; ``kind`` is timeout, auth or decode."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind


class CredentialsMissing(GovnetError):
    """No SNMPv3 user (or v2c community) configured for the poller."""


@dataclass(frozen=True, slots=True)
class SnmpTarget:
    """An agent: its name (the device), address and UDP port; ``timeout`` overrides the
    client's per-request timeout (a busy chassis' role)."""

    name: str
    host: str
    port: int = 161
    timeout: float | None = None


class Client(Protocol):
    """What the poller needs from an SNMP client."""

    def add_target(self, target: SnmpTarget) -> None: ...

    def forget_engine(self, target: str) -> None: ...

    def close(self) -> None: ...

    async def get(self, target: str, oids: Sequence[Oid]) -> list[tuple[Oid, Value]]: ...

    async def walk(self, target: str, column: Oid) -> dict[Oid, Value]: ...


def error_kind(indication: object) -> ErrorKind:
    """Classify a pysnmp error indication as timeout, auth or decode."""
    if isinstance(indication, errind.RequestTimedOut):
        return "timeout"
    if isinstance(indication, _AUTH_ERRORS):
        return "auth"
    return "decode"


def to_value(value: Any) -> Value:
    """A pysnmp value as an int, bytes or None (no such object/instance, end of view)."""
    if isinstance(value, _ABSENT):
        return None
    if isinstance(value, _INTEGERS):
        return int(value)
    if isinstance(value, _STRINGS):
        return bytes(value.asOctets())
    if isinstance(value, univ.ObjectIdentifier):  # pysnmp decodes to pyasn1's; dotted as ber.read_value
        return ".".join(map(str, value)).encode()
    if isinstance(value, rfc1902.Null):
        return None
    raise SnmpError("decode", f"unexpected SNMP type {type(value).__name__}")


class PysnmpClient:
    """pysnmp 7: one engine, targets registered once, async GET and WALK."""

    def __init__(self, credentials: Credentials, *, timeout: float = 1.0, retries: int = 1) -> None:
        self.engine = SnmpEngine()
        self.timeout = timeout
        self.retries = retries
        self._params = self._register_user(credentials)
        config.add_transport(self.engine, udp.DOMAIN_NAME, udp.UdpAsyncioTransport().open_client_mode())
        self._get = cmdgen.GetCommandGenerator()
        self._bulk = cmdgen.BulkCommandGeneratorSingleRun()
        self._targets: dict[str, SnmpTarget] = {}

    def _register_user(self, creds: Credentials) -> str:
        if creds.snmp_user and creds.snmp_auth_key and creds.snmp_priv_key:
            config.add_v3_user(
                self.engine,
                creds.snmp_user,
                config.USM_AUTH_HMAC96_SHA,
                creds.snmp_auth_key,
                config.USM_PRIV_CFB128_AES,
                creds.snmp_priv_key,
            )
            config.add_target_parameters(self.engine, "govnet-v3", creds.snmp_user, "authPriv", 3)
            return "govnet-v3"
        if creds.snmp_community:
            config.add_v1_system(self.engine, "govnet-v2c", creds.snmp_community)
            config.add_target_parameters(self.engine, "govnet-v2c", "govnet-v2c", "noAuthNoPriv", 1)
            return "govnet-v2c"
        raise CredentialsMissing(
            "no SNMP credentials: set GOVNET_SNMP_USER, GOVNET_SNMP_AUTH_KEY and GOVNET_SNMP_PRIV_KEY "
            "(or GOVNET_SNMP_COMMUNITY for v2c) in the secrets file or the environment"
        )

    def add_target(self, target: SnmpTarget) -> None:
        """Register an agent once (address, timeout in 1/100 s, retries)."""
        if target.name in self._targets:
            return
        config.add_target_address(
            self.engine,
            target.name,
            udp.DOMAIN_NAME,
            (target.host, target.port),
            self._params,
            timeout=int(self.timeout * 100),
            retryCount=self.retries,
        )
        self._targets[target.name] = target

    def forget_engine(self, target: str) -> None:
        """Drop what the engine learnt about an agent (its engine ID, boots and time), so an agent
        that restarted with a new engine ID or reset boots is discovered again at the next
        request instead of after pysnmp's 300 s cache expiry."""
        agent = self._targets.get(target)
        if agent is None:
            return
        key = (udp.DOMAIN_NAME, (agent.host, agent.port))
        v3 = self.engine.message_processing_subsystems.get(3)
        cache = getattr(v3, "_SnmpV3MessageProcessingModel__engineIdCache", {})
        entry = cache.pop(key, None)
        usm = self.engine.security_models.get(3)
        timeline = getattr(usm, "_SnmpUSMSecurityModel__timeline", {})
        if entry is not None:
            timeline.pop(entry["securityEngineId"], None)

    def close(self) -> None:
        """Close the UDP socket."""
        dispatcher = self.engine.transport_dispatcher
        if dispatcher is not None:
            dispatcher.close_dispatcher()

    def _send(self, target: str, send: Any) -> asyncio.Future[list[tuple[Oid, Value]]]:
        future: asyncio.Future[list[tuple[Oid, Value]]] = asyncio.get_running_loop().create_future()

        def done(
            _engine: object,
            _handle: object,
            indication: object,
            status: object,
            index: object,
            varbinds: Sequence[tuple[Any, Any]],
            _ctx: object,
        ) -> None:
            if future.cancelled():
                return
            if indication:
                future.set_exception(SnmpError(error_kind(indication), f"{target}: {indication}"))
            elif status and int(status):  # type: ignore[call-overload]
                future.set_exception(SnmpError("decode", f"{target}: error-status {status} at {index}"))
            else:
                try:
                    future.set_result([(tuple(name), to_value(value)) for name, value in varbinds])
                except SnmpError as exc:
                    future.set_exception(exc)

        send(done)
        return future

    async def get(self, target: str, oids: Sequence[Oid]) -> list[tuple[Oid, Value]]:
        """GET ``oids`` in PDUs of at most MAX_VARBINDS, sent together; answers in order."""
        chunks = [oids[i : i + MAX_VARBINDS] for i in range(0, len(oids), MAX_VARBINDS)]
        parts = await asyncio.gather(*(self._get_pdu(target, chunk) for chunk in chunks))
        return [vb for part in parts for vb in part]

    def _get_pdu(self, target: str, oids: Sequence[Oid]) -> asyncio.Future[list[tuple[Oid, Value]]]:
        varbinds = [(o, _NULL) for o in oids]
        return self._send(
            target, lambda cb: self._get.send_varbinds(self.engine, target, None, "", varbinds, cb)
        )

    async def walk(self, target: str, column: Oid) -> dict[Oid, Value]:
        """Every row under ``column`` (GETBULK), keyed by the row index (the OID after it)."""
        rows: dict[Oid, Value] = {}
        cursor = column
        size = len(column)
        while True:
            varbinds = [(cursor, _NULL)]
            answer = await self._send(
                target,
                lambda cb, vb=varbinds: self._bulk.send_varbinds(
                    self.engine, target, None, "", 0, BULK_REPETITIONS, vb, cb
                ),
            )
            if not answer:
                return rows
            for name, value in answer:
                if name[:size] != column or value is None:
                    return rows
                rows[name[size:]] = value
                cursor = name
            if answer[-1][1] is None:
                return rows
