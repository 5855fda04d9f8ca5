"""The slice of BER that SNMP GET/GETBULK messages use, encoded and decoded without objects.

pysnmp decodes every varbind into pyasn1 objects (about 0.1 ms of CPU each); the poller's hot
path only needs ints, bytes and OID tuples, so it reads the TLVs directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from govnet.monitor.oids import Oid

SEQUENCE = 0x30
INTEGER = 0x02
OCTET_STRING = 0x04
NULL = 0x05
OBJECT_ID = 0x06
GET = 0xA0
GET_NEXT = 0xA1
RESPONSE = 0xA2
GET_BULK = 0xA5
REPORT = 0xA8
UNSIGNED = {0x41, 0x42, 0x43, 0x46, 0x47}
"""Counter32, Gauge32, TimeTicks, Counter64, UInteger32: non-negative ints."""
STRINGS = {OCTET_STRING, 0x40, 0x44}
"""OCTET STRING, IpAddress, Opaque: bytes."""
ABSENT = {0x80, 0x81, 0x82}
"""noSuchObject, noSuchInstance, endOfMibView."""


class BerError(ValueError):
    """Bytes that are not the BER this module reads."""


def length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(body),)) + body


def tlv(tag: int, body: bytes) -> bytes:
    return bytes((tag,)) + length(len(body)) + body


def integer(value: int) -> bytes:
    """
    >>> integer(0).hex(), integer(128).hex(), integer(-1).hex()
    ('020100', '02020080', '0201ff')
    """
    size = max(1, (value + (value < 0)).bit_length() // 8 + 1)
    return tlv(INTEGER, value.to_bytes(size, "big", signed=True))


def octets(value: bytes) -> bytes:
    return tlv(OCTET_STRING, value)


@lru_cache(maxsize=65536)
def oid(value: Oid) -> bytes:
    """An encoded OBJECT IDENTIFIER (cached: the poller asks the same rows every cycle).

    >>> oid((1, 3, 6, 1, 2, 1, 1, 3, 0)).hex()
    '06082b06010201010300'
    """
    if len(value) < 2:
        raise BerError(f"OID {value} needs at least two arcs")
    body = bytearray()
    for arc in (value[0] * 40 + value[1], *value[2:]):  # the first two arcs share one subidentifier
        if arc < 0x80:
            body.append(arc)
            continue
        chunk = []
        while arc:
            chunk.append(arc & 0x7F)
            arc >>= 7
        body += bytes(b | 0x80 for b in reversed(chunk[1:])) + bytes((chunk[0],))
    return tlv(OBJECT_ID, bytes(body))


NULL_VARBIND_VALUE = b"\x05\x00"


def varbinds(oids: Sequence[Oid]) -> bytes:
    """The varbind list of a request: every OID with a NULL value."""
    return tlv(SEQUENCE, b"".join(map(_null_varbind, oids)))


@lru_cache(maxsize=65536)
def _null_varbind(value: Oid) -> bytes:
    """One request varbind (cached like :func:`oid`: a poller asks the same rows every cycle)."""
    return tlv(SEQUENCE, oid(value) + NULL_VARBIND_VALUE)


def header(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, start of the value, end of the value) of the TLV at ``pos``."""
    try:
        tag = data[pos]
        first = data[pos + 1]
    except IndexError:
        raise BerError("truncated TLV") from None
    pos += 2
    if first & 0x80:
        count = first & 0x7F
        size = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    else:
        size = first
    end = pos + size
    if end > len(data):
        raise BerError("TLV longer than the message")
    return tag, pos, end


def children(data: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """The TLVs inside a constructed value: (tag, value start, value end, TLV start)."""
    found = []
    pos = start
    while pos < end:
        tag, vstart, vend = header(data, pos)
        found.append((tag, vstart, vend, pos))
        pos = vend
    return found


def read_int(data: bytes, start: int, end: int) -> int:
    return int.from_bytes(data[start:end], "big", signed=True)


def read_oid(data: bytes, start: int, end: int) -> Oid:
    """
    >>> read_oid(bytes.fromhex("2b06010201010300"), 0, 8)
    (1, 3, 6, 1, 2, 1, 1, 3, 0)
    >>> read_oid(bytes.fromhex("883701"), 0, 3)  # 2.999.1: the first subidentifier takes two bytes
    (2, 999, 1)
    """
    if start >= end:
        raise BerError("empty OID")
    return _decode_oid(data[start:end])


@lru_cache(maxsize=65536)
def _decode_oid(raw: bytes) -> Oid:
    """The arcs of an OID's content octets (cached: every cycle's responses repeat the rows)."""
    subids = []
    value = 0
    for byte in raw:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            subids.append(value)
            value = 0
    if not subids:
        raise BerError("OID without a complete subidentifier")
    first = subids[0]
    arcs = [first // 40, first % 40] if first < 80 else [2, first - 80]
    return (*arcs, *subids[1:])


def read_value(data: bytes, tag: int, start: int, end: int) -> int | bytes | None:
    if tag == INTEGER:
        return read_int(data, start, end)
    if tag in UNSIGNED:
        return int.from_bytes(data[start:end], "big")
    if tag in STRINGS:
        return data[start:end]
    if tag in ABSENT or tag == NULL:
        return None
    if tag == OBJECT_ID:
        return ".".join(map(str, read_oid(data, start, end))).encode()
    raise BerError(f"unexpected SNMP type 0x{tag:02x}")


def read_pdu(data: bytes, start: int = 0) -> tuple[int, int, int, int, list[tuple[Oid, int | bytes | None]]]:
    """(pdu tag, request-id, error-status, error-index, varbinds) of the PDU at ``start``."""
    tag, pos, end = header(data, start)
    parts = children(data, pos, end)
    if len(parts) != 4:
        raise BerError("a PDU has four fields")
    request_id = read_int(data, parts[0][1], parts[0][2])
    status = read_int(data, parts[1][1], parts[1][2])
    index = read_int(data, parts[2][1], parts[2][2])
    result = []
    for _, vb_start, vb_end, _ in children(data, parts[3][1], parts[3][2]):
        fields = children(data, vb_start, vb_end)
        if len(fields) != 2:
            raise BerError(f"a varbind has two fields, not {len(fields)}")
        (otag, ostart, oend, _), (vtag, vstart, vend, _) = fields
        if otag != OBJECT_ID:
            raise BerError("varbind without an OID")
        result.append((read_oid(data, ostart, oend), read_value(data, vtag, vstart, vend)))
    return tag, request_id, status, index, result
