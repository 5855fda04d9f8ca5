"""`govnet check` on configs as devices print them: prompts, paging, banners, encodings, stray files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spec_support import check, district, failing, rendered

from govnet.check import ConfigFolder, read_configs, run_checks
from govnet.check.configtree import ConfigParseError, ConfigTree
from govnet.check.rules import LineMatch, load_rules
from govnet.platforms.printed import UnreadableConfig, decode, normalize

CORE, H3C, FW, ACC = "kf-core-1", "kf-agg-laodaohe", "kf-fw-1", "kf-acc-dongfenglu-c01"
READERS = load_rules().readers


def as_printed(text: str, prompt: str) -> str:
    """``text`` the way ``display current-configuration`` shows it in a captured session.

    One-line global commands indented by one space after each ``#`` (Comware 7, USG), the
    prompt and command first, a paging prompt with its erase sequence in the middle.
    """
    lines = text.splitlines()
    out = [f"{prompt}display current-configuration"]
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else "#"
        top_level_leaf = line and line[0] not in "# !" and not following.startswith(" ")
        out.append(" " + line if top_level_leaf and line != "return" else line)
    middle = len(out) // 2
    out[middle] = "  ---- More ----\x1b[42D                                          \x1b[42D" + out[middle]
    out.append(prompt)
    return "\n".join(out) + "\n"


def _printed(device: str, prompt: str) -> dict[str, object]:
    configs = rendered()
    configs[device] = dataclasses.replace(configs[device], text=as_printed(configs[device].text, prompt))
    return configs  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("device", "prompt"),
    [(H3C, "<kf-agg-laodaohe>"), (FW, "HRP_M<kf-fw-1>"), (CORE, "<kf-core-1>"), (ACC, f"[{ACC}]")],
)
def test_config_as_the_device_prints_it_checks_clean(device: str, prompt: str) -> None:
    report = check(configs=_printed(device, prompt))  # type: ignore[arg-type]
    assert report.findings == [], [f"{f.rule_id} {f.message}" for f in report.findings[:5]]


def test_comware_global_line_after_separator_is_not_a_child_of_the_previous_section() -> None:
    text = "#\nline vty 0 63\n authentication-mode scheme\n#\n ssh server enable\n ssh server acl 2001\n#\n"
    tree = ConfigTree(text, READERS["h3c_comware"])
    assert [h.line for h in tree.find(LineMatch(line="^ssh server enable$"))] == [5]
    assert [c.text for c in tree.root.children_starting("line")[0].children] == ["authentication-mode scheme"]


def test_usg_hrp_line_is_global_not_under_clock_timezone() -> None:
    text = "#\n clock timezone BJ add 08:00:00\n#\n hrp enable\n hrp interface GE1/0/7 remote 10.1.1.2\n#\n"
    tree = ConfigTree(text, READERS["huawei_vrp"])
    assert [h.line for h in tree.find(LineMatch(line="^hrp enable$"))] == [4]


def test_nested_separator_keeps_the_bgp_section_together() -> None:
    text = "#\nbgp 65010\n peer 10.0.0.1 as-number 65010\n #\n ipv4-family vpnv4\n  peer 10.0.0.1 enable\n#\n"
    tree = ConfigTree(text, READERS["huawei_vrp"])
    enabled = LineMatch(parent=("^bgp 65010$", "^ipv4-family vpnv4$"), line="^peer (?P<peer>\\S+) enable$")
    assert [h.line for h in tree.find(enabled)] == [6]


def test_multiline_banner_is_one_line_and_keeps_later_line_numbers() -> None:
    text = '#\nheader login information "\nAuthorized users only.\nAll access is logged.\n"\n#\nsysname a\n'
    tree = ConfigTree(text, READERS["huawei_vrp"])
    [banner] = tree.find(LineMatch(line="^header login information"))
    assert banner.line == 2 and "Authorized users only. / All access is logged." in banner.node.text
    assert tree.find(LineMatch(line="^sysname a$"))[0].line == 7
    assert not tree.find(LineMatch(line="^Authorized"))


def test_comware_banner_with_its_own_delimiter() -> None:
    text = "#\n header motd %\nUnauthorized access prohibited\n%\n#\n sysname a\n"
    tree = ConfigTree(text, READERS["h3c_comware"])
    assert tree.find(LineMatch(line="^header motd % Unauthorized access prohibited / %$"))
    assert tree.find(LineMatch(line="^sysname a$"))[0].line == 6


def test_frr_session_capture() -> None:
    text = (
        "kf-core-1# show running-config\nBuilding configuration...\n\nCurrent configuration:\n"
        "!\nhostname kf-core-1\n!\nend\nkf-core-1#\n"
    )
    assert normalize(text, "frr").splitlines()[:6] == ["", "", "", "", "!", "hostname kf-core-1"]


def test_gbk_description_is_read(tmp_path: Path) -> None:
    text = rendered()[CORE].text.replace("description public zone", "description 公用网络区", 1)
    (tmp_path / f"{CORE}.cfg").write_bytes(text.encode("gbk"))
    folder = read_configs(tmp_path, district())
    assert "公用网络区" in folder[CORE].text and folder[CORE].error is None


def test_unreadable_file_is_a_finding_on_its_device_and_the_run_goes_on(tmp_path: Path) -> None:
    net = district()
    for name, config in rendered().items():
        (tmp_path / f"{name}.cfg").write_text(config.text, encoding="utf-8")
    (tmp_path / f"{CORE}.cfg").write_bytes(b"sysname kf-core-1\n\x00\x9f\xff")
    report = run_checks(net, read_configs(tmp_path, net))
    assert failing(report) == {"GN-CFG-100"}
    [finding] = report.findings
    assert finding.device == CORE and "binary data" in finding.message
    assert finding.location.path.endswith(f"{CORE}.cfg")
    assert report.status_count("pass") > 1000  # every other device was checked


def test_stray_files_and_devices_without_a_file_are_reported(tmp_path: Path) -> None:
    net = district()
    configs = rendered()
    for name, config in configs.items():
        if name != ACC:
            (tmp_path / f"{name}.cfg").write_text(config.text, encoding="utf-8")
    (tmp_path / f"{CORE}.cfg").rename(tmp_path / "backup-20261128.txt")  # found by its sysname
    (tmp_path / "old-router.cfg").write_text("#\nsysname kf-old-1\n#\nreturn\n", encoding="utf-8")
    (tmp_path / "notes.log").write_text("nothing to see\n", encoding="utf-8")
    (tmp_path / "copy.cfg").write_text(configs[H3C].text, encoding="utf-8")
    folder = read_configs(tmp_path, net)
    assert isinstance(folder, ConfigFolder) and folder[CORE].path.endswith("backup-20261128.txt")
    report = run_checks(net, folder)
    by_rule = {(f.rule_id, f.device): f for f in report.findings}
    assert set(by_rule) == {
        ("GN-CFG-100", ACC),
        ("GN-CFG-113", "old-router.cfg"),
        ("GN-CFG-113", "notes.log"),
        ("GN-CFG-113", "copy.cfg"),
    }
    assert "kf-old-1 is not an inventory device" in by_rule[("GN-CFG-113", "old-router.cfg")].message
    assert "no sysname/hostname" in by_rule[("GN-CFG-113", "notes.log")].message
    assert f"a second config for {H3C}" in by_rule[("GN-CFG-113", "copy.cfg")].message
    assert f"no config file for {ACC}" in by_rule[("GN-CFG-100", ACC)].message
    assert by_rule[("GN-CFG-113", "notes.log")].severity == "warning"


def test_decode_prefers_utf8_then_gb18030() -> None:
    assert decode("description 公安局".encode()) == ("description 公安局", "utf-8")
    assert decode("description 公安局".encode("gbk"))[1] == "gb18030"
    with pytest.raises(UnreadableConfig):
        decode(b"\x81")


_WORDS = st.sampled_from(
    ["#", " #", "interface X", " ip address 1.1.1.1 255.255.255.0", "bgp 1", "  peer 1.1.1.1 enable",
     "return", 'header login information "', '"', "header motd %", "%", "!", "  ---- More ----\x1b[42D",
     "<R1>display current-configuration", "HRP_S[fw]", "exit", "end", "\t", "ospf 1", "  area 0"]
)  # fmt: skip
_TEXTS = st.one_of(
    st.text(),
    st.lists(st.tuples(st.integers(0, 4), st.one_of(_WORDS, st.text(max_size=12)))).map(
        lambda lines: "\n".join(" " * indent + word for indent, word in lines)
    ),
)


@settings(max_examples=300, deadline=None)
@given(text=_TEXTS, platform=st.sampled_from(sorted(READERS)))
def test_any_text_parses_or_fails_with_a_parse_error(text: str, platform: str) -> None:
    try:
        tree = ConfigTree(text, READERS[platform])
    except ConfigParseError:
        return
    for line in tree.all_lines():
        assert 1 <= line.line <= max(1, text.count("\n") + 1 + text.count("\r"))


@settings(max_examples=300, deadline=None)
@given(st.binary())
def test_any_bytes_decode_or_are_unreadable(data: bytes) -> None:
    try:
        text, encoding = decode(data)
    except UnreadableConfig:
        return
    assert encoding in ("utf-8", "gb18030") and isinstance(text, str)


# ---------------------------------------------------------------- configs as each platform prints them

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "device-configs"
GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"


def _vrpv8_district(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The shipped district with core 1 a CloudEngine (huawei_vrpv8)."""
    import shutil

    from spec_support import INVENTORY

    from govnet.inventory import load_network

    shutil.copytree(INVENTORY, tmp_path / "inventory")
    district_file = tmp_path / "inventory" / "districts" / "kaifu.yaml"
    text = district_file.read_text(encoding="utf-8")
    assert "  - {id: 1}\n" in text
    district_file.write_text(text.replace("  - {id: 1}\n", "  - {id: 1, platform: huawei_vrpv8}\n", 1))
    return load_network(tmp_path / "inventory")


@pytest.mark.parametrize(
    "platform",
    ["huawei_vrp", "huawei_usg", "huawei_nip", "h3c_comware", "h3c_secpath", "frr", "huawei_vrpv8"],
)
def test_device_printed_config_checks_clean(platform: str, tmp_path: Path) -> None:
    net = _vrpv8_district(tmp_path) if platform == "huawei_vrpv8" else district()
    lab = platform == "frr"
    folder = read_configs(FIXTURES / platform, net, lab=lab)
    files = [p for p in (FIXTURES / platform).iterdir() if p.is_file()]
    assert len(folder) == len(files) >= 1 and not folder.strays
    report = run_checks(net, folder, lab=lab)
    for name, config in folder.items():
        assert config.platform == platform
        mine = [f for f in report.findings if f.device == name]
        assert mine == [], [f"{f.rule_id} {f.message}" for f in mine]
        checked = [r for r in report.results if r.device == name and r.status == "pass"]
        assert len(checked) >= {"frr": 10, "huawei_nip": 24}.get(platform, 25), name  # NIP: no routing rules


def test_defaults_the_device_does_not_display_pass_with_their_reason() -> None:
    net = district()
    report = run_checks(net, read_configs(FIXTURES / "huawei_vrp", net))
    reasons = {r.rule_id: r.reason for r in report.results if r.device == "kf-acc-dongfenglu-police"}
    assert reasons["GN-CFG-103"].startswith("default: VRP locks a local user after 3 wrong passwords")
    assert reasons["GN-CFG-104"].startswith("default: VTYs time out after 10 minutes")
    report = run_checks(net, read_configs(FIXTURES / "h3c_comware", net))
    reasons = {r.rule_id: r.reason for r in report.results if r.device == H3C}
    assert "telnet server is disabled by default on Comware 7" in reasons["GN-CFG-101"]


def test_vrpv8_core_matches_its_golden_config(tmp_path: Path) -> None:
    from govnet.credentials import Credentials
    from govnet.render import render_device

    net = _vrpv8_district(tmp_path)
    config = render_device(net, CORE, credentials=Credentials())
    assert (config.platform, net.devices[CORE].model) == ("huawei_vrpv8", "CE12804")
    golden = GOLDEN / "huawei_vrpv8" / "core.cfg"
    assert config.text == golden.read_text(encoding="utf-8"), (
        "re-render and review tests/fixtures/golden/huawei_vrpv8"
    )


VRPV8_VARIANTS = [
    ("stelnet ipv4 server enable\n", "stelnet server enable\n", set()),
    ("stelnet ipv4 server enable\n", "stelnet ipv4 server enable\nundo telnet server enable\n", set()),
    ("stelnet ipv4 server enable\n", "stelnet ipv4 server enable\ntelnet server disable\n", set()),
    ("stelnet ipv4 server enable\n", "stelnet ipv4 server enable\ntelnet server enable\n", {"GN-CFG-101"}),
    (
        "ntp unicast-server 10.254.0.12 authentication-keyid 1 vpn-instance _management_vpn_\n",
        "",
        {"GN-CFG-106"},
    ),
    (
        " local-user netadmin level 3\n",
        " local-user netadmin level 3\n local-user netadmin password simple Admin@123\n",
        {"GN-CFG-108"},
    ),
    ("ssh server cipher aes256_ctr aes128_ctr\n", "ssh server cipher aes256_ctr 3des_cbc\n", {"GN-CFG-117"}),
]


@pytest.mark.parametrize(("old", "new", "rules"), VRPV8_VARIANTS)
def test_vrpv8_syntax_variants(old: str, new: str, rules: set[str], tmp_path: Path) -> None:
    net = _vrpv8_district(tmp_path)
    folder = read_configs(FIXTURES / "huawei_vrpv8", net)
    config = folder[CORE]
    assert old in config.text
    folder[CORE] = dataclasses.replace(config, text=config.text.replace(old, new, 1))
    report = run_checks(net, folder)
    assert {f.rule_id for f in report.findings if f.device == CORE} == rules


def test_ssh_cipher_list_is_not_a_secret() -> None:
    configs = rendered()
    report = check(configs=configs, rules=["GN-CFG-108"])
    assert report.findings == []
    text = "#\nssh server cipher aes256_ctr aes128_ctr\nssh client cipher aes256_ctr\n#\n"
    tree = ConfigTree(text, READERS["huawei_vrp"])
    rule = load_rules().rule("GN-CFG-108")
    from govnet.check.config_rules import OPS, Outcome

    out = Outcome()
    for one in rule.match["huawei_vrp"]:
        OPS[one.op](rule, one, tree, out)
    assert out.problems == []


def test_a_file_of_another_os_family_is_a_finding_not_a_flood(tmp_path: Path) -> None:
    net = district()
    comware = (FIXTURES / "h3c_comware" / f"{H3C}.cfg").read_text(encoding="utf-8")
    (tmp_path / "kf-agg-dongfenglu.cfg").write_text(
        comware.replace(H3C, "kf-agg-dongfenglu"), encoding="utf-8"
    )
    report = run_checks(net, read_configs(tmp_path, net))
    mine = [f for f in report.findings if f.device == "kf-agg-dongfenglu"]
    assert [f.rule_id for f in mine] == ["GN-CFG-100"]
    assert (
        "is an H3C Comware 7 config (it prints 'version 7.1'), but the inventory says huawei_vrp"
        in mine[0].message
    )


def test_the_whole_district_as_its_devices_print_it_checks_clean() -> None:
    configs = rendered()
    for name, config in configs.items():
        prompt = f"HRP_M<{name}>" if config.platform == "huawei_usg" else f"<{name}>"
        configs[name] = dataclasses.replace(config, text=as_printed(config.text, prompt))
    report = check(configs=configs)
    assert report.findings == [], [f"{f.rule_id} {f.device} {f.message}" for f in report.findings[:5]]
    assert report.status_count("pass") > 3000


@settings(max_examples=25, deadline=None)
@given(data=st.binary(max_size=400), named=st.booleans())
def test_any_file_in_the_folder_never_ends_the_run(data: bytes, named: bool) -> None:
    import tempfile

    net = district()
    with tempfile.TemporaryDirectory() as folder:
        name = f"{ACC}.cfg" if named else "unknown.bin.txt"
        (Path(folder) / name).write_bytes(data)
        configs = read_configs(Path(folder), net)
        report = run_checks(net, configs, ["GN-CFG-100", "GN-CFG-101", "GN-CFG-104", "GN-CFG-113"])
    if named:
        assert ACC in configs and any(r.device == ACC for r in report.results)
    else:
        assert [f.rule_id for f in report.findings if f.device == "unknown.bin.txt"] == ["GN-CFG-113"]


def test_only_the_config_command_output_is_read_from_a_session() -> None:
    text = (
        "<r1>display version\nHuawei Versatile Routing Platform Software\nsysname not-the-config\n"
        "<r1>screen-length 0 temporary\nInfo: The configuration takes effect on the current user terminal.\n"
        "<r1>dis cur\n#\nsysname kf-core-1\n#\nreturn\n"
        "<r1>display ip interface brief\nLoopBack0 up\n<r1>quit\n"
    )
    tree = ConfigTree(text, READERS["huawei_vrp"])
    assert [(n.text, n.line) for n in tree.all_lines()] == [("sysname kf-core-1", 8)]


def test_a_banner_line_that_looks_like_a_prompt_stays_banner_text() -> None:
    text = '#\nheader login information "\n[NOTICE] authorized users only\n"\n#\nsysname a\n'
    tree = ConfigTree(text, READERS["huawei_vrp"])
    assert [n.text for n in tree.all_lines()] == [
        'header login information " [NOTICE] authorized users only / "',
        "sysname a",
    ]


def test_an_unterminated_banner_does_not_swallow_the_config() -> None:
    text = '#\nheader login information "Authorized only\n#\nsysname a\n' + "#\n" * 70
    tree = ConfigTree(text, READERS["huawei_vrp"])
    assert tree.find(LineMatch(line="^sysname a$"))
