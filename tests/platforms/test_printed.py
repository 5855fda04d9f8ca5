"""One reader of printed configs: ``govnet check`` and the diff read every config the same way.

Every device config we have (the fixtures as devices print them, the golden configs, and the
goldens reshaped as a captured session prints them: prompt, paging debris, ``Info:`` chatter,
one-line globals indented after ``#``) goes to the check reader (``ConfigTree``) and to the
diff reader (hier_config through :func:`govnet.deploy.remediation.parse_config` on VRP and
Comware, frr-reload's contexts through :func:`govnet.deploy.frr_reload.running_contexts` on
FRR); both must give the same tree, line for line. Then the reader's own laws, on generated
printed text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govnet.check import configtree
from govnet.check.configtree import ConfigLine, ConfigTree
from govnet.check.rules import load_rules
from govnet.deploy.frr_reload import running_contexts
from govnet.deploy.remediation import parse_config
from govnet.platforms import get_platform
from govnet.platforms.base import PrintStyle
from govnet.platforms.printed import config_text, normalize, printed_config

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
READERS = load_rules().readers
READ = sorted(READERS)
"""The platforms ``govnet check`` reads (a driver in the spec); each has a diff reader too."""


def as_session(text: str, device: str) -> str:
    """``text`` the way a captured SSH session shows ``display current-configuration``: the
    prompt and command, ``Info:`` chatter, one-line globals indented after ``#``, a paging
    prompt with its erase sequence, the prompt again at the end."""
    lines = text.splitlines()
    out = [f"<{device}>display current-configuration", "Info: The current configuration is shown."]
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else "#"
        top_level_leaf = line and line[0] not in "# !" and not following.startswith(" ")
        out.append(" " + line if top_level_leaf and line != "return" else line)
    middle = len(out) // 2
    out[middle] = "  ---- More ----\x1b[42D                                          \x1b[42D" + out[middle]
    return "\n".join([*out, f"<{device}>"]) + "\n"


def _corpus() -> list[tuple[str, str, str]]:
    """(label, platform, printed text) for every config of a platform the check reads."""
    cases: list[tuple[str, str, str]] = []
    for path in sorted((FIXTURES / "device-configs").glob("*/*")):
        label, platform = str(path.relative_to(FIXTURES)), path.parent.name
        if platform in READERS and path.suffix in (".cfg", ".log"):
            cases.append((label, platform, path.read_text(encoding="utf-8")))
    for path in sorted((FIXTURES / "golden").glob("*/*.cfg")):
        label, platform = str(path.relative_to(FIXTURES)), path.parent.name
        if platform in READERS:
            text = path.read_text(encoding="utf-8")
            cases.append((label, platform, text))
            if get_platform(platform).print_style != "frr":
                cases.append((f"{label} as a session", platform, as_session(text, path.stem)))
    return cases


CORPUS = _corpus()


def test_the_corpus_holds_every_platform_the_check_reads() -> None:
    assert {platform for _label, platform, _text in CORPUS} == set(READ)
    assert len(CORPUS) >= 25, len(CORPUS)


@pytest.mark.parametrize("platform", READ)
def test_the_check_reads_each_platform_in_its_registry_print_style(platform: str) -> None:
    assert configtree._print_style(READERS[platform].parser) == get_platform(platform).print_style


def _check_tree(node: ConfigLine) -> list[Any]:
    return [(child.text, _check_tree(child)) for child in node.children]


def _hier_tree(node: Any) -> list[Any]:
    return [(child.text, _hier_tree(child)) for child in node.children]


def _paths(tree: list[Any], path: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for text, children in tree:
        found.add((*path, text))
        found |= _paths(children, (*path, text))
    return found


def _context_paths(contexts: dict[tuple[str, ...], tuple[str, ...]]) -> set[tuple[str, ...]]:
    """Every path of frr-reload's contexts, whitespace collapsed as the check collapses it
    (frr-reload keys some lines with a trailing space: ``network 10.0.0.9/32 ``)."""
    found: set[tuple[str, ...]] = set()
    for raw_keys, lines in contexts.items():
        keys = tuple(" ".join(k.split()) for k in raw_keys)
        found |= {keys[: i + 1] for i in range(len(keys))}
        found |= {(*keys, " ".join(line.split())) for line in lines}
    return found


@pytest.mark.parametrize(("label", "platform", "text"), CORPUS, ids=[c[0] for c in CORPUS])
def test_check_and_diff_read_the_same_tree(label: str, platform: str, text: str) -> None:
    checked = _check_tree(ConfigTree(text, READERS[platform]).root)
    assert len(checked) > 10, f"{label}: the check read almost nothing"
    if get_platform(platform).print_style == "frr":
        assert _paths(checked) == _context_paths(running_contexts(text)), label
    else:
        assert checked == _hier_tree(parse_config(text, platform)), label


@pytest.mark.parametrize(("label", "platform", "text"), CORPUS, ids=[c[0] for c in CORPUS])
def test_the_three_entry_points_are_views_of_one_reading(label: str, platform: str, text: str) -> None:
    style = get_platform(platform).print_style
    lines = normalize(text, style).split("\n")
    assert len(lines) == len(text.replace("\r\n", "\n").split("\n")), "line for line"
    assert config_text(text, style) == "".join(f"{ln}\n" for ln in lines if ln.strip())
    kept = printed_config(text, style)
    assert config_text(kept, style) == config_text(text, style), "a backup reads as the device's print"
    assert config_text(config_text(text, style), style) == config_text(text, style), "reading twice"
    assert printed_config(kept, style) == kept


def test_the_disagreements_of_the_four_old_readers_are_settled() -> None:
    """A config starting with an indented global, an indented ``#`` inside a global block, a
    leaf printed twice, vtysh's banner on a non-FRR platform: one answer for check and diff."""
    text = " sysname a\n ntp-service enable\n #\n ssh server enable\n ssh server enable\n#\nreturn\n"
    assert normalize(text, "comware").split("\n") == [
        "sysname a", "ntp-service enable", "", "ssh server enable", "", "", "", ""]
    assert [c.text for c in parse_config(text, "h3c_comware").children] == [
        "sysname a", "ntp-service enable", "ssh server enable"]
    tree = ConfigTree(text, READERS["h3c_comware"])
    assert [(c.text, c.line) for c in tree.root.children] == [
        ("sysname a", 1), ("ntp-service enable", 2), ("ssh server enable", 4)]
    vrp = "Building configuration...\n#\nsysname b\n"
    assert config_text(vrp, "vrp") == "Building configuration...\nsysname b\n", "FRR's rule is FRR's"
    assert printed_config("r1# show running-config\nBuilding configuration...\n\nCurrent configuration:\n"
                          "!\nhostname r1\n!\nend\nr1# ", "frr") == "!\nhostname r1\n!\nend\n"


def test_config_text_drops_separators_comments_return_and_the_version_banner() -> None:
    text = "#\n!c\nreturn\n  \nsysname a   \n version 7.1.064, Release 7734\n interface X\n"
    assert config_text(text, "comware") == "sysname a\n interface X\n", "no '#' before: not a global block"
    assert config_text("#\n" + text, "comware") == "sysname a\n interface X\n"
    assert config_text("#\n version 7.1.064, Release 7734\n sysname a\n", "comware") == "sysname a\n"
    assert config_text("", "vrp") == ""
    assert config_text("table inet f {\n\n}\n", "plain") == "table inet f {\n\n}\n", "plain keeps its blanks"


def test_a_banner_is_folded_for_the_diff_and_kept_as_printed_in_a_backup() -> None:
    text = '#\nheader login information "\n[Warning] authorized\nInfo: only\n"\n#\nsysname a\n#\nreturn\n'
    folded = 'header login information " [Warning] authorized / Info: only / "'
    assert config_text(text, "vrp") == f"{folded}\nsysname a\n"
    assert printed_config(text, "vrp") == text, "banner lines are neither prompts nor chatter"


def test_chatter_prompts_and_repeats_around_banners() -> None:
    """A banner's lines are never chatter, also in another command's output (blanked whole, its
    opening line too); a prompt behind ``HRP_`` is one, a ``[`` later in a line is not; a leaf
    printed again with a tab or double spaces is a repeat."""
    text = (
        '<r>display version\nheader shell "\nInfo: x\n"\n<r>dis cur\n#\nheader motd "\nInfo: y\n"\n'
        " Warning: z\n#\nsysname a\nsysname\ta\n#\ninterface G1\n description a [b]\n"
        "HRP_M[r]display current-configuration\n description  a  [b]\nreturn\n"
    )
    for style in ("vrp", "comware"):
        assert normalize(text, style).split("\n") == [
            "", "", "", "", "", "", 'header motd " Info: y / "', "", "", "", "",
            "sysname a", "", "", "interface G1", " description a [b]", "", "", "", ""]
    assert printed_config(text, "vrp") == (
        '#\nheader motd "\nInfo: y\n"\n#\nsysname a\nsysname\ta\n#\ninterface G1\n description a [b]\n'
        " description  a  [b]\nreturn\n"
    )


PRINTED_LINE = st.one_of(
    st.sampled_from([
        "#", " #", "!", "return", "<r>display current-configuration", "[~r]", "HRP_M<r>dis cur",
        "Info: done.", "  ---- More ----\x1b[42D", "Building configuration...", "r1# show running-config",
        'header login information "', '"', "interface G1", " description x", "  vlan 10", "exit",
        " exit-address-family", "end", " version 7.1.064, Release 7734", "sysname a", " sysname a",
        " description 公安 x", "\x1b[16D", "\t", "\r", "\x00", "\u2028", " ", "header login",
    ]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(PRINTED_LINE, max_size=30), st.sampled_from(["vrp", "comware", "frr", "plain"]))
def test_the_reader_keeps_lines_reads_once_and_never_raises(lines: list[str], style: PrintStyle) -> None:
    text = "\n".join(lines)
    normalized = normalize(text, style).split("\n")
    assert len(normalized) == len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    once = config_text(text, style)
    assert config_text(once, style) == once
    kept = printed_config(text, style)
    assert printed_config(kept, style) == kept
