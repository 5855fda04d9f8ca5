"""The rule file: it loads, every rule is complete, and a bad rule file fails with a clear error."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
import yaml

from govnet.check import SpecError, load_rules
from govnet.check.configtree import ConfigParseError, ConfigTree
from govnet.check.engine import known_checks
from govnet.check.rules import LineMatch, parse_rules

RULES = load_rules()


def test_packaged_rule_file_loads() -> None:
    assert resources.files("govnet").joinpath("data/spec/rules.yaml").is_file()
    assert len(RULES.rules) >= 25
    assert {r.kind for r in RULES.rules} == {"intent", "config", "cross"}


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_every_rule_is_complete(rule) -> None:  # type: ignore[no-untyped-def]
    assert rule.source and rule.severity in ("error", "warning") and rule.platforms and rule.roles
    assert rule.hint and rule.title
    assert rule.check in known_checks()[rule.kind]
    if rule.check == "lines":
        for platform in rule.platforms:
            assert platform in rule.match or platform in rule.not_applicable, (rule.id, platform)
    if rule.kind == "config":
        assert all(p in RULES.readers for p in rule.platforms)


def test_sources_cite_the_standard_or_reports() -> None:
    cited = " ".join(r.source for r in RULES.rules)
    assert "GB/T 22239-2019" in cited and "seed report" in cited and "zone model" in cited


def test_drivers_cover_the_rendered_platforms() -> None:
    assert {"huawei_vrp", "h3c_comware", "frr"} <= set(RULES.readers)


def _spec_text(**rule_overrides: object) -> str:
    data = yaml.safe_load(resources.files("govnet").joinpath("data/spec/rules.yaml").read_text())
    data["rules"][0].update(rule_overrides)
    return yaml.safe_dump(data)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"severity": "fatal"}, "rules.0.severity"),
        ({"id": "GN-CFG-001"}, "a intent rule id starts with GN-INT-"),
        ({"id": "XX-1"}, "rules.0.id"),
        ({"source": ""}, "rules.0.source"),
        ({"platforms": []}, "rules.0.platforms"),
        ({"bogus": 1}, "rules.0.bogus"),
    ],
)
def test_bad_rule_file_is_a_clear_error(change: dict[str, object], expected: str) -> None:
    with pytest.raises(SpecError, match=r"my-rules\.yaml") as err:
        parse_rules(_spec_text(**change), "my-rules.yaml")
    assert expected in str(err.value)


def test_duplicate_rule_ids_are_rejected() -> None:
    data = yaml.safe_load(resources.files("govnet").joinpath("data/spec/rules.yaml").read_text())
    data["rules"].append(data["rules"][0])
    with pytest.raises(SpecError, match="duplicate rule id GN-INT-001"):
        parse_rules(yaml.safe_dump(data), "rules.yaml")


def test_a_bound_must_name_a_param() -> None:
    data = yaml.safe_load(resources.files("govnet").joinpath("data/spec/rules.yaml").read_text())
    rule = next(r for r in data["rules"] if r["id"] == "GN-CFG-103")
    rule["params"] = {}
    with pytest.raises(SpecError, match="max_attempts"):
        parse_rules(yaml.safe_dump(data), "rules.yaml")


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read rule file"):
        load_rules(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [\n")
    with pytest.raises(SpecError, match="not valid YAML"):
        load_rules(bad)


def test_select_unknown_rule_id() -> None:
    with pytest.raises(SpecError, match="unknown rule id GN-CFG-999"):
        RULES.select(["GN-CFG-101", "GN-CFG-999"])
    assert [r.id for r in RULES.select(["gn-cfg-101"])] == ["GN-CFG-101"]


# ---------------------------------------------------------------- config tree per platform

HUAWEI = """!generated
#
sysname r1
#
user-interface vty 0 4
 acl 2001 inbound
 idle-timeout 10 0
#
bgp 65010
 peer 10.0.0.2 as-number 65010
 #
 ipv4-family vpnv4
  peer 10.0.0.2 enable
#
return
"""

FRR = """frr defaults traditional
!
router bgp 65010
 neighbor 10.0.0.2 remote-as 65010
 !
 address-family ipv4 vpn
  neighbor 10.0.0.2 activate
 exit-address-family
exit
!
line vty
 exec-timeout 10 0
exit
end
"""


def test_huawei_tree_keeps_line_numbers() -> None:
    tree = ConfigTree(HUAWEI, RULES.readers["huawei_vrp"])
    hit = tree.first(
        LineMatch(parent=("^bgp \\d+$", "^ipv4-family vpnv4$"), line="^peer (?P<peer>\\S+) enable$")
    )
    assert hit is not None and hit.line == 13 and hit.groups == {"peer": "10.0.0.2"}
    assert [h.line for h in tree.find(LineMatch(line="^idle-timeout", anywhere=True))] == [7]


def test_frr_tree_drops_exit_lines() -> None:
    tree = ConfigTree(FRR, RULES.readers["frr"])
    hit = tree.first(LineMatch(parent=("^router bgp 65010$", "^address-family ipv4 vpn$"), line="activate$"))
    assert hit is not None and hit.line == 7
    assert tree.child("^line vty$") is not None


def test_h3c_separators_are_ignored() -> None:
    tree = ConfigTree("#\nline vty 0 63\n idle-timeout 10 0\n#\nreturn\n", RULES.readers["h3c_comware"])
    hit = tree.first(LineMatch(parent=("^line vty",), line="^idle-timeout"))
    assert hit is not None and hit.line == 3


def test_unparseable_config() -> None:
    text = "interface A\n mtu 1500\ninterface A\n mtu 1400\n"
    with pytest.raises(ConfigParseError, match="duplicate section"):
        ConfigTree(text, RULES.readers["huawei_vrp"])


def test_every_rule_has_a_test_that_triggers_exactly_it() -> None:
    here = Path(__file__).resolve().parent
    text = "".join(
        (here / name).read_text()
        for name in ("test_spec_intent.py", "test_spec_config.py", "test_spec_cross.py")
    )
    exact = set(re.findall(r'== \{"(GN-[A-Z]+-\d{3})"\}', text))
    exact |= set(re.findall(r'\("(GN-CFG-\d{3})", \w+, ', text))  # the BROKEN tables
    exact |= {f"GN-INT-{m[-3:]}" for m in re.findall(r"def test_gn_int_\d{3}", text)}
    assert {r.id for r in RULES.rules} <= exact


def test_readers_agree_with_the_platform_registry() -> None:
    """The spec's reader parses with the platform's hier_config parser and spells interfaces its way."""
    from govnet.platforms import PLATFORMS

    for name, reader in RULES.readers.items():
        platform = PLATFORMS[name]
        if platform.hier_config is not None:
            assert reader.parser == platform.hier_config.lower(), name
        assert (reader.ifname == "kernel") == (platform.ifname_style == "kernel"), name
    rendering = {n for n, p in PLATFORMS.items() if p.renders and p.name != "nftables"}
    assert rendering <= set(RULES.readers)


def test_every_production_platform_is_covered_by_the_device_wide_rules() -> None:
    from govnet.platforms import PLATFORMS

    production = {n for n, p in PLATFORMS.items() if p.renders and not p.lab}
    for rule in RULES.rules:
        if rule.kind == "config" and "*" in rule.roles and rule.check not in ("config_files",):
            missing = production - set(rule.platforms)
            assert not missing, (rule.id, missing)


def test_messages_and_fixes_are_words_not_patterns() -> None:
    """Every say/fix/name a message can show is free of regex syntax (messages show no pattern text)."""
    pattern_syntax = re.compile(r"\\[dsSwb]|\(\?|\[\^|\.\*|\+\?|\$$|^\^")
    for rule in RULES.rules:
        for checks in rule.match.values():
            for check in (c for top in checks for c in (top, *top.any_of)):
                shown = [check.say, check.fix, check.default, *(m.name for m in check.children)]
                for text in shown:
                    assert not pattern_syntax.search(text), (rule.id, text)
                if check.op != "any":
                    assert check.fix, (rule.id, check.say)
    for name, reader in RULES.readers.items():
        for text in (
            reader.bind_vrf,
            reader.undo_import,
            reader.ldp_auth_fix,
            reader.bgp_auth_fix,
            reader.urpf_fix,
        ):
            assert not pattern_syntax.search(text), (name, text)


# ---------------------------------------------------------------- the platforms come from the registry


def _shipped() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(resources.files("govnet").joinpath("data/spec/rules.yaml").read_text())


def test_a_reader_for_an_unknown_platform_names_the_file_and_key() -> None:
    data = _shipped()
    data["readers"]["cisco_iosxe"] = data["readers"]["frr"]
    expected = r"^site\.yaml: readers\.cisco_iosxe: unknown platform 'cisco_iosxe' \(known: "
    with pytest.raises(SpecError, match=expected):
        parse_rules(yaml.safe_dump(data), "site.yaml")


def test_a_rule_naming_an_unknown_platform_names_the_file_and_key() -> None:
    data = _shipped()
    rule = next(r for r in data["rules"] if r["id"] == "GN-CFG-101")
    rule["not_applicable"]["junos"] = "not ours"
    expected = r"^site\.yaml: rules\.GN-CFG-101\.not_applicable\.junos: unknown platform"
    with pytest.raises(SpecError, match=expected):
        parse_rules(yaml.safe_dump(data), "site.yaml")
    data = _shipped()
    rule = next(r for r in data["rules"] if r["id"] == "GN-CFG-101")
    rule["platforms"].append("junos")
    with pytest.raises(SpecError, match=r"rules\.GN-CFG-101\.platforms\.junos: unknown platform"):
        parse_rules(yaml.safe_dump(data), "site.yaml")


def test_a_rendering_platform_without_a_reader_is_an_error() -> None:
    data = _shipped()
    del data["readers"]["h3c_secpath"]
    for rule in data["rules"]:  # the rules may no longer name it either: the reader is what is missing
        rule["platforms"] = [p for p in rule["platforms"] if p != "h3c_secpath"] or ["*"]
        rule.get("match", {}).pop("h3c_secpath", None)
    expected = r"^site\.yaml: readers: no reader for h3c_secpath, which renders CLI"
    with pytest.raises(SpecError, match=expected):
        parse_rules(yaml.safe_dump(data), "site.yaml")


def test_every_platform_that_renders_cli_has_a_reader_and_no_other_does() -> None:
    from govnet.platforms import PLATFORMS

    assert set(RULES.readers) == {n for n, p in PLATFORMS.items() if p.checks_cli}


@pytest.mark.parametrize(
    ("check", "unfilled"),
    [
        (
            {"op": "require", "match": {"line": "^x$"}, "say": "no x", "fix": "{text} / x"},
            "fix '{text} / x' names {text}, which op require does not fill (it fills: nothing)",
        ),
        (
            {"op": "count", "match": {"line": "^x$"}, "bound": {"min": 1}, "say": "{text}"},
            "say '{text}' names {text}, which op count does not fill (it fills: {problem})",
        ),
        (
            {"op": "forbid", "match": {"line": "^x (?P<n>\\d+)$"}, "say": "x", "fix": "undo x {m}"},
            "names {m}, which op forbid does not fill (it fills: {n}, {text})",
        ),
        ({"op": "forbid", "match": {"line": "^x$"}, "say": "x {}", "fix": "undo x"}, "say 'x {}' names {},"),
    ],
)
def test_say_and_fix_name_only_what_the_op_fills(check: dict, unfilled: str) -> None:  # type: ignore[type-arg]
    data = _shipped()
    rule = next(r for r in data["rules"] if r["id"] == "GN-CFG-101")
    rule["match"]["huawei_vrp"] = [check]
    with pytest.raises(SpecError, match=re.escape(unfilled)):
        parse_rules(yaml.safe_dump(data), "site.yaml")


def test_a_forbid_fix_may_name_its_match_groups() -> None:
    data = _shipped()
    rule = next(r for r in data["rules"] if r["id"] == "GN-CFG-101")
    rule["match"]["huawei_vrp"] = [
        {"op": "forbid", "match": {"line": "^telnet (?P<family>ipv4 )?server enable$"}, "say": "{text}",
         "fix": "undo telnet {family}server enable"}
    ]
    spec = parse_rules(yaml.safe_dump(data), "site.yaml")
    assert spec.rule("GN-CFG-101").match["huawei_vrp"][0].fills() == {"text", "family"}


def test_the_old_drivers_section_is_named_with_its_new_name() -> None:
    """A site spec still using ``drivers:`` is refused naming the file, the key and what it is called now."""
    data = _shipped()
    data["drivers"] = data.pop("readers")
    expected = r"^site\.yaml: drivers: this section is now called readers: \(how to read each platform"
    with pytest.raises(SpecError, match=expected):
        parse_rules(yaml.safe_dump(data), "site.yaml")
