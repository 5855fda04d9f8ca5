"""Tests that bite: fixtures rich enough to separate fields that coincide in the simple case.

Each test here was proved against a planted one-line bug (the fault list: a load-sharing pair
with VRIDs other than 1 read as split brain, the b-end's peer label, admin status exported from
oper status, a BER length off by one at 128, the write community unmasked, backups that never
record a second change, overlapping public and internet pools, deny-all/permit/deny-all, another
user's live deploy lock, a 0640 secrets file): it fails with the bug and passes without it.
"""

from __future__ import annotations

import copy
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from monitor_support import healthy_snapshot
from pyasn1.codec.ber import encoder  # type: ignore[import-untyped]
from pyasn1.type import univ  # type: ignore[import-untyped]
from spec_support import check, edit, rendered

from govnet.credentials import load_credentials
from govnet.deploy.backup import commit_files, ensure_repo
from govnet.deploy.lock import LockHeld, network_lock
from govnet.deploy.mask import HIDDEN, mask_config
from govnet.errors import InventoryError, SecretsError
from govnet.inventory import load_network
from govnet.lab.topology import select_devices
from govnet.monitor import ber, usm
from govnet.monitor.exporter import exposition, make_registry
from govnet.monitor.health import judge
from govnet.monitor.oids import Oid
from govnet.monitor.plan import Plan, build_plan
from govnet.monitor.snapshot import InterfaceState

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def plan() -> Plan:
    network = load_network(ROOT / "inventory")
    return build_plan(network, devices=select_devices(network), lab=True)


def _pair_state(plan: Plan, vendor: dict[str, dict[str, dict[str, int]]]) -> str:
    snap = healthy_snapshot(plan)
    for fw, tables in vendor.items():
        snap.devices[fw].vendor = tables
    return next(h.state for h in judge(plan, snap) if h.group.name == "kf-firewall-pair")


# -- several VRIDs --------------------------------------------------------------------------------


def test_a_load_sharing_pair_with_vrids_other_than_1_is_not_split_brain(plan: Plan) -> None:
    """kf-fw-1 master of VRID 10, kf-fw-2 of VRID 20 (address type ipv4(1) in VRRPv3's index):
    one master per VRID is healthy, read from either MIB; the VRID, not the address type or the
    ifIndex, names the instance."""
    v3 = "vrrpv3OperationsStatus"
    sharing = {
        "kf-fw-1": {v3: {"7.10.1": 3, "7.20.1": 2}, "vrrpOperState": {"7.10": 3, "7.20": 2}},
        "kf-fw-2": {v3: {"9.10.1": 2, "9.20.1": 3}, "vrrpOperState": {"9.10": 2, "9.20": 3}},
    }
    assert _pair_state(plan, sharing) == "healthy"
    only_v3 = {fw: {v3: tables[v3]} for fw, tables in sharing.items()}
    assert _pair_state(plan, only_v3) == "healthy"
    only_v2 = {fw: {"vrrpOperState": tables["vrrpOperState"]} for fw, tables in sharing.items()}
    assert _pair_state(plan, only_v2) == "healthy"
    only_v3["kf-fw-2"][v3]["9.10.1"] = 3  # now VRID 10 has two masters
    assert _pair_state(plan, only_v3) == "split_brain"
    only_v2["kf-fw-1"]["vrrpOperState"]["7.20"] = 3  # and here VRID 20
    assert _pair_state(plan, only_v2) == "split_brain"


# -- admin != oper, both link ends ----------------------------------------------------------------


def _series(text: str, metric: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(device, interface) -> (peer label, value) of one metric's lines."""
    found = {}
    for line in text.splitlines():
        if not line.startswith(metric + "{"):
            continue
        labels = dict(part.split("=", 1) for part in line[len(metric) + 1 : line.index("}")].split('",'))
        clean = {k: v.strip('"') for k, v in labels.items()}
        found[(clean["device"], clean["interface"])] = (clean["peer"], line.rsplit(" ", 1)[1])
    return found


def test_admin_and_oper_status_are_exported_each_from_its_own_column(plan: Plan) -> None:
    snap = healthy_snapshot(plan)
    ends = [(dev.name, end) for dev in plan.devices for end in dev.links]
    statuses = {}
    for n, (device, end) in enumerate(ends):
        admin, oper = [(1, 2), (2, 1), (1, 1), (2, 2)][n % 4]
        snap.devices[device].interfaces[end.ifname] = InterfaceState(
            ifindex=n + 2, admin_status=admin, oper_status=oper, name=end.ifname
        )
        statuses[(device, end.interface)] = (admin, oper)
    text = exposition(make_registry(plan, lambda: snap)).decode()
    admin_up = _series(text, "govnet_interface_admin_up")
    oper_up = _series(text, "govnet_interface_oper_up")
    assert len(statuses) > 8
    for key, (admin, oper) in statuses.items():
        assert admin_up[key][1] == ("1" if admin == 1 else "0"), key
        assert oper_up[key][1] == ("1" if oper == 1 else "0"), key


def test_every_link_end_is_labelled_with_its_far_end_as_peer(plan: Plan) -> None:
    text = exposition(make_registry(plan, lambda: healthy_snapshot(plan))).decode()
    oper_up = _series(text, "govnet_interface_oper_up")
    b_ends = 0
    for link in plan.network.links:
        for device, interface, far in (
            (link.a, link.a_interface, link.b),
            (link.b, link.b_interface, link.a),
        ):
            key = (device, interface)
            if key not in oper_up:
                continue
            assert oper_up[key][0] == far, (key, link.id)
            b_ends += device == link.b
    assert b_ends >= 5  # b-ends are checked, not only a-ends


# -- BER lengths around 127/128/255/256 -----------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 126, 127, 128, 129, 254, 255, 256, 257, 65535, 65536])
def test_ber_lengths_match_an_independent_encoder_and_read_back(size: int) -> None:
    body = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    encoded = ber.octets(body)
    assert encoded == encoder.encode(univ.OctetString(body))  # pyasn1 as the oracle
    assert ber.header(encoded, 0) == (ber.OCTET_STRING, len(encoded) - size, len(encoded))
    with pytest.raises(ber.BerError):
        ber.header(encoded[:-1], 0) if size else ber.header(encoded[:1], 0)


def test_a_get_of_seven_objects_crosses_the_128_byte_length() -> None:
    """Seven ifTable rows make a varbind list of more than 127 bytes: the long-form length."""
    rows: list[Oid] = [(1, 3, 6, 1, 2, 1, 2, 2, 1, column, 1000 + n) for n, column in enumerate(range(2, 9))]
    pdu = usm.pdu(ber.GET, 4242, rows)
    _, start, end = ber.header(pdu, 0)
    assert end == len(pdu) and pdu[1] & 0x80  # long form at the PDU
    assert pdu[1] == 0x81 and 128 <= end - start <= 255  # one length octet after 0x81
    assert ber.varbinds(rows)[1] < 0x80  # while the varbind list still has the short form
    assert pdu == encoder.encode(_pyasn1_get(4242, rows))
    tag, request_id, status, index, varbinds = ber.read_pdu(pdu)
    assert (tag, request_id, status, index) == (ber.GET, 4242, 0, 0)
    assert [name for name, _ in varbinds] == rows and all(v is None for _, v in varbinds)
    assert start < end


def _pyasn1_get(request_id: int, rows: list[Oid]) -> univ.Sequence:
    from pysnmp.proto import api

    proto = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    pdu = proto.GetRequestPDU()
    proto.apiPDU.set_defaults(pdu)
    proto.apiPDU.set_request_id(pdu, request_id)
    proto.apiPDU.set_varbinds(pdu, [(".".join(map(str, r)), proto.Null("")) for r in rows])
    return pdu


# -- masking, backups -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        (
            " snmp-agent community write Wr1te-Secret acl 2001",
            f" snmp-agent community write {HIDDEN} acl 2001",
        ),
        (" snmp-agent community read Re4d-Secret acl 2000", f" snmp-agent community read {HIDDEN} acl 2000"),
        (
            " snmp-agent community write cipher %^%#Wr1te-Secret%^%#",
            f" snmp-agent community write cipher {HIDDEN}",
        ),
        ("snmp-server community Wr1te-Secret RW", f"snmp-server community {HIDDEN} RW"),
        (
            " pre-shared-key cipher Wr1te-Secret mid",
            f" pre-shared-key cipher {HIDDEN} mid",
        ),
    ],
)
def test_read_and_write_communities_are_masked(line: str, masked: str) -> None:
    assert mask_config(line) == masked
    assert mask_config(f"sysname a\n{line}\nreturn") == f"sysname a\n{masked}\nreturn"


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        (" snmp-agent community simple write Wr1te-Secret", f" snmp-agent community simple write {HIDDEN}"),
        (" snmp-agent community write simple Wr1te-Secret", f" snmp-agent community write simple {HIDDEN}"),
    ],
)
def test_comware_simple_communities_are_masked(line: str, masked: str) -> None:
    assert mask_config(line) == masked


def test_backups_record_every_later_change_and_only_changes(tmp_path: Path) -> None:
    repo = tmp_path / "backups"
    ensure_repo(repo)
    first, c1 = commit_files(repo, {"a.cfg": "hostname a\n", "b.cfg": "hostname b\n"}, "run 1")
    again, c_same = commit_files(repo, {"a.cfg": "hostname a\n", "b.cfg": "hostname b\n"}, "run 2")
    second, c2 = commit_files(repo, {"a.cfg": "hostname a\n", "b.cfg": "hostname b2\n"}, "run 3")
    third, c3 = commit_files(repo, {"a.cfg": "hostname a3\n", "b.cfg": "hostname b2\n"}, "run 4")
    assert (first, again, second, third) == (["a.cfg", "b.cfg"], [], ["b.cfg"], ["a.cfg"])
    assert c1 and c2 and c3 and len({c1, c2, c3}) == 3 and c_same is None
    log = subprocess.run(
        ["git", "-C", str(repo), "log", "--format=%s"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert log == ["run", "4", "run", "3", "run", "1"]
    shown = subprocess.run(
        ["git", "-C", str(repo), "show", f"{c3}:b.cfg"], capture_output=True, text=True, check=True
    ).stdout
    assert shown == "hostname b2\n" and (repo / "a.cfg").read_text(encoding="utf-8") == "hostname a3\n"


# -- validate: public and internet pools ----------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("attach_pool: 10.48.0.0/12}", "attach_pool: 10.32.0.0/12}"),  # internet attach = public attach
        ("site_pool: 10.64.0.0/11", "site_pool: 10.32.0.0/11"),  # internet site over public attach
        ("attach_pool: 10.48.0.0/12}", "attach_pool: 10.200.0.0/16}"),  # internet attach in public site
    ],
)
def test_overlapping_public_and_internet_pools_are_refused(tmp_path: Path, old: str, new: str) -> None:
    inventory = tmp_path / "inventory"
    shutil.copytree(ROOT / "inventory", inventory)
    network_yaml = inventory / "network.yaml"
    text = network_yaml.read_text(encoding="utf-8")
    assert text.count(old) == 1
    network_yaml.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(InventoryError) as caught:
        load_network(inventory)
    assert "zones public and internet share address space" in str(caught.value)
    assert "network.yaml:27:" in str(caught.value)  # the internet zone's line


# -- firewall policy: deny-all last ---------------------------------------------------------------


def test_a_permit_between_two_deny_all_rules_fails_the_deny_last_rule() -> None:
    configs = rendered()
    permit = " rule name late-permit\n  source-zone trust\n  source-address 10.0.0.0 mask 255.0.0.0\n"
    edit(
        configs,
        "kf-fw-1",
        " rule name default-deny\n  action deny\n",
        f" rule name default-deny\n  action deny\n{permit}  policy logging\n  action permit\n"
        " rule name final-deny\n  action deny\n",
    )
    report = check(configs=configs, rules=["GN-CFG-128"])
    messages = sorted(f.message for f in report.findings if f.device == "kf-fw-1")
    assert any("final-deny comes after the deny-all rule default-deny" in m for m in messages), messages
    assert any("late-permit comes after the deny-all rule default-deny" in m for m in messages), messages


# -- the deploy lock ------------------------------------------------------------------------------


def test_another_users_live_lock_is_never_taken_over(tmp_path: Path) -> None:
    lock = tmp_path / "kaifu.lock"
    gone = subprocess.Popen(["true"])
    gone.wait()  # a pid with no process here: another host's live deploy must not look dead
    other = f"ops@noc-2.other pid {gone.pid} since 2026-12-07T04:00:00Z"
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        here = f"alice@{socket.gethostname()} pid {sleeper.pid} since 2026-12-07T04:00:00Z"
        for holder in (other, here):
            lock.write_text(holder + "\n", encoding="utf-8")
            before = lock.stat().st_mtime_ns
            with pytest.raises(LockHeld, match="already running"), network_lock(tmp_path, "kaifu"):
                pass
            assert lock.read_text(encoding="utf-8") == holder + "\n" and lock.stat().st_mtime_ns == before
    finally:
        sleeper.kill()
        sleeper.wait()
    lock.write_text(
        f"alice@{socket.gethostname()} pid {gone.pid} since 2026-12-07T04:00:00Z\n", encoding="utf-8"
    )
    # this host's lock whose process is gone: taken over (the test can tell the cases apart)
    with network_lock(tmp_path, "kaifu") as taken:
        assert f"pid {os.getpid()}" in taken.read_text(encoding="utf-8")
    assert not lock.exists()


# -- secrets files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "refused"),
    [
        (0o600, False),
        (0o400, False),
        (0o640, True),
        (0o604, True),
        (0o620, True),
        (0o660, True),
        (0o644, True),
    ],
)
def test_a_secrets_file_readable_by_group_or_other_is_refused(
    tmp_path: Path, mode: int, refused: bool
) -> None:
    secrets = tmp_path / "secrets.env"
    secrets.write_text("GOVNET_SNMP_USER=noc\n", encoding="utf-8")
    secrets.chmod(mode)
    if refused:
        with pytest.raises(SecretsError, match="readable by others; run chmod 600"):
            load_credentials(secrets, environ={})
    else:
        assert load_credentials(secrets, environ={}).snmp_user == "noc"


# -- BER decoding against pysnmp's encoder (every SNMP type, signs, long OIDs, exact errors) -------


def _pysnmp_response(request_id: int, status: int, index: int, binds: list[tuple[str, object]]) -> bytes:
    from pysnmp.proto import api

    proto = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    pdu = proto.ResponsePDU()
    proto.apiPDU.set_defaults(pdu)
    proto.apiPDU.set_request_id(pdu, request_id)
    proto.apiPDU.set_error_status(pdu, status)
    proto.apiPDU.set_error_index(pdu, index)
    proto.apiPDU.set_varbinds(pdu, binds)
    return bytes(encoder.encode(pdu))


def test_every_snmp_type_decodes_as_pysnmp_encoded_it() -> None:
    from pysnmp.proto.api import v2c

    binds: list[tuple[str, object]] = [
        ("1.3.6.1.2.1.1.3.0", v2c.TimeTicks(4294967295)),
        ("1.3.6.1.2.1.2.2.1.8.1000", v2c.Integer(-129)),
        ("1.3.6.1.2.1.2.2.1.7.1000", v2c.Integer(-1)),
        ("1.3.6.1.2.1.2.2.1.10.1", v2c.Counter32(4294967295)),
        ("1.3.6.1.2.1.31.1.1.1.15.1", v2c.Gauge32(128)),
        ("1.3.6.1.2.1.31.1.1.1.6.1", v2c.Counter64(2**64 - 1)),
        ("1.3.6.1.2.1.4.20.1.1.10.0.0.1", v2c.IpAddress("10.0.0.255")),
        ("1.3.6.1.2.1.1.2.0", v2c.ObjectIdentifier("2.999.16384.1")),
        ("1.3.6.1.2.1.1.1.0", v2c.OctetString(b"\xe4\xb8\xad\x00")),
        ("1.3.6.1.2.1.1.4.0", v2c.NoSuchObject()),
        ("1.3.6.1.2.1.1.5.0", v2c.NoSuchInstance()),
        ("1.3.6.1.2.1.1.6.0", v2c.EndOfMibView()),
        ("1.3.6.1.2.1.1.7.0", v2c.Null()),
        ("1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5.16842753", v2c.Unsigned32(7)),
    ]
    data = _pysnmp_response(2**31 - 1, 5, 3, binds)
    tag, request_id, status, index, varbinds = ber.read_pdu(b"\x00\x00" + data, 2)
    assert (tag, request_id, status, index) == (ber.RESPONSE, 2**31 - 1, 5, 3)
    assert [".".join(map(str, name)) for name, _ in varbinds] == [name for name, _ in binds]
    assert [value for _, value in varbinds] == [
        4294967295, -129, -1, 4294967295, 128, 2**64 - 1, bytes([10, 0, 0, 255]), b"2.999.16384.1",
        b"\xe4\xb8\xad\x00", None, None, None, None, 7,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (0, "020100"), (1, "020101"), (127, "02017f"), (128, "02020080"), (255, "020200ff"),
        (256, "02020100"), (32767, "02027fff"), (32768, "0203008000"), (2**31 - 1, "02047fffffff"),
        (-1, "0201ff"), (-128, "020180"), (-129, "0202ff7f"), (-256, "0202ff00"), (-32769, "0203ff7fff"),
    ],
)  # fmt: skip
def test_integers_encode_minimally_and_read_back_with_their_sign(value: int, encoded: str) -> None:
    """X.690 8.3.2: the shortest two's complement (pyasn1 pads some negatives, so hand-written)."""
    data = bytes.fromhex(encoded)
    assert ber.integer(value) == data
    tag, start, end = ber.header(data, 0)
    assert (tag, ber.read_int(data, start, end), ber.read_value(data, tag, start, end)) == (2, value, value)


@pytest.mark.parametrize(
    "name", [(1, 3, 6, 1, 4, 1, 2011, 2**32 - 1), (2, 999, 1), (2, 47, 128), (0, 39), (1, 0, 16383, 16384)]
)
def test_oids_encode_as_pyasn1_and_read_back(name: tuple[int, ...]) -> None:
    encoded = ber.oid(name)
    assert encoded == encoder.encode(univ.ObjectIdentifier(name))
    assert ber.read_oid(encoded, 2, len(encoded)) == name


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x30", "truncated TLV"),
        (b"\x04\x05abc", "TLV longer than the message"),
        (b"\x04\x82\x01", "TLV longer than the message"),
        (bytes.fromhex("a2 03 02 01 01"), "a PDU has four fields"),
        (bytes.fromhex("a2 10 020101 020100 020100 3005 3003 06012b"), "a varbind has two fields, not 1"),
        (bytes.fromhex("a2 12 020101 020100 020100 3007 3005 020100 0500"), "varbind without an OID"),
        (bytes.fromhex("a2 11 020101 020100 020100 3006 3004 0600 0500"), "empty OID"),
        (
            bytes.fromhex("a2 12 020101 020100 020100 3007 3005 060181 0500"),
            "OID without a complete subidentifier",
        ),
        (bytes.fromhex("a2 13 020101 020100 020100 3008 3006 06022b06 6400"), "unexpected SNMP type 0x64"),
    ],
)
def test_bad_ber_is_a_ber_error_saying_what_is_wrong(data: bytes, message: str) -> None:
    with pytest.raises(ber.BerError) as caught:
        ber.read_pdu(data)
    assert str(caught.value) == message


# -- credentials: every key, the file format, what is never shown --------------------------------


def _every_key() -> dict[str, str]:
    from govnet.credentials import SECRET_KEYS

    return {key: f"v-{n}-{key.lower()}" for n, key in enumerate(SECRET_KEYS)}


def test_every_secret_key_maps_to_its_own_field_and_round_trips_through_a_file(tmp_path: Path) -> None:
    from govnet.credentials import SECRET_KEYS, USER_KEYS, Credentials, credentials_from

    values = _every_key()
    creds = credentials_from(values)
    assert creds.by_key() == values  # no two fields swapped, none dropped
    assert (
        creds.snmp_community == values["GOVNET_SNMP_COMMUNITY"] and creds.ldp_key == values["GOVNET_LDP_KEY"]
    )
    assert creds.ssh_key_passphrase == values["GOVNET_SSH_KEY_PASSPHRASE"]
    assert sorted(creds.secret_values()) == sorted(v for k, v in values.items() if k not in USER_KEYS)
    assert repr(creds) == str(creds) and not any(v in repr(creds) for v in values.values())
    assert repr(creds).count("'***'") == len(SECRET_KEYS) and "None" not in repr(creds)
    assert repr(Credentials(snmp_user="u")).count("None") == len(SECRET_KEYS) - 1
    assert repr(Credentials(snmp_community="c", ssh_key_file="/k")) == (
        "Credentials({'ssh_user': None, 'ssh_password': None, 'snmp_user': None, 'snmp_auth_key': None, "
        "'snmp_priv_key': None, 'snmp_community': '***', 'hwtacacs_key': None, 'ntp_key': None, "
        "'ospf_key': None, 'bgp_password': None, 'ldp_key': None, 'ssh_key_file': '***', "
        "'ssh_key_passphrase': None})"
    )
    assert credentials_from({}) == Credentials() and credentials_from({}).ldp_key == ""
    secrets = tmp_path / "secrets.env"
    secrets.write_text(creds.env_lines(), encoding="utf-8")
    secrets.chmod(0o600)
    assert load_credentials(secrets, environ={}) == creds
    assert creds.env_lines().splitlines()[0] == f"GOVNET_SSH_USER={values['GOVNET_SSH_USER']}"
    assert Credentials(ntp_key="n").env_lines() == "GOVNET_NTP_KEY=n\n"


def test_a_secrets_file_is_read_line_by_line_with_located_errors(tmp_path: Path) -> None:
    from govnet.credentials import parse_secrets_file

    good = tmp_path / "good.env"
    good.write_text(
        "# noc\n\n  export GOVNET_SNMP_USER = 'noc' \nGOVNET_SNMP_AUTH_KEY=\"a=b c\"\nGOVNET_NTP_KEY=k#1\n"
        "GOVNET_LDP_KEY='XlX'\n",
        encoding="utf-8",
    )
    assert parse_secrets_file(good) == {
        "GOVNET_SNMP_USER": "noc", "GOVNET_SNMP_AUTH_KEY": "a=b c", "GOVNET_NTP_KEY": "k#1",
        "GOVNET_LDP_KEY": "XlX",
    }  # fmt: skip
    for text, message in [
        ("GOVNET_SNMP_USER=a\nno equals sign\n", ":2: expected KEY=value"),
        ("\n=value\n", ":2: expected KEY=value"),
        ("GOVNET_SNMP_USR=a\n", ":1: unknown key GOVNET_SNMP_USR (expected one of GOVNET_SSH_USER, "),
    ]:
        bad = tmp_path / "bad.env"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(SecretsError) as caught:
            parse_secrets_file(bad)
        assert str(caught.value).startswith(f"{bad}{message}"), str(caught.value)
    with pytest.raises(SecretsError, match="cannot read secrets file: No such file or directory"):
        parse_secrets_file(tmp_path / "missing.env")


def test_the_environment_overrides_the_file_and_the_file_must_live_outside_the_repo(tmp_path: Path) -> None:
    secrets = tmp_path / "s.env"
    secrets.write_text("GOVNET_SNMP_USER=file\nGOVNET_NTP_KEY=file-ntp\n", encoding="utf-8")
    secrets.chmod(0o600)
    env = {"GOVNET_SECRETS": str(secrets), "GOVNET_SNMP_USER": "env", "GOVNET_NTP_KEY": ""}
    creds = load_credentials(environ=env)
    assert (creds.snmp_user, creds.ntp_key) == ("env", "file-ntp")  # an empty variable overrides nothing
    assert load_credentials(environ={"GOVNET_BGP_PASSWORD": "b"}).bgp_password == "b"
    assert load_credentials(secrets, environ={}, repo=tmp_path / "elsewhere").snmp_user == "file"
    with pytest.raises(
        SecretsError, match=r"s\.env: secrets file is inside the repository .*; keep it outside"
    ):
        load_credentials(secrets, environ={}, repo=tmp_path)


# -- validate: every rendering device has its template ---------------------------------------------


def test_a_missing_template_is_named_per_device_and_once_per_lab_role(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "huawei_vrp" / "core.j2").unlink()
    (templates / "frr" / "access.j2").unlink()
    with pytest.raises(InventoryError) as caught:
        load_network(ROOT / "inventory", templates_dir=templates)
    lines = [line.split("inventory/", 1)[1] for line in str(caught.value).splitlines()]
    core = f"platform huawei_vrp has no core template ({templates}/huawei_vrp/core.j2)"
    fix = "(fix: use a platform with a core template: frr, huawei_vrpv8)"
    assert lines == [
        f"districts/kaifu.yaml:7: kf-core-1: {core} {fix}",
        f"districts/kaifu.yaml:8: kf-core-2: {core} {fix}",
        "roles.yaml:38: roles.access.lab_platform: lab platform frr has no access template "
        "(fix: use a lab platform with a access template: huawei_vrp)",
    ]  # 116 access devices, one line: the lab role is named once
    with pytest.raises(
        InventoryError, match=r"nope: templates directory not found \(fix: pass --templates DIR"
    ):
        load_network(ROOT / "inventory", templates_dir=tmp_path / "nope")
    assert load_network(ROOT / "inventory", templates_dir=ROOT / "templates").devices


def test_prefixes_inside_one_zone_must_not_overlap_sites_or_attachments() -> None:
    from ipaddress import IPv4Network

    from govnet.inventory.sourcefiles import read_sources
    from govnet.inventory.validate import _check_zone_prefixes

    network = copy.deepcopy(load_network(ROOT / "inventory"))  # edited below: never a shared object
    sources = read_sources(ROOT / "inventory")
    assert _check_zone_prefixes(network, sources) == []
    c01, c02 = network.devices["kf-acc-dongfenglu-c01"], network.devices["kf-acc-dongfenglu-c02"]
    c02.site_prefixes["internet"] = c01.site_prefixes["internet"]  # a site id used twice
    c02.site_prefixes["public"] = IPv4Network("10.32.0.0/29")  # over the first public attachment
    link = "kf-agg-dongfenglu--kf-acc-dongfenglu-c01"
    where = ROOT / "inventory" / "network.yaml"
    assert [str(e) for e in _check_zone_prefixes(network, sources)] == [
        f"{where}:27: zones[1]: zone internet: kf-acc-dongfenglu-c01 site prefix "
        "10.64.0.16/28 overlaps kf-acc-dongfenglu-c02 site prefix 10.64.0.16/28 (fix: prefixes inside "
        "one zone must be unique; check the zone's pools and site ids)",
        f"{where}:25: zones[0]: zone public: kf-acc-dongfenglu-c02 site prefix 10.32.0.0/29 "
        f"overlaps {link} attachment 10.32.0.4/30 (fix: prefixes inside one zone must be unique; check the "
        "zone's pools and site ids)",
    ]
