"""Command references as data: every line govnet renders is a command its platform accepts.

The references are ``govnet/platforms/<platform>/commands.yaml``; ``govnet check`` holds govnet's
own renders to them (GN-CFG-131), a template edit that real gear would refuse fails the check.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from spec_support import INVENTORY, REPO, district, failing, rendered

from govnet.check import IntendedConfig, intended_from_rendered, read_configs, run_checks
from govnet.credentials import Credentials
from govnet.inventory import load_network
from govnet.model import Network
from govnet.platforms import PLATFORMS, get_platform
from govnet.platforms.commandref import (
    SYSTEM,
    CommandRefError,
    compile_form,
    config_lines,
    parse_reference,
    reference_of,
)
from govnet.render import render_device

VENDOR = ["huawei_vrp", "huawei_vrpv8", "huawei_usg", "huawei_nip", "h3c_comware", "h3c_secpath"]
CORE = "kf-core-1"


def _ce_district(tmp_path: Path) -> Network:
    """The shipped district with core 1 a CloudEngine (huawei_vrpv8)."""
    shutil.copytree(INVENTORY, tmp_path / "inventory")
    district_file = tmp_path / "inventory" / "districts" / "kaifu.yaml"
    text = district_file.read_text(encoding="utf-8")
    district_file.write_text(text.replace("  - {id: 1}\n", "  - {id: 1, platform: huawei_vrpv8}\n", 1))
    return load_network(tmp_path / "inventory")


@pytest.mark.parametrize("platform", VENDOR)
def test_every_vendor_platform_has_a_reference_with_sources(platform: str) -> None:
    ref = reference_of(get_platform(platform))
    assert ref is not None and len(ref.commands) >= 40
    assert all(c.source for c in ref.commands if c.verified)
    data = yaml.safe_load(get_platform(platform).data_file("commands.yaml") or "")
    assert data["platform"] == platform
    # what would settle an unverified command is said beside it
    unverified = [c for c in data["commands"] if c.get("verified") is False]
    assert len(unverified) == len(ref.unverified()) and all(c.get("settle") for c in unverified)


def test_lab_platforms_have_no_reference() -> None:
    assert reference_of(get_platform("frr")) is None
    assert {p for p in PLATFORMS if reference_of(get_platform(p)) is not None} == set(VENDOR)


def test_every_line_of_the_shipped_renders_is_a_command_in_its_view(tmp_path: Path) -> None:
    checked: dict[str, int] = {}
    for configs in (rendered(), intended_from_rendered_ce(tmp_path)):
        for config in configs.values():
            ref = reference_of(get_platform(config.platform))
            if ref is None:
                continue
            assert ref.unmatched(config.text) == [], config.device
            lines = sum(1 for _ in config_lines(config.text))
            checked[config.platform] = checked.get(config.platform, 0) + lines
    assert set(checked) == set(VENDOR) and min(checked.values()) >= 100


def intended_from_rendered_ce(tmp_path: Path) -> dict[str, IntendedConfig]:
    net = _ce_district(tmp_path)
    config = render_device(net, CORE, credentials=Credentials())
    assert config.platform == "huawei_vrpv8"
    return intended_from_rendered({CORE: config})


def test_the_known_wrong_forms_are_refused_in_their_view() -> None:
    ce = reference_of(get_platform("huawei_vrpv8"))
    cw = reference_of(get_platform("h3c_comware"))
    vrp = reference_of(get_platform("huawei_vrp"))
    assert ce is not None and cw is not None and vrp is not None
    intf = ("interface 10GE1/0/1",)
    assert ce.match(intf, "urpf loose") is None and ce.match(intf, "ip urpf loose") is not None
    assert vrp.match(intf, "urpf loose") is not None and vrp.match(intf, "ip urpf loose") is None
    assert ce.match((), "ip urpf loose") is None  # an interface command typed in the system view
    area = ("ospf 1 router-id 10.0.0.76", "area 0.0.0.0")
    assert cw.match(area, "authentication-mode hmac-sha256 1 cipher ${secret:K}") is None
    assert cw.match(area, "authentication-mode keychain NOC-OSPF") is not None
    assert cw.match(("hwtacacs scheme NOC",), "key authentication cipher ${secret:K}") is None
    assert cw.match(("hwtacacs scheme NOC",), "key authentication simple ${secret:K}") is not None
    assert cw.match(("local-user netadmin class manage",), "password hash ${secret:K}") is None
    assert cw.match(("mpls ldp",), "md5-authentication 10.0.0.9 cipher ${secret:K}") is None
    urpf = {c.view: c.applies_to for c in cw.commands if c.form == "ip urpf {loose|strict}"}
    assert set(urpf) == {SYSTEM, "interface"} and "S7500E" in urpf[SYSTEM]


def test_unmatched_lines_name_line_number_and_view() -> None:
    ref = reference_of(get_platform("huawei_vrpv8"))
    assert ref is not None
    text = "#\ninterface 10GE1/0/1\n ip urpf enable\n urpf loose\n#\nfrobnicate now\nbgp 65010\n #\n bogus\n"
    got = [(u.line, u.view, u.text) for u in ref.unmatched(text)]
    assert got == [(4, "interface", "urpf loose"), (6, SYSTEM, "frobnicate now"), (9, "bgp", "bogus")]
    unknown = ref.unmatched("acl number 2001\n rule 5 permit\n  nested thing\n")
    assert [(u.line, u.view) for u in unknown] == [(3, "unknown view under 'rule 5 permit'")]


def test_form_grammar() -> None:
    route = compile_form("ip route-static [vpn-instance {name}] {ip} {mask} {ip} [description {text}]")
    assert route.fullmatch("ip route-static vpn-instance default 10.254.0.0 255.255.255.0 10.240.0.1")
    assert route.fullmatch("ip route-static 0.0.0.0 0.0.0.0 10.8.15.20 description internet via kf-lb-1")
    assert not route.fullmatch("ip route-static vpn-instance 10.254.0.0 255.255.255.0")
    undo = compile_form("[undo] telnet server enable")
    assert undo.fullmatch("undo telnet server enable") and undo.fullmatch("telnet server enable")
    assert not undo.fullmatch("undotelnet server enable")
    assert not compile_form("ip urpf {loose|strict}").fullmatch("ip urpf loosely")
    for bad in ("{nope}", "[a b", "a b]"):
        with pytest.raises(CommandRefError):
            compile_form(bad)


def test_a_reference_naming_an_unknown_view_or_source_is_refused() -> None:
    with pytest.raises(CommandRefError, match="unknown view"):
        parse_reference("commands:\n  - {view: ospf, form: 'area {area}', source: x}\n", "demo")
    with pytest.raises(CommandRefError, match="no known source"):
        parse_reference("commands:\n  - {view: system, form: 'sysname {name}', source: x}\n", "demo")
    ref = parse_reference("commands:\n  - {view: system, form: 'sysname {name}', verified: false}\n", "d")
    assert [c.form for c in ref.unverified()] == ["sysname {name}"]


def test_check_reports_every_refused_line_of_a_render_with_device_line_and_view() -> None:
    configs = rendered()
    report = run_checks(district(), configs, ["GN-CFG-131"])
    assert failing(report) == set()
    passed = {r.device for r in report.results if r.status == "pass"}
    assert {"kf-agg-laodaohe", "kf-fw-1", "kf-ips-1", "kf-lb-1", "kf-vpn-1", CORE} <= passed


def test_a_template_edit_introducing_urpf_loose_on_a_ce_core_fails_the_check(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    macros = templates / "huawei_vrpv8" / "_macros.j2"
    text = macros.read_text(encoding="utf-8")
    assert " ip urpf enable\n ip urpf {{" in text
    macros.write_text(text.replace(" ip urpf enable\n ip urpf {{", " urpf {{"), encoding="utf-8")
    net = _ce_district(tmp_path)
    config = render_device(net, CORE, templates_dir=templates, credentials=Credentials())
    assert " urpf loose\n" in config.text
    report = run_checks(net, intended_from_rendered({CORE: config}), ["GN-CFG-131"])
    findings = [f for f in report.findings if f.device == CORE]
    assert findings and all(f.rule_id == "GN-CFG-131" for f in findings)
    assert all("'urpf loose' is no huawei_vrpv8 command in the interface view" in f.message for f in findings)
    lines = [int(f.message.split()[1]) for f in findings]
    assert [config.text.splitlines()[n - 1] for n in lines] == [" urpf loose"] * len(lines)
    assert len(findings) == config.text.count(" urpf loose\n") >= 1


def test_configs_read_back_are_not_held_to_the_reference(tmp_path: Path) -> None:
    folder = tmp_path / "configs"
    folder.mkdir()
    extra = " mtu 1500\n jumboframe enable 9216\n"  # a real Comware command govnet does not render
    text = rendered()["kf-agg-laodaohe"].text.replace(" mtu 1500\n", extra, 1)
    (folder / "kf-agg-laodaohe.cfg").write_text(text, encoding="utf-8")
    net = district()
    report = run_checks(net, read_configs(folder, net), ["GN-CFG-131"])
    assert report.findings == []


# ---------------------------------------------------------------- the emulated devices, by the same data

GOLDEN = REPO / "tests" / "fixtures" / "golden"
EMULATED = [
    ("huawei_vrp", "core.cfg", "VRP5"),
    ("huawei_vrpv8", "core.cfg", "VRP8"),
    ("huawei_usg", "firewall.cfg", "USG"),
    ("huawei_nip", "ips.cfg", "NIP"),
    ("h3c_comware", "aggregation.cfg", "COMWARE"),
    ("h3c_secpath", "vpn_gateway.cfg", "SECPATH"),
    ("h3c_secpath", "load_balancer.cfg", "SECPATH"),
]


@pytest.mark.parametrize(
    ("platform", "golden", "dialect"), EMULATED, ids=[f"{p}-{g}" for p, g, _ in EMULATED]
)
def test_the_emulated_device_takes_every_golden_line(platform: str, golden: str, dialect: str) -> None:
    """EMULATION: the golden typed line by line in its views is accepted by the platform's data."""
    from emulation import config as emulated

    chosen = getattr(emulated, dialect)
    assert chosen.platform == platform
    tree = emulated.ConfigTree(chosen)
    lines = list(config_lines((GOLDEN / platform / golden).read_text(encoding="utf-8")))
    for line in lines:
        tree.apply(line.parents, line.text)
    assert len(tree.lines()) >= len(lines) - 5  # the config went in (a few lines replace others)


@pytest.mark.parametrize(
    ("dialect", "path", "line", "message", "column"),
    [
        (
            "VRP8",
            ("interface 10GE1/0/1",),
            "urpf loose",
            "Error: Unrecognized command found at '^' position.",
            0,
        ),
        (
            "VRP8",
            ("interface 10GE1/0/1",),
            "ip urpf bogus",
            "Error: Unrecognized command found at '^' position.",
            8,
        ),
        ("VRP5", (), "frobnicate now", "Error: Unrecognized command found at '^' position.", 0),
        (
            "COMWARE",
            ("ospf 1 router-id 10.0.0.76", "area 0.0.0.0"),
            "authentication-mode hmac-sha256 1 cipher x",
            " % Unrecognized command found at '^' position.",
            len("authentication-mode "),
        ),
        (
            "COMWARE",
            ("hwtacacs scheme NOC",),
            "key authentication hash x",
            " % Unrecognized command found at '^' position.",
            19,
        ),
    ],
)
def test_the_emulated_device_refuses_with_the_vendors_words(
    dialect: str, path: tuple[str, ...], line: str, message: str, column: int
) -> None:
    """EMULATION: a line the reference does not have is refused, caret under the first wrong word."""
    from emulation import config as emulated

    tree = emulated.ConfigTree(getattr(emulated, dialect))
    for depth in range(len(path)):
        tree.apply(path[:depth], path[depth])
    with pytest.raises(emulated.Rejected) as info:
        tree.apply(path, line)
    assert (info.value.message, info.value.column) == (message, column)


def test_the_emulated_device_tries_the_enclosing_views_and_takes_undo_forms() -> None:
    """EMULATION: a system command typed in an interface view is taken, as the devices do."""
    from emulation import config as emulated

    tree = emulated.ConfigTree(emulated.VRP8)
    intf = tree.apply((), "interface 10GE1/0/1")
    tree.apply(intf, "ip urpf enable")
    tree.apply(intf, "sysname kf-core-1")
    tree.apply(intf, "undo ip urpf")
    assert "sysname kf-core-1" in tree.lines()


def test_an_s7500e_gets_urpf_in_the_system_view_as_its_reference_has_it(tmp_path: Path) -> None:
    shutil.copytree(INVENTORY, tmp_path / "inventory")
    roles = tmp_path / "inventory" / "roles.yaml"
    text = roles.read_text(encoding="utf-8")
    assert "h3c_comware: S7506X\n" in text
    roles.write_text(text.replace("h3c_comware: S7506X\n", "h3c_comware: S7506E\n"), encoding="utf-8")
    net = load_network(tmp_path / "inventory")
    s7500e = render_device(net, "kf-agg-laodaohe", credentials=Credentials()).text
    s7500x = rendered()["kf-agg-laodaohe"].text
    assert "\nip urpf strict\n" in s7500e and " ip urpf strict\n" not in s7500e
    assert "\nip urpf strict\n" not in s7500x and s7500x.count(" ip urpf strict\n") >= 1
    ref = reference_of(get_platform("h3c_comware"))
    assert ref is not None and ref.unmatched(s7500e) == [] and ref.unmatched(s7500x) == []


@pytest.mark.parametrize("platform", VENDOR)
def test_the_one_regex_per_view_accepts_exactly_what_the_forms_match(platform: str) -> None:
    """``accepts`` (one alternation per view, memoised views) agrees with ``match`` line by line,
    on every line of the platform's goldens and printed fixtures and on each line cut short by a
    word (mostly refused), so the fast path of GN-CFG-131 neither lets through nor refuses more."""
    ref = reference_of(get_platform(platform))
    assert ref is not None
    lines = []
    for path in sorted((REPO / "tests" / "fixtures").rglob("*.cfg")):
        text = path.read_text(encoding="utf-8", errors="replace")
        lines += [(ln.parents, ln.text) for ln in config_lines(text)]
    assert len(lines) > 1000
    cut = [(parents, text.rsplit(" ", 1)[0]) for parents, text in lines if " " in text]
    both = {(bool(ref.accepts(p, t)), ref.match(p, t) is not None) for p, t in lines + cut}
    assert both <= {(True, True), (False, False)}
    assert both == {(True, True), (False, False)}  # the sample holds lines of each kind
