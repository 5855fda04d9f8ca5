"""One home per platform: stage code never names a platform, and every package supplies what the
stages ask the registry for.

Stage code (check, deploy, monitor, render, inventory, cli) asks ``govnet.platforms`` about a
device's platform; it never compares with, looks up or defaults to a platform's name, OS family,
print style or hier_config parser. Adding a platform is then one package, its templates, its
fixtures and one registry line.

What counts as naming: a string literal that *is* one of those names (``== "huawei_usg"``, a dict
key, a default argument), or that holds one of the unambiguous ones (``huawei_vrp``, ``h3c_*``,
hier_config's ``HUAWEI_VRP``) as a word anywhere (an f-string part, a path). Docstrings, and any
string that is an expression statement of its own, are left out: such a string has no effect when
the code runs, so it cannot branch (doctests show a concrete platform because an example needs one).
``frr``, ``nftables`` and ``linux`` are also the names of software; inside a longer literal
(``/usr/lib/frr/frr-reload.py``, a help text) they name the software, not the platform.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from govnet.check.configfiles import family_mismatch
from govnet.check.rules import load_rules
from govnet.deploy.drivers import driver_class
from govnet.deploy.mask import mask_config, mask_rules
from govnet.deploy.twin_gaps import _features
from govnet.platforms import PLATFORMS, get_platform
from govnet.platforms.base import MASK_STAGES

REPO = Path(__file__).resolve().parents[2]
STAGES = ("check", "deploy", "monitor", "render", "inventory", "cli")
FIXTURES = REPO / "tests" / "fixtures"

WHOLE = (
    set(PLATFORMS)
    | {p.os_family for p in PLATFORMS.values()}
    | {p.print_style for p in PLATFORMS.values()} - {"plain"}
    | {n for p in PLATFORMS.values() if p.hier_config for n in (p.hier_config, p.hier_config.lower())}
)
"""Names a literal may not be: platforms, OS families, print styles, hier_config parsers."""
WORDS = {name for name in WHOLE if "_" in name}
"""Names a literal may not hold anywhere: the unambiguous ones (``huawei_vrp``, ``HP_COMWARE5``)."""
_WORD = re.compile(r"[A-Za-z0-9_]+")

ALLOWED: dict[tuple[str, str], str] = {
    ("govnet/render/linux_edge.py", "nftables"): (
        "a section of the twin's Linux edge config, named for the packet filter whose ruleset it holds "
        "(beside 'keepalived' and 'routes'), not the platform"
    ),
    ("govnet/deploy/drivers/linux_edge.py", "nftables"): "the same config section, read back from the device",
    ("govnet/deploy/verify.py", "nftables"): "the same config section, read for the tables it loads",
}
"""(file, literal) pairs that are not a platform's name although they read like one, with why."""


def _inert_strings(tree: ast.AST) -> set[int]:
    """Ids of the string constants that are expression statements (docstrings included)."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    }


def named_platforms(source: str) -> Iterator[tuple[int, str, str]]:
    """(line, literal, name) of every literal of ``source`` that names a platform.

    >>> [n for _, _, n in named_platforms('if p == "huawei_usg":\\n    "a note on huawei_usg"\\n')]
    ['huawei_usg']
    >>> [n for _, _, n in named_platforms('x = f"templates/h3c_comware/{role}.j2"; y = "frr version"')]
    ['h3c_comware']
    """
    tree = ast.parse(source)
    inert = _inert_strings(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str) or id(node) in inert:
            continue
        text = node.value
        if text.strip() in WHOLE:
            yield node.lineno, text, text.strip()
            continue
        for word in sorted(set(_WORD.findall(text)) & WORDS):
            yield node.lineno, text, word


def _stage_files() -> list[Path]:
    return sorted(p for stage in STAGES for p in (REPO / "govnet" / stage).rglob("*.py"))


def test_the_detector_sees_branching_and_ignores_prose() -> None:
    branching = '''
FIREWALL = "huawei_usg"
def f(platform, family):
    if family == "linux":
        return {"vrp": 1}[platform]
    return g(parser="HP_COMWARE5", path=f"templates/h3c_secpath/{platform}.j2")
'''
    found = sorted(name for _, _, name in named_platforms(branching))
    assert found == sorted(["huawei_usg", "linux", "vrp", "HP_COMWARE5", "h3c_secpath"])
    prose = '''
"""Pushes to huawei_vrp and frr devices."""
def f():
    """>>> get_platform("huawei_usg").hrp"""
    raise X("vtysh not found: install frr (the local vtysh parses FRR configs)")
'''
    assert list(named_platforms(prose)) == []


def test_stage_code_names_no_platform() -> None:
    named = []
    for path in _stage_files():
        shown = path.relative_to(REPO).as_posix()
        for line, literal, name in named_platforms(path.read_text(encoding="utf-8")):
            if (shown, literal) not in ALLOWED:
                named.append(f"{shown}:{line}: {literal!r} names {name}")
    assert named == [], "stage code names a platform; ask the registry instead:\n" + "\n".join(named)


def test_allowed_literals_each_say_why() -> None:
    for (path, literal), reason in ALLOWED.items():
        assert (REPO / path).is_file() and literal in WHOLE and len(reason) > 20, (path, literal)


# ---------------------------------------------------------------- what every package supplies


def _package_dirs() -> list[Path]:
    return sorted(p.parent for p in (REPO / "govnet" / "platforms").glob("*/__init__.py"))


def test_every_package_is_registered_under_its_own_name() -> None:
    assert sorted(d.name for d in _package_dirs()) == sorted(PLATFORMS)
    for name, platform in PLATFORMS.items():
        assert platform.name == name and platform.package == f"govnet.platforms.{name}"


@pytest.mark.parametrize("name", sorted(PLATFORMS))
def test_a_driver_named_by_the_registry_is_a_device_driver(name: str) -> None:
    platform = get_platform(name)
    assert (platform.driver is None) == (platform.change_model == "none"), name
    if platform.driver is not None:
        assert driver_class(name).__name__ == platform.driver.partition(":")[2]


@pytest.mark.parametrize("name", sorted(n for n, p in PLATFORMS.items() if p.renders))
def test_a_rendering_platform_has_templates_and_goldens(name: str) -> None:
    assert sorted((REPO / "templates" / name).glob("*.j2")), name
    assert sorted((FIXTURES / "golden" / name).glob("*.cfg")), name
    golden, printed, captures = (REPO / path for path in get_platform(name).fixtures)
    assert golden == FIXTURES / "golden" / name  # the pointer the package gives is where they are
    if captures.exists():  # a platform reading its sibling's output shapes has none of its own
        assert sorted(captures.glob("*.raw")), name
    if get_platform(name).checks_cli and not get_platform(name).lab:
        assert sorted(printed.iterdir()), name


@pytest.mark.parametrize("name", sorted(n for n, p in PLATFORMS.items() if p.checks_cli))
def test_a_cli_platform_has_a_spec_driver_masking_rules_and_management_features(name: str) -> None:
    platform = get_platform(name)
    spec = load_rules().readers[name]
    assert spec.parser == (platform.hier_config or "").lower()
    assert platform.secret_rules, f"{name}: backups of it would be masked by other platforms' rules"
    goldens = [p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "golden" / name).glob("*.cfg"))]
    if not platform.lab:  # production configs: what the twin leaves out is found in them
        found = set().union(*(_features(text) for text in goldens))
        assert {"NTP", "syslog hosts", "SNMP agent and trap hosts"} <= found, (name, found)


def _printed(*platforms: str) -> list[Path]:
    """The fixture configs of ``platforms``: captures as the devices print them, and goldens."""
    folders = [FIXTURES / kind / name for name in platforms for kind in ("device-configs", "golden")]
    return sorted(p for f in folders if f.is_dir() for p in f.iterdir() if p.suffix in (".cfg", ".txt"))


@pytest.mark.parametrize("name", sorted(n for n, p in PLATFORMS.items() if p.checks_cli))
def test_no_config_of_a_platform_is_taken_for_another_family(name: str) -> None:
    files = _printed(name)
    assert files, name
    for path in files:
        assert family_mismatch(path.read_text(encoding="utf-8"), name) is None, path


@pytest.mark.parametrize("name", sorted(n for n, p in PLATFORMS.items() if p.family_marker))
def test_a_family_marker_is_printed_by_its_family_and_gives_it_away(name: str) -> None:
    platform = get_platform(name)
    marker = platform.family_marker
    assert marker is not None
    family = [n for n, p in PLATFORMS.items() if p.os_family == platform.os_family]
    marked = [p for p in _printed(*family) if marker.pattern.search(p.read_text(encoding="utf-8"))]
    assert marked, f"{name}: no config of its family's fixtures prints the marker"
    others = [p for p in PLATFORMS.values() if p.checks_cli and p.os_family != platform.os_family]
    text = marked[0].read_text(encoding="utf-8")
    for other in others:
        assert marker.label in (family_mismatch(text, other.name) or ""), (name, other.name)


def test_secret_rules_hide_a_group_v_and_share_names_only_when_shared() -> None:
    by_name: dict[str, object] = {}
    for platform in PLATFORMS.values():
        for rule in platform.secret_rules:
            assert "v" in rule.pattern.groupindex and rule.stage in MASK_STAGES, rule.name
            assert by_name.setdefault(rule.name, rule) is rule, f"two different rules named {rule.name!r}"


def test_a_platform_masks_with_its_own_rules_and_an_unknown_text_with_all() -> None:
    comware = {r.name for r in mask_rules("h3c_comware")}
    assert "comware password" in comware and "frr password" not in comware
    assert {r.name for r in mask_rules("linux")} == {r.name for r in mask_rules()}  # none of its own
    line = " local-user admin password hash $h$6$abc=="
    masked = " local-user admin password hash <secret hidden>"
    assert mask_config(line, "h3c_comware") == mask_config(line) == masked


def test_hot_standby_and_linux_edge_platforms_carry_what_their_stages_read() -> None:
    for platform in PLATFORMS.values():
        if platform.hrp:  # the monitor reads HRP state as the VGMP group's
            assert "vgmp" in {t.protocol for t in platform.ha_tables}, platform.name
        if platform.linux_edge:  # the twin's namespaces: kernel names, the edge driver
            assert platform.ifname_style == "kernel" and platform.driver, platform.name
    for feature in ("hrp", "zoned_interfaces", "sslvpn_pools", "linux_edge"):
        assert any(getattr(p, feature) for p in PLATFORMS.values()), f"no platform has {feature}"
