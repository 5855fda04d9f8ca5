"""SNMPv3 USM messages checked against independent references: the RFC 3414 A.3.2 key vector,
pysnmp's ASN.1 schemas for every field, HMAC-SHA-96 and AES-128-CFB recomputed here (RFC 3414
6.3, RFC 3826 3.1), BER lengths on both sides of 127/128 and 255/256, and a real net-snmp agent
(authPriv requests it must accept, its Reports for each USM failure)."""

from __future__ import annotations

import hashlib
import hmac
import shutil
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from pyasn1.codec.ber import decoder, encoder  # type: ignore[import-untyped]
from pysnmp.proto import api, rfc1905
from pysnmp.proto.mpmod.rfc3412 import ScopedPDU, SNMPv3Message
from pysnmp.proto.secmod.rfc3414.service import UsmSecurityParameters
from snmprec_agent import free_port, start_snmpd, stop_pid

from govnet.monitor import ber, oids, usm

try:
    from cryptography.hazmat.decrepit.ciphers.modes import CFB
except ImportError:  # pragma: no cover - older cryptography
    from cryptography.hazmat.primitives.ciphers.modes import CFB  # type: ignore[assignment,unused-ignore]

V2 = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
ENGINE_ID = bytes.fromhex("80001f8880a1b2c3d4e5f60718")  # 13 bytes, net-snmp's format
BOOTS, TIME = 0x01020304, 0x0A0B0C0D  # every byte distinct: byte order and width show


def _ku(passphrase: bytes) -> bytes:
    """RFC 3414 A.2.2: SHA-1 over 1 MiB of the passphrase repeated."""
    repeated = passphrase * (1_048_576 // len(passphrase) + 1)
    return hashlib.sha1(repeated[:1_048_576]).digest()


def _localized(ku: bytes, engine_id: bytes) -> bytes:
    return hashlib.sha1(ku + engine_id + ku).digest()


def _aes(key: bytes, iv: bytes, data: bytes, encrypt: bool) -> bytes:
    cipher = Cipher(algorithms.AES(key[:16]), CFB(iv))
    op = cipher.encryptor() if encrypt else cipher.decryptor()
    return op.update(data) + op.finalize()


@pytest.fixture
def user() -> usm.User:
    return usm.User.from_passphrases("unit-noc", "unit-auth-key-1", "unit-priv-key-1")


@pytest.fixture
def engine(user: usm.User, monkeypatch: pytest.MonkeyPatch) -> usm.Engine:
    monkeypatch.setattr(usm, "monotonic", lambda: 500.0)
    found = usm.Engine(ENGINE_ID, BOOTS, TIME, learnt_at=500.0)
    user.localize(found)
    return found


def test_keys_follow_rfc3414_and_rfc3826() -> None:
    # RFC 3414 A.3.2: SHA, passphrase "maplesyrup", engine ID 00..02
    maple = usm.User.from_passphrases("maple", "maplesyrup", "unit-priv-key-1")
    assert maple.name == b"maple"
    assert maple.auth_ku.hex() == "9fb5cc0381497b3793528939ff788d5d79145211"
    assert maple.priv_ku == _ku(b"unit-priv-key-1")
    engine = usm.Engine(bytes.fromhex("000000000000000000000002"))
    maple.localize(engine)
    assert engine.auth_key.hex() == "6695febc9288e36282235fc7151f128497b38f3f"
    # AES-128 takes the first 16 bytes of the privacy key localized like the auth key
    assert engine.priv_key == _localized(_ku(b"unit-priv-key-1"), engine.engine_id)[:16]
    assert len(engine.priv_key) == 16


def test_engine_clock_runs_from_when_it_was_learnt(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(usm, "monotonic", lambda: clock[0])
    before = time.monotonic()
    fresh = usm.Engine()
    assert before <= fresh.learnt_at <= time.monotonic()  # learnt when made
    assert (fresh.engine_id, fresh.boots, fresh.time, fresh.auth_key, fresh.priv_key) == (b"", 0, 0, b"", b"")
    engine = usm.Engine(ENGINE_ID, boots=3, time=100, learnt_at=1000.0)
    clock[0] = 1002.9
    assert (engine.boots, engine.now()) == (3, 102)
    clock[0] = 1010.0
    engine.learn(4, 500)
    clock[0] = 1013.5
    assert (engine.boots, engine.time, engine.now()) == (4, 500, 503)


def _decoded_pdu(data: bytes) -> Any:
    return decoder.decode(data, asn1Spec=rfc1905.PDUs())[0]


def test_get_and_getbulk_pdus() -> None:
    get = usm.pdu(ber.GET, 0x7FFFFFFE, [oids.SYS_NAME, oids.SYS_UPTIME])
    assert get[:2] == b"\xa0\x2a" and get[2:8] == bytes.fromhex("02047ffffffe")
    decoded = _decoded_pdu(get).getComponent()
    assert int(V2.apiPDU.get_request_id(decoded)) == 0x7FFFFFFE
    assert int(decoded["error-status"]) == 0 and int(decoded["error-index"]) == 0
    assert [tuple(vb[0]) for vb in V2.apiPDU.get_varbinds(decoded)] == [oids.SYS_NAME, oids.SYS_UPTIME]
    bulk = usm.pdu(ber.GET_BULK, 7, [oids.IF_NAME], 2, 40)
    assert bulk == bytes.fromhex(
        "a51b020107020102020128301030 0e060a2b060102011f010101010500".replace(" ", "")
    )
    decoded = _decoded_pdu(bulk).getComponent()
    assert (int(decoded["non-repeaters"]), int(decoded["max-repetitions"])) == (2, 40)


def _v3(data: bytes) -> tuple[Any, Any]:
    message, rest = decoder.decode(data, asn1Spec=SNMPv3Message())
    assert rest == b""
    params = decoder.decode(bytes(message["msgSecurityParameters"]), asn1Spec=UsmSecurityParameters())[0]
    return message, params


def test_discovery_is_an_empty_reportable_get() -> None:
    message, params = _v3(usm.discovery(0x12345))
    head = message["msgGlobalData"]
    assert int(message["msgVersion"]) == 3
    assert int(head["msgID"]) == 0x12345 and int(head["msgMaxSize"]) == 65507
    assert bytes(head["msgFlags"]) == b"\x04" and int(head["msgSecurityModel"]) == 3
    assert bytes(params["msgAuthoritativeEngineId"]) == b""
    assert (int(params["msgAuthoritativeEngineBoots"]), int(params["msgAuthoritativeEngineTime"])) == (0, 0)
    assert bytes(params["msgUserName"]) == b"" and bytes(params["msgAuthenticationParameters"]) == b""
    assert bytes(params["msgPrivacyParameters"]) == b""
    scoped = message["msgData"]["plaintext"]
    assert bytes(scoped["contextEngineId"]) == b"" and bytes(scoped["contextName"]) == b""
    pdu = scoped["data"].getComponent()
    assert int(V2.apiPDU.get_request_id(pdu)) == 0x12345 and len(V2.apiPDU.get_varbinds(pdu)) == 0
    parts = [
        "3038",  # message, 56 bytes
        "020103",  # msgVersion 3
        "300e 020105 020300ffe3 040104 020103",  # msgID 5, msgMaxSize 65507, flags reportable, USM
        "0410 300e 0400 020100 020100 0400 0400 0400",  # empty USM parameters
        "3011 0400 0400 a00b 020105 020100 020100 3000",  # scoped GET, request-id 5, no varbinds
    ]
    assert usm.discovery(5) == bytes.fromhex("".join(parts).replace(" ", ""))


def _pdu_of(size: int) -> bytes:
    """A GET PDU of exactly ``size`` bytes (TLV included): one varbind with a string value."""
    for k in range(1500):
        for request_id in (1, 0x80, 0x8000, 0x800000):
            varbind = ber.tlv(ber.SEQUENCE, ber.oid(oids.SYS_NAME) + ber.octets(b"a" * k))
            inner = ber.integer(request_id) + ber.integer(0) + ber.integer(0) + ber.tlv(ber.SEQUENCE, varbind)
            pdu = ber.tlv(ber.GET, inner)
            if len(pdu) == size:
                return pdu
    raise AssertionError(f"no PDU of {size} bytes")


# PDU sizes putting the scoped PDU's content at 127, 128, 255, 256 bytes (17 bytes of context
# before the PDU), then the PDU's own content there, then a large one
SIZES = [27, 110, 111, 238, 239, 129, 131, 258, 260, 1400]


def _hmac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha1).digest()[:12]


@pytest.mark.parametrize("size", SIZES)
def test_request_is_authenticated_encrypted_and_parses_back(
    size: int, user: usm.User, engine: usm.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    salt = bytes.fromhex("f1e2d3c4b5a69788")
    monkeypatch.setattr("govnet.monitor.usm.os.urandom", lambda n: salt[:n])
    body = _pdu_of(size)
    data = usm.request(user, engine, 0x7FFFFFFF, body)
    message, params = _v3(data)
    head = message["msgGlobalData"]
    assert (int(head["msgID"]), int(head["msgMaxSize"]), int(head["msgSecurityModel"])) == (
        0x7FFFFFFF,
        65507,
        3,
    )
    assert bytes(head["msgFlags"]) == b"\x07"  # auth, priv, reportable
    assert bytes(params["msgAuthoritativeEngineId"]) == ENGINE_ID
    assert int(params["msgAuthoritativeEngineBoots"]) == BOOTS
    assert int(params["msgAuthoritativeEngineTime"]) == TIME
    assert bytes(params["msgUserName"]) == b"unit-noc"
    assert bytes(params["msgPrivacyParameters"]) == salt
    digest = bytes(params["msgAuthenticationParameters"])
    assert data.count(digest) == 1
    assert digest == _hmac(engine.auth_key, data.replace(digest, bytes(12)))
    encrypted = bytes(message["msgData"]["encryptedPDU"])
    plain = _aes(engine.priv_key, BOOTS.to_bytes(4, "big") + TIME.to_bytes(4, "big") + salt, encrypted, False)
    scoped, rest = decoder.decode(plain, asn1Spec=ScopedPDU())
    assert rest == b""
    assert bytes(scoped["contextEngineId"]) == ENGINE_ID and bytes(scoped["contextName"]) == b""
    assert encoder.encode(scoped["data"]) == body
    incoming = usm.parse(data, {ENGINE_ID: engine})
    assert incoming == usm.Incoming(0x7FFFFFFF, 7, ENGINE_ID, BOOTS, TIME, body)


def _response(request_id: int, size: int) -> Any:
    """A Response PDU (pyasn1) whose string value is ``size`` bytes."""
    pdu = V2.ResponsePDU()
    V2.apiPDU.set_defaults(pdu)
    V2.apiPDU.set_request_id(pdu, request_id)
    V2.apiPDU.set_varbinds(
        pdu, [(oids.SYS_NAME, V2.OctetString(b"n" * size)), (oids.SYS_UPTIME, V2.TimeTicks(9))]
    )
    return pdu


def _answer(
    engine: usm.Engine, pdu: Any, *, flags: int, salt: bytes = b"saltsalt", version: int = 3
) -> bytes:
    """An agent's message built with pyasn1: authPriv (3), authNoPriv (1) or noAuthNoPriv (0)."""
    scoped = ScopedPDU()
    scoped["contextEngineId"] = engine.engine_id
    scoped["contextName"] = b""
    scoped["data"].setComponentByType(pdu.getTagSet(), pdu)
    message = SNMPv3Message()
    message["msgVersion"] = version
    head = message["msgGlobalData"]
    head["msgID"] = 4242
    head["msgMaxSize"] = 1500
    head["msgFlags"] = bytes((flags,))
    head["msgSecurityModel"] = 3
    params = UsmSecurityParameters()
    params["msgAuthoritativeEngineId"] = engine.engine_id
    params["msgAuthoritativeEngineBoots"] = engine.boots
    params["msgAuthoritativeEngineTime"] = engine.time
    params["msgUserName"] = b"unit-noc"
    params["msgAuthenticationParameters"] = bytes(12) if flags & usm.FLAG_AUTH else b""
    params["msgPrivacyParameters"] = salt if flags & usm.FLAG_PRIV else b""
    message["msgSecurityParameters"] = encoder.encode(params)
    if flags & usm.FLAG_PRIV:
        iv = engine.boots.to_bytes(4, "big") + engine.time.to_bytes(4, "big") + salt
        message["msgData"]["encryptedPDU"] = _aes(engine.priv_key, iv, encoder.encode(scoped), True)
    else:
        message["msgData"]["plaintext"] = scoped
    data = bytes(encoder.encode(message))
    if flags & usm.FLAG_AUTH:
        data = data.replace(bytes(12), _hmac(engine.auth_key, data), 1)
    return data


@pytest.mark.parametrize("size", [1, 100, 101, 227, 228, 1400])
@pytest.mark.parametrize("flags", [0, 1, 3])
def test_agent_answers_at_every_security_level_parse(flags: int, size: int, engine: usm.Engine) -> None:
    pdu = _response(77, size)
    data = _answer(engine, pdu, flags=flags)
    incoming = usm.parse(data, {ENGINE_ID: engine} if flags else {})
    assert incoming == usm.Incoming(4242, flags, ENGINE_ID, BOOTS, TIME, bytes(encoder.encode(pdu)))


def _error(data: bytes, engines: dict[bytes, usm.Engine]) -> tuple[str, str]:
    with pytest.raises(usm.UsmError) as caught:
        usm.parse(data, engines)
    return caught.value.kind, str(caught.value)


def test_parse_refuses_what_it_cannot_trust(user: usm.User, engine: usm.Engine) -> None:
    good = _answer(engine, _response(1, 10), flags=3)
    assert _error(good, {}) == ("auth", "authenticated message from an unknown engine")
    assert _error(good, {ENGINE_ID: usm.Engine(ENGINE_ID)}) == (
        "auth",
        "authenticated message from an unknown engine",
    )
    assert _error(good, {b"other": engine}) == ("auth", "authenticated message from an unknown engine")
    other = usm.Engine(ENGINE_ID, BOOTS, TIME)
    usm.User.from_passphrases("unit-noc", "another-auth-key", "unit-priv-key-1").localize(other)
    assert _error(good, {ENGINE_ID: other}) == ("auth", "wrong digest")
    tampered = bytearray(good)
    tampered[-1] ^= 0x01  # the last byte of the encrypted PDU
    assert _error(bytes(tampered), {ENGINE_ID: engine}) == ("auth", "wrong digest")
    wrong_priv = usm.Engine(ENGINE_ID, BOOTS, TIME)
    usm.User.from_passphrases("unit-noc", "unit-auth-key-1", "another-priv-key").localize(wrong_priv)
    kind, message = _error(good, {ENGINE_ID: wrong_priv})
    assert kind == "auth" and message.startswith("undecodable scoped PDU: ")
    kind, message = _error(good[:40], {})
    assert kind == "decode" and message.startswith("malformed SNMPv3 message: ")
    v1 = _answer(engine, _response(1, 10), flags=0, version=1)
    assert _error(v1, {}) == ("decode", "malformed SNMPv3 message: not an SNMPv3 message")


def _with_scoped(data: bytes, scoped: bytes) -> bytes:
    """``data`` (a noAuthNoPriv message) with its scoped PDU replaced by ``scoped``."""
    _, pos, end = ber.header(data, 0)
    version, _, params, _ = ber.children(data, pos, end)
    return ber.tlv(ber.SEQUENCE, data[version[3] : params[2]] + scoped)


def test_an_unreadable_plaintext_scoped_pdu_is_a_decode_error(engine: usm.Engine) -> None:
    plain = _answer(engine, _response(1, 10), flags=0)
    short = ber.tlv(ber.SEQUENCE, ber.octets(ENGINE_ID) + ber.octets(b""))  # no PDU
    kind, message = _error(_with_scoped(plain, short), {})
    assert kind == "decode" and message.startswith("undecodable scoped PDU: ")
    with_pdu = ber.tlv(ber.SEQUENCE, ber.octets(ENGINE_ID) + ber.octets(b"ctx") + ber.tlv(ber.REPORT, b""))
    assert usm.parse(_with_scoped(plain, with_pdu), {}).pdu == b"\xa8\x00"


@pytest.mark.parametrize(
    ("oid", "kind"),
    [
        ((*usm.USM_STATS, 1, 0), "unsupportedSecLevels"),
        ((*usm.USM_STATS, 2, 0), "notInTimeWindows"),
        ((*usm.USM_STATS, 3, 0), "unknownUserNames"),
        ((*usm.USM_STATS, 4, 0), "unknownEngineIDs"),
        ((*usm.USM_STATS, 5, 0), "wrongDigests"),
        ((*usm.USM_STATS, 6), "decryptionErrors"),
        ((*usm.USM_STATS, 7, 0), "report"),
        (usm.USM_STATS, "report"),
        ((1, 3, 6, 1, 6, 3, 15, 1, 2, 2, 0), "report"),
        ((1, 3, 6, 1, 6, 3, 11, 2, 1, 3, 0), "report"),  # snmpUnknownPDUHandlers (MPD stats)
    ],
)
def test_report_kind(oid: tuple[int, ...], kind: str) -> None:
    assert usm.report_kind(oid) == kind


# --- a real agent: net-snmp's snmpd on loopback, SHA/AES user as in test_snmp ---------------

AGENT_USER = ("unit-noc", "unit-auth-key-1", "unit-priv-key-1")


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    if shutil.which("snmpd") is None:
        pytest.fail("snmpd missing (package snmpd, installed by make setup)")
    port = free_port()
    name, auth, priv = AGENT_USER
    pid = start_snmpd(
        tmp_path_factory.mktemp("snmpd-usm"),
        [
            f"agentAddress udp:127.0.0.1:{port}",
            f'createUser {name} SHA "{auth}" AES "{priv}"',
            f"rouser {name} priv",
            "sysName usm-agent",
            "sysContact " + "c" * 250,
            "sysLocation " + "l" * 250,  # an answer past 512 bytes
        ],
    )
    try:
        yield port
    finally:
        stop_pid(pid)


def _ask(port: int, data: bytes) -> bytes:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(3)
        sock.sendto(data, ("127.0.0.1", port))
        return sock.recv(65535)


def _discover(port: int, user: usm.User) -> usm.Engine:
    found = usm.parse(_ask(port, usm.discovery(11)), {})
    engine = usm.Engine(found.engine_id)
    engine.learn(found.boots, found.time)
    user.localize(engine)
    return engine


def test_real_agent_accepts_requests_and_its_answers_decrypt(agent: int) -> None:
    user = usm.User.from_passphrases(*AGENT_USER)
    report = usm.parse(_ask(agent, usm.discovery(11)), {})
    assert report.msg_id == 11 and report.flags & usm.FLAG_AUTH == 0 and len(report.engine_id) >= 5
    assert ber.read_pdu(report.pdu)[0] == ber.REPORT
    engine = _discover(agent, user)
    asked = [oids.SYS_NAME, (1, 3, 6, 1, 2, 1, 1, 4, 0), (1, 3, 6, 1, 2, 1, 1, 6, 0)]
    answer = usm.parse(
        _ask(agent, usm.request(user, engine, 12, usm.pdu(ber.GET, 12, asked))), {engine.engine_id: engine}
    )
    assert answer.msg_id == 12 and answer.flags & (usm.FLAG_AUTH | usm.FLAG_PRIV) == 3
    assert answer.engine_id == engine.engine_id and answer.boots == engine.boots
    tag, request_id, status, _, varbinds = ber.read_pdu(answer.pdu)
    assert (tag, request_id, status) == (ber.RESPONSE, 12, 0)
    assert varbinds == [(oids.SYS_NAME, b"usm-agent"), (asked[1], b"c" * 250), (asked[2], b"l" * 250)]
    bulk = usm.request(user, engine, 13, usm.pdu(ber.GET_BULK, 13, [(1, 3, 6, 1, 2, 1, 1)], 0, 3))
    _, _, _, _, rows = ber.read_pdu(usm.parse(_ask(agent, bulk), {engine.engine_id: engine}).pdu)
    assert len(rows) == 3 and rows[0][0][:8] == (1, 3, 6, 1, 2, 1, 1, 1)


def _report(port: int, data: bytes, engines: dict[bytes, usm.Engine]) -> tuple[str, usm.Incoming]:
    incoming = usm.parse(_ask(port, data), engines)
    tag, _, _, _, varbinds = ber.read_pdu(incoming.pdu)
    assert tag == ber.REPORT
    return usm.report_kind(varbinds[0][0]), incoming


def test_real_agent_reports_each_usm_failure(agent: int) -> None:
    user = usm.User.from_passphrases(*AGENT_USER)
    engine = _discover(agent, user)
    engines = {engine.engine_id: engine}
    get = usm.pdu(ber.GET, 21, [oids.SYS_NAME])
    late = usm.Engine(engine.engine_id, engine.boots, engine.time + 1000)
    user.localize(late)
    kind, incoming = _report(agent, usm.request(user, late, 21, get), engines)
    assert kind == "notInTimeWindows" and abs(incoming.time - engine.now()) <= 2
    stranger = usm.User.from_passphrases("nobody", *AGENT_USER[1:])
    assert _report(agent, usm.request(stranger, engine, 22, get), engines)[0] == "unknownUserNames"
    forger = usm.User.from_passphrases("unit-noc", "wrong-auth-key", AGENT_USER[2])
    forged = usm.Engine(engine.engine_id, engine.boots, engine.time)
    forger.localize(forged)
    assert _report(agent, usm.request(forger, forged, 23, get), engines)[0] == "wrongDigests"
    elsewhere = usm.Engine(b"\x80\x00\x1f\x88\x04other", engine.boots, engine.time)
    user.localize(elsewhere)
    assert _report(agent, usm.request(user, elsewhere, 24, get), engines)[0] == "unknownEngineIDs"
