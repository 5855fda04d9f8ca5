"""SNMPv3 messages with the User-based Security Model: HMAC-SHA-96 authentication and AES-128-CFB
privacy (RFC 3414, RFC 3826), built and read as bytes for the poller's hot path.

Keys come from pysnmp's RFC 3414 key localization; the cipher is ``cryptography``'s AES.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field
from time import monotonic

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

try:  # cryptography >= 47 keeps CFB among the "decrepit" modes
    from cryptography.hazmat.decrepit.ciphers.modes import CFB
except ImportError:  # pragma: no cover - older cryptography
    from cryptography.hazmat.primitives.ciphers.modes import CFB  # type: ignore[assignment,unused-ignore]
from pysnmp.proto.rfc1902 import OctetString
from pysnmp.proto.secmod.rfc3414 import localkey

from govnet.monitor import ber
from govnet.monitor.oids import Oid

MAX_SIZE = 65507
FLAG_AUTH, FLAG_PRIV, FLAG_REPORTABLE = 0x01, 0x02, 0x04
AUTH_PLACEHOLDER = bytes(12)
USM_STATS = (1, 3, 6, 1, 6, 3, 15, 1, 1)
REPORT_KINDS = {
    1: "unsupportedSecLevels",
    2: "notInTimeWindows",
    3: "unknownUserNames",
    4: "unknownEngineIDs",
    5: "wrongDigests",
    6: "decryptionErrors",
}


class UsmError(ValueError):
    """A message that fails authentication, decryption or parsing (``kind`` auth or decode)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(slots=True)
class Engine:
    """What the manager knows about one authoritative (agent) engine."""

    engine_id: bytes = b""
    boots: int = 0
    time: int = 0
    learnt_at: float = field(default_factory=monotonic)
    auth_key: bytes = b""
    priv_key: bytes = b""

    def now(self) -> int:
        return self.time + int(monotonic() - self.learnt_at)

    def learn(self, boots: int, time: int) -> None:
        self.boots, self.time, self.learnt_at = boots, time, monotonic()


@dataclass(frozen=True, slots=True)
class User:
    """A USM user with SHA/AES passphrases, hashed once (localized per engine)."""

    name: bytes
    auth_ku: bytes
    priv_ku: bytes

    @classmethod
    def from_passphrases(cls, name: str, auth: str, priv: str) -> User:
        return cls(
            name.encode(),
            bytes(localkey.hash_passphrase_sha(auth.encode()).asOctets()),
            bytes(localkey.hash_passphrase_sha(priv.encode()).asOctets()),
        )

    def localize(self, engine: Engine) -> None:
        """Keys localized to the engine (RFC 3414 A.2.2: SHA(Ku + engineID + Ku))."""
        engine_id = OctetString(engine.engine_id)
        engine.auth_key = bytes(localkey.localize_key_sha(self.auth_ku, engine_id).asOctets())
        engine.priv_key = bytes(localkey.localize_key_sha(self.priv_ku, engine_id).asOctets())[:16]


def _aes(key: bytes, iv: bytes, data: bytes, encrypt: bool) -> bytes:
    cipher = Cipher(algorithms.AES(key), CFB(iv))
    op = cipher.encryptor() if encrypt else cipher.decryptor()
    return op.update(data) + op.finalize()


def pdu(tag: int, request_id: int, oids: list[Oid], a: int = 0, b: int = 0) -> bytes:
    """A GET (a=b=0) or GETBULK (a=non-repeaters, b=max-repetitions) PDU."""
    return ber.tlv(tag, ber.integer(request_id) + ber.integer(a) + ber.integer(b) + ber.varbinds(oids))


def discovery(msg_id: int) -> bytes:
    """An unauthenticated, reportable GET without varbinds: the agent answers with a Report
    carrying its engine ID, boots and time."""
    usm = ber.tlv(
        ber.SEQUENCE,
        ber.octets(b"")
        + ber.integer(0)
        + ber.integer(0)
        + ber.octets(b"")
        + ber.octets(b"")
        + ber.octets(b""),
    )
    scoped = ber.tlv(ber.SEQUENCE, ber.octets(b"") + ber.octets(b"") + pdu(ber.GET, msg_id, []))
    return _message(msg_id, FLAG_REPORTABLE, usm, scoped)


def _message(msg_id: int, flags: int, usm: bytes, data: bytes) -> bytes:
    head = ber.tlv(
        ber.SEQUENCE,
        ber.integer(msg_id) + ber.integer(MAX_SIZE) + ber.octets(bytes((flags,))) + ber.integer(3),
    )
    return ber.tlv(ber.SEQUENCE, ber.integer(3) + head + ber.octets(usm) + data)


def request(user: User, engine: Engine, msg_id: int, body: bytes) -> bytes:
    """An authPriv message around the PDU ``body``."""
    salt = os.urandom(8)
    boots, now = engine.boots, engine.now()
    scoped = ber.tlv(ber.SEQUENCE, ber.octets(engine.engine_id) + ber.octets(b"") + body)
    iv = boots.to_bytes(4, "big") + now.to_bytes(4, "big") + salt
    encrypted = ber.octets(_aes(engine.priv_key, iv, scoped, True))
    usm = ber.tlv(
        ber.SEQUENCE,
        ber.octets(engine.engine_id)
        + ber.integer(boots)
        + ber.integer(now)
        + ber.octets(user.name)
        + ber.octets(AUTH_PLACEHOLDER)
        + ber.octets(salt),
    )
    whole = _message(msg_id, FLAG_AUTH | FLAG_PRIV | FLAG_REPORTABLE, usm, encrypted)
    digest = hmac.new(engine.auth_key, whole, hashlib.sha1).digest()[:12]
    at = whole.index(ber.octets(AUTH_PLACEHOLDER) + ber.octets(salt)) + 2
    return whole[:at] + digest + whole[at + 12 :]


@dataclass(slots=True)
class Incoming:
    """A parsed v3 message: its id, the agent's engine values and the PDU bytes."""

    msg_id: int
    flags: int
    engine_id: bytes
    boots: int
    time: int
    pdu: bytes


def parse(data: bytes, engines: dict[bytes, Engine]) -> Incoming:
    """Read a v3 message; authenticated ones are verified and decrypted with ``engines``' keys."""
    try:
        _, pos, end = ber.header(data, 0)
        version, head, secparams, payload = ber.children(data, pos, end)
        if ber.read_int(data, version[1], version[2]) != 3:
            raise UsmError("decode", "not an SNMPv3 message")
        msg_id_t, _, flags_t, _ = ber.children(data, head[1], head[2])
        msg_id = ber.read_int(data, msg_id_t[1], msg_id_t[2])
        flags = data[flags_t[1]]
        _, upos, uend = ber.header(data, secparams[1])
        eid, boots_t, time_t, _, auth_t, priv_t = ber.children(data, upos, uend)
    except (ValueError, IndexError) as exc:
        raise UsmError("decode", f"malformed SNMPv3 message: {exc}") from None
    engine_id = data[eid[1] : eid[2]]
    boots = ber.read_int(data, boots_t[1], boots_t[2])
    now = ber.read_int(data, time_t[1], time_t[2])
    body = data[payload[3] : payload[2]]  # plaintext: the ScopedPDU's TLV
    if flags & FLAG_AUTH:
        engine = engines.get(engine_id)
        if engine is None or not engine.auth_key:
            raise UsmError("auth", "authenticated message from an unknown engine")
        digest = data[auth_t[1] : auth_t[2]]
        zeroed = data[: auth_t[1]] + AUTH_PLACEHOLDER + data[auth_t[2] :]
        if not hmac.compare_digest(hmac.new(engine.auth_key, zeroed, hashlib.sha1).digest()[:12], digest):
            raise UsmError("auth", "wrong digest")
        if flags & FLAG_PRIV:
            iv = boots.to_bytes(4, "big") + now.to_bytes(4, "big") + data[priv_t[1] : priv_t[2]]
            body = _aes(engine.priv_key, iv, data[payload[1] : payload[2]], False)
    try:
        _, spos, send = ber.header(body, 0)
        _, _, pdu_t = ber.children(body, spos, send)
    except (ValueError, IndexError) as exc:
        raise UsmError("auth" if flags & FLAG_PRIV else "decode", f"undecodable scoped PDU: {exc}") from None
    return Incoming(msg_id, flags, engine_id, boots, now, body[pdu_t[3] : pdu_t[2]])


def report_kind(oid: Oid) -> str:
    """The usmStats counter a Report names (unknownEngineIDs, notInTimeWindows, ...)."""
    if oid[: len(USM_STATS)] == USM_STATS and len(oid) > len(USM_STATS):
        return REPORT_KINDS.get(oid[len(USM_STATS)], "report")
    return "report"
