"""The indentation fast path of ConfigTree builds exactly the tree hier_config builds.

``ConfigTree`` loads VRP and Comware configs by indentation itself (hier_config's loader does
nothing more for them, at three times the cost). Every config we have, rendered or as devices
print them, plus the awkward cases, must give the same lines, line numbers and nesting (or the
same parse error) both ways.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from govnet.check import configtree
from govnet.check.configtree import ConfigLine, ConfigParseError, ConfigTree
from govnet.check.rules import load_rules
from govnet.inventory import load_network
from govnet.platforms import get_platform, printed
from govnet.render import render_network

ROOT = Path(__file__).resolve().parents[2]
READERS = load_rules().readers
FAST = sorted(p for p, d in READERS.items() if d.parser.upper() in configtree.INDENT_ONLY_PARSERS)


def _shape(node: ConfigLine) -> list[object]:
    return [(c.text, c.line, _shape(c)) for c in node.children]


def _both(text: str, platform: str, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    """(fast path result, hier_config result): the tree's shape, or the parse error's text."""
    results: list[object] = []
    for parsers in (configtree.INDENT_ONLY_PARSERS, frozenset()):
        monkeypatch.setattr(configtree, "INDENT_ONLY_PARSERS", parsers)
        try:
            results.append(_shape(ConfigTree(text, READERS[platform]).root))
        except ConfigParseError as exc:
            results.append(f"error: {exc}")
    return results[0], results[1]


def _corpus() -> list[tuple[str, str, str]]:
    """(label, platform, text) for every VRP/Comware-family config in the repo and the district."""
    items: list[tuple[str, str, str]] = []
    for folder in ("tests/fixtures/golden", "tests/fixtures/device-configs"):
        for path in sorted((ROOT / folder).glob("*/*")):
            if path.parent.name in FAST and path.suffix in (".cfg", ".log", ".txt"):
                items.append((str(path.relative_to(ROOT)), path.parent.name, path.read_text()))
    network = load_network(ROOT / "inventory")
    for name, rendered in render_network(network, use_nornir=False).items():
        if rendered.platform in FAST:
            items.append((f"rendered {name}", rendered.platform, rendered.text))
    return items


CORPUS = _corpus()


def test_the_corpus_covers_every_fast_platform() -> None:
    assert {platform for _, platform, _ in CORPUS} == set(FAST)
    assert len(CORPUS) > 100


@pytest.mark.parametrize(("label", "platform", "text"), CORPUS, ids=[c[0] for c in CORPUS])
def test_fast_path_equals_hier_config_on_real_configs(
    label: str, platform: str, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, reference = _both(text, platform, monkeypatch)
    assert fast == reference, label


AWKWARD = {
    "odd dedent between levels": "interface A\n   description x\n  shutdown\n mtu 1500\nsysname s\n",
    "deep then back to the root": "bgp 1\n ipv4-family vpn-instance V\n  peer 1.1.1.1 enable\nsysname s\n",
    "comments and blank lines": "#\n!x\nsysname s\n #indented comment\n\ninterface A\n # c\n shutdown\n",
    "tabs and collapsed spaces": "interface  A\n\tdescription   two  words\n",
    "a section given twice": "interface A\n shutdown\ninterface A\n undo shutdown\n",
    "a child given twice": "interface A\n shutdown\n description x\n shutdown\n",
    "a leaf given twice": "sysname s\nsysname s\n",
    "a banner": "banner motd ^\nhello\n^\nsysname s\n",
    "a public key block": (
        "rsa peer-public-key k\n public-key-code begin\n  30\n public-key-code end\n peer-public-key end\n"
    ),
    "a form feed inside a line": "sysname s\x0cinterface A\n shutdown\n",
    "only comments": "#\n#\nreturn\n",
}


@pytest.mark.parametrize("platform", FAST)
@pytest.mark.parametrize("case", sorted(AWKWARD))
def test_fast_path_equals_hier_config_on_awkward_input(
    case: str, platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, reference = _both(AWKWARD[case], platform, monkeypatch)
    assert fast == reference


def test_a_section_twice_is_a_parse_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    fast, _ = _both(AWKWARD["a section given twice"], "huawei_vrp", monkeypatch)
    assert fast == "error: cannot parse the config: Found a duplicate section: ('interface A',)"


def test_the_fast_path_really_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a silent fallback: the VRP corpus loads without hier_config being called."""

    def refuse(*_: object) -> None:
        raise AssertionError("hier_config was called")

    monkeypatch.setattr(configtree, "_hier_config_tree", refuse)
    tree = ConfigTree("sysname s\ninterface A\n shutdown\n", READERS["huawei_vrp"])
    assert _shape(tree.root) == [("sysname s", 1, []), ("interface A", 2, [("shutdown", 3, [])])]


def _anywhere_patterns() -> list[str]:
    """Every ``anywhere`` line pattern of the spec (the secret scans, the VPN targets)."""
    import re

    text = (ROOT / "govnet/data/spec/rules.yaml").read_text()
    found = re.findall(r"anywhere: true, line: '((?:[^']|'')*)'", text)
    return sorted({p.replace("''", "'") for p in found})


ANYWHERE = _anywhere_patterns()


def test_the_spec_has_anywhere_patterns_with_a_required_literal() -> None:
    literal = {p: configtree._required_literal(p) for p in ANYWHERE}
    assert len(ANYWHERE) >= 10 and sum(1 for v in literal.values() if len(v) >= 4) >= 8
    assert all(v in p.replace("\\", "") for p, v in literal.items()), literal


@pytest.mark.parametrize(("label", "platform", "text"), CORPUS[::7], ids=[c[0] for c in CORPUS[::7]])
def test_whole_text_scan_finds_what_a_line_by_line_scan_finds(label: str, platform: str, text: str) -> None:
    """The substring shortcut of ``find(anywhere)`` loses no hit, on real configs planted with
    a line each pattern matches (and on the clean config)."""
    import re

    from govnet.check.rules import LineMatch

    planted = {
        r"^snmp-agent community": "snmp-agent community read public",
        r"(^|\s)simple\s+\S+": " password simple hunter2",
        r"\bpassword 0 \S+": "username a password 0 hunter2",
        r"^md5-password": "md5-password plain 1.1.1.1 x",
        r"^undo auto-defend enable$": "undo auto-defend enable",
    }
    for pattern in ANYWHERE:
        for extra in ("", *(line for key, line in planted.items() if key in pattern)):
            tree = ConfigTree(text + extra + "\n", READERS[platform])
            expected = [n.line for n in tree.all_lines() if re.search(pattern, n.text)]
            got = [h.line for h in tree.find(LineMatch(line=pattern, anywhere=True))]
            assert got == expected, (label, pattern, extra)


@pytest.mark.parametrize(("label", "platform", "text"), CORPUS[::5], ids=[c[0] for c in CORPUS[::5]])
def test_normalize_skips_line_cleaning_only_when_it_changes_nothing(
    label: str, platform: str, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    style = get_platform(platform).print_style
    for variant in (text, text.replace("\n", "\r\n"), text + "  \t\n"):
        fast = printed.normalize(variant, style)
        monkeypatch.setattr(printed, "_dirty", lambda _text: True)  # says every text has escapes
        slow = printed.normalize(variant, style)
        monkeypatch.undo()
        assert fast == slow, label


def _numbered_as_the_index(
    node: ConfigLine, path: tuple[str, ...], index: dict[tuple[str, ...], int]
) -> bool:
    """Every line below ``node`` carries the number the path index gives it (hier_config's way)."""
    return all(
        child.line == index.get((*path, child.text), node.line or 1)
        and _numbered_as_the_index(child, (*path, child.text), index)
        for child in node.children
    )


@pytest.mark.parametrize("parser", sorted(configtree.INDENT_ONLY_PARSERS))
@pytest.mark.parametrize(
    "text",
    [*(AWKWARD[case] for case in sorted(AWKWARD)), *(text for _, _, text in CORPUS[::9])],
    ids=[*sorted(AWKWARD), *(c[0] for c in CORPUS[::9])],
)
def test_the_indent_load_numbers_lines_as_the_path_index(text: str, parser: str) -> None:
    """The load numbers a line itself (no index) only where that is what the index would say;
    raw lines here, comments and all (kept as lines by a parser that does not drop them)."""
    lines = text.split("\n")
    root = ConfigLine("", 0)
    try:
        loaded = configtree._load_by_indent(root, lines, parser)
    except ConfigParseError:
        return
    assert not loaded or _numbered_as_the_index(root, (), configtree._line_index(lines))


def _brute_force(tree: ConfigTree, levels: list[str]) -> list[tuple[int, dict[str, str]]]:
    """(line, groups) of the lines matching ``levels`` from the root down, one regex per line."""
    import re

    frontier: list[tuple[ConfigLine, dict[str, str]]] = [(tree.root, {})]
    for pattern in levels:
        frontier = [
            (child, {**groups, **{k: v for k, v in m.groupdict().items() if v is not None}})
            for node, groups in frontier
            for child in node.children
            if (m := re.search(pattern, child.text))
        ]
    return [(node.line, groups) for node, groups in frontier]


@pytest.mark.parametrize(("label", "platform", "text"), CORPUS[::9], ids=[c[0] for c in CORPUS[::9]])
def test_find_by_exact_text_and_by_first_word_agrees_with_a_regex_per_line(
    label: str, platform: str, text: str
) -> None:
    """``find`` looks plain ``^text$`` levels up by text and skips the whole-text literal look
    where a handful of top-level lines start with the pattern's word; both must give what one
    regex per line gives, for every line of real configs (as a whole text, by its first word,
    one level down) and for texts no line has."""
    import re

    from govnet.check.rules import LineMatch

    tree = ConfigTree(text, READERS[platform])
    for node in tree.root.children:
        exact = "^" + re.escape(node.text) + "$"
        word = "^" + re.escape(node.text.split(" ", 1)[0]) + " (?P<rest>.+)$"
        cases: list[list[str]] = [[exact], [word], [exact + "x"], ["^" + re.escape(node.text[:-1]) + "$"]]
        cases += [[exact, "^" + re.escape(child.text) + "$"] for child in node.children[:3]]
        cases += [[word, "^(?P<first>\\S+)"]]
        for levels in cases:
            match = LineMatch(parent=tuple(levels[:-1]), line=levels[-1])
            got = [(h.line, h.groups) for h in tree.find(match)]
            assert got == _brute_force(tree, levels), (label, levels)
