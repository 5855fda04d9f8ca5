"""Bad and hostile input (hypothesis): the readers of printed configs, the post-change observers'
parsers and the BER decoder never end in a traceback; they return, or raise the located error of
their stage."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fault_record import note
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govnet.deploy.driver import DeployError
from govnet.deploy.verify import observe
from govnet.monitor.ber import BerError, read_pdu, tlv
from govnet.platforms import PLATFORMS
from govnet.platforms.base import Observed
from govnet.platforms.printed import UnreadableConfig, config_text, decode, normalize, printed_config

EXAMPLES = 300
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FAULTS = {
    "test_normalize_keeps_every_line_and_never_raises":
        ("bad input: printed configs (paging debris, escapes, prompts, banners) into the check's reader",
         "govnet/platforms/printed.py normalize", "every line kept (findings keep their line), no exception"),
    "test_decode_returns_text_or_a_located_unreadable_error":
        ("bad input: arbitrary bytes as a config file", "govnet/platforms/printed.py decode",
         "text, or UnreadableConfig naming NUL bytes or the byte offset"),
    "test_config_text_agrees_with_normalize_and_reads_once":
        ("bad input: printed configs into deploy's reader (hier_config, frr-reload)",
         "govnet/platforms/printed.py config_text",
         "the check reader's lines without its blanks, idempotent, never a separator or return"),
    "test_printed_config_keeps_config_lines_in_order":
        ("bad input: captured sessions into the backup reader", "govnet/platforms/printed.py printed_config",
         "a subsequence of the input's lines, idempotent, FRR's banner dropped only in FRR style"),
    "test_observers_read_any_reply_without_a_traceback":
        ("bad input: any reply (garbage, wrong JSON shapes) to the post-change show commands",
         "govnet/deploy/verify.py observe (every platform's observer, TextFSM ones included)",
         "an observation, or a DeployError naming device, command and the place in the reply (fixed: "
         "was AttributeError/TypeError)"),
    "test_ber_decoder_returns_or_raises_ber_error":
        ("bad input: arbitrary, truncated and mis-nested BER packets", "govnet/monitor/ber.py read_pdu",
         "decoded, or BerError (a one- or three-field varbind was a bare ValueError: found here, fixed "
         "in the monitor stage)"),
}


@pytest.fixture(autouse=True)
def _record(request: pytest.FixtureRequest) -> Iterator[None]:
    """Note each property in the fault record once it has run its generated inputs."""
    yield
    if request.node.name in FAULTS:
        fault, where, outcome = FAULTS[request.node.name]
        note(request.node.name, fault, where, EXAMPLES, f"up to {EXAMPLES} generated inputs: {outcome}", 0)

CONFIG_WORDS = ["#", "!", "return", "quit", " sysname a", "interface G1", " description 公安 x",
                "header login", "information \"x", "<kf-1>display current-configuration",
                "  ---- More ----\x1b[42D", "\x1b[16D", "Building configuration...", "Current configuration:",
                "[~kf-1]", "HRP_M[fw]",
                "Info: saved", " ip address 10.0.0.1 255.255.255.0", "\t", "\r", "\x00", "\u2028", " "]
printed_text = st.lists(st.one_of(st.sampled_from(CONFIG_WORDS), st.text(max_size=20)), max_size=40).map(
    lambda parts: "\n".join(parts))


# -- printed configs ---------------------------------------------------------------------------


@FAST
@given(printed_text, st.sampled_from(["vrp", "comware", "frr", "plain"]))
def test_normalize_keeps_every_line_and_never_raises(text: str, style: Any) -> None:
    out = normalize(text, style)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    assert len(out.split("\n")) == len(lines)  # a finding's line number stays the file's line


@FAST
@given(st.binary(max_size=200))
def test_decode_returns_text_or_a_located_unreadable_error(data: bytes) -> None:
    try:
        text, encoding = decode(data)
    except UnreadableConfig as exc:
        assert re.search(r"NUL bytes|offset \d+", str(exc))
        return
    assert encoding in ("utf-8", "gb18030") and isinstance(text, str)


STYLES = st.sampled_from(["vrp", "comware", "frr", "plain"])


@FAST
@given(printed_text, STYLES)
def test_config_text_agrees_with_normalize_and_reads_once(text: str, style: Any) -> None:
    out = config_text(text, style)
    assert [ln for ln in out.splitlines() if ln.strip()] == [
        ln for ln in normalize(text, style).split("\n") if ln.strip()]
    assert config_text(out, style) == out
    if style in ("vrp", "comware"):
        assert all(ln.strip() not in ("#", "!", "return") for ln in out.splitlines())


@FAST
@given(printed_text, STYLES)
def test_printed_config_keeps_config_lines_in_order(text: str, style: Any) -> None:
    out = printed_config(text, style)
    assert printed_config(out, style) == out
    unprintable = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029]")
    source = iter(unprintable.sub("", ln).rstrip()
                  for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    assert all(any(line == candidate or line in candidate for candidate in source)
               for line in out.splitlines() if line.strip())
    if style == "frr":
        assert "Building configuration..." not in out.splitlines()


# -- the post-change observers ------------------------------------------------------------------


json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
              st.sampled_from(["Full/DR", "Established", "up", "MASTER", "FAULT"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(["neighbors", "peers", "state", "converged",
                                                             "operationalStatus", "ipv4Unicast", "keepalived",
                                                             "running", "states", "links_up", "tables",
                                                             "10.0.0.1", "eth0", "1"]) | st.text(max_size=5),
                                            inner, max_size=4)),
    max_leaves=20)
TABLE_LINES = ["Peer            V    AS  MsgRcvd  MsgSent  OutQ  Up/Down       State  PrefRcv",
               "10.0.0.1        4 65001      10       12     0 00:01:02 Established       3",
               "Interface                   PHY      Protocol  InUti OutUti   inErrors  outErrors",
               "GigabitEthernet0/0/1        up       up           0%     0%          0          0",
               "XGE1/0/1             ADM  DOWN    --       --       --",
               " Area Id          Interface                Neighbor id      State",
               " 0.0.0.0          Vlanif10                 10.0.0.2         Full",
               "Info: The neighbor does not exist.", "% No matching peer", "  ---- More ----",
               "--------------------------------------------------------", "Total: 2"]
table = st.lists(st.one_of(st.sampled_from(TABLE_LINES), st.text(max_size=30)), max_size=12).map("\n".join)
reply = st.one_of(json_value.map(json.dumps), st.text(max_size=30), st.just(""), table,
                  st.just("% Unknown command"), st.just("{\"neighbors\": "))
OBSERVED = sorted(name for name, entry in PLATFORMS.items() if entry.verify_commands)


class Answers:
    """A driver whose every show command answers with one of ``replies`` (in turn)."""

    device = "kf-core-1"

    def __init__(self, replies: list[str]) -> None:
        self.replies = replies or [""]
        self.asked = 0

    def cli(self, command: str) -> str:
        self.asked += 1
        return self.replies[(self.asked - 1) % len(self.replies)]


@FAST
@given(st.lists(reply, min_size=1, max_size=3))
def test_observers_read_any_reply_without_a_traceback(replies: list[str]) -> None:
    assert {"frr", "linux", "huawei_vrp", "huawei_vrpv8", "h3c_comware"} <= set(OBSERVED)
    for platform in OBSERVED:
        try:
            seen = observe(Answers(replies), platform)  # type: ignore[arg-type]
        except DeployError as exc:
            assert str(exc).startswith("kf-core-1: ")  # located: names the device
            continue
        assert isinstance(seen, Observed)
        assert all(isinstance(x, str) for x in seen.ospf | seen.bgp | seen.links | seen.tables | seen.vrrp)


# -- the BER decoder ---------------------------------------------------------------------------


def _pdu(parts: list[bytes]) -> bytes:
    return tlv(0xA2, b"".join(parts))


ber_piece = st.one_of(
    st.binary(max_size=12),
    st.builds(tlv, st.sampled_from([0x02, 0x04, 0x05, 0x06, 0x30, 0x40, 0x41, 0x43, 0x46, 0x80, 0x81]),
              st.binary(max_size=10)),
)


@FAST
@given(st.one_of(st.binary(max_size=80), st.lists(ber_piece, max_size=6).map(_pdu),
                 st.lists(ber_piece, max_size=6).map(lambda p: _pdu(p)[: max(0, len(_pdu(p)) - 3)])))
def test_ber_decoder_returns_or_raises_ber_error(data: bytes) -> None:
    try:
        tag, _rid, _status, _index, bound = read_pdu(data)
    except BerError as exc:
        assert str(exc)
        return
    assert isinstance(tag, int) and all(isinstance(o, tuple) for o, _ in bound)


def test_ber_varbind_with_one_field_is_a_ber_error() -> None:
    one_field = tlv(0x30, tlv(0x06, bytes([0x2B, 6, 1])))  # an OID and no value
    pdu = tlv(0xA2, tlv(0x02, b"\x01") + tlv(0x02, b"\x00") + tlv(0x02, b"\x00") + tlv(0x30, one_field))
    with pytest.raises(BerError, match="two fields, not 1"):
        read_pdu(pdu)
