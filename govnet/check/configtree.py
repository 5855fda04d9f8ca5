"""A config parsed into its hierarchy with hier_config, each line keeping its 1-based line number."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from typing import Any, NamedTuple

from govnet.check.rules import LineMatch, PlatformReader
from govnet.errors import GovnetError
from govnet.platforms import PLATFORMS
from govnet.platforms.base import PrintStyle
from govnet.platforms.dialects import COMMENT_DROPPING_PARSERS
from govnet.platforms.dialects import INDENT_ONLY_PARSERS as DIALECT_INDENT_ONLY
from govnet.platforms.printed import normalized_lines


def _hier_config_tree(parser: str, text: str) -> Any:
    """hier_config's tree of ``text`` for the platform a reader's ``parser`` names (lower-cased).

    hier_config is imported here, on first use: it takes about 0.1 s to import, and a check whose
    configs all load by indentation (:func:`_load_by_indent`) never needs it.
    """
    import hier_config

    return hier_config.get_hconfig(hier_config.Platform[parser.upper()], text)


@cache
def _print_style(parser: str) -> PrintStyle:
    """How the platforms parsed by ``parser`` print their configs (the registry's
    ``print_style``; every platform sharing a hier_config parser prints alike).

    >>> _print_style("hp_comware5"), _print_style("cisco_ios")
    ('comware', 'frr')
    """
    styles = {p.print_style for p in PLATFORMS.values() if (p.hier_config or "generic").lower() == parser}
    if len(styles) != 1:
        raise GovnetError(f"parser {parser!r}: no single print style among its platforms ({sorted(styles)})")
    return styles.pop()


class ConfigParseError(GovnetError):
    """A config text the platform's parser cannot read (e.g. a section twice)."""


class ConfigLine:
    """One config line: its text (whitespace collapsed), 1-based line number and children."""

    __slots__ = ("_by_text", "_by_word", "children", "line", "text")

    def __init__(self, text: str, line: int) -> None:
        self.text = text
        self.line = line
        self.children: list[ConfigLine] = []
        self._by_word: dict[str, list[ConfigLine]] | None = None
        self._by_text: dict[str, list[ConfigLine]] | None = None

    def __repr__(self) -> str:
        return f"ConfigLine({self.text!r}, line={self.line})"

    def children_starting(self, word: str | None) -> list[ConfigLine]:
        """Children whose first word is ``word`` (all children for None), via a lazy index."""
        if word is None:
            return self.children
        if self._by_word is None:
            self._by_word = {}
            for child in self.children:
                self._by_word.setdefault(child.text.split(" ", 1)[0], []).append(child)
        return self._by_word.get(word, [])

    def children_saying(self, text: str) -> list[ConfigLine]:
        """Children whose whole text is ``text``, via a lazy index."""
        if self._by_text is None:
            self._by_text = {}
            for child in self.children:
                self._by_text.setdefault(child.text, []).append(child)
        return self._by_text.get(text, [])

    def walk(self) -> list[ConfigLine]:
        """Every descendant, depth first, in config order."""
        out: list[ConfigLine] = []
        _descendants(self, out)
        return out


def _descendants(node: ConfigLine, out: list[ConfigLine]) -> None:
    """Append ``node``'s descendants to ``out``, depth first (a call per section, not a generator
    frame per line and level)."""
    for child in node.children:
        out.append(child)
        if child.children:
            _descendants(child, out)


class Hit(NamedTuple):
    """A matched line with the named groups of its own and its parents' patterns (a tuple: a
    config rule builds hundreds per device)."""

    node: ConfigLine
    groups: dict[str, str]

    @property
    def line(self) -> int:
        return self.node.line


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_LEADING_WORD = re.compile(r"^\^([A-Za-z][A-Za-z0-9-]*)(?: |\$|\\s)")


@cache
def _first_word(pattern: str) -> str | None:
    """The literal first word a ``^word ...`` pattern requires (None when it is not literal).

    >>> _first_word("^peer (?P<peer>.+) enable$"), _first_word("^(enable )?password"), _first_word("^ospf")
    ('peer', None, None)
    """
    m = _LEADING_WORD.match(pattern)
    return m.group(1) if m else None


_SRE_PARSER: Any = importlib.import_module("re._parser")  # the stdlib's own regex parser


@cache
def _required_literal(pattern: str) -> str:
    """The longest run of plain characters every match of ``pattern`` contains ("" if none).

    Read from the top-level sequence of the parsed pattern: a literal inside a group, a branch,
    an optional part or a look-around is not required; case-insensitive patterns give "".

    >>> _required_literal(r"(^|\\s)password (0 )?(?!expire\\b)\\S+$"), _required_literal(r"passwords?x")
    ('password ', 'password')
    >>> _required_literal(r"^(enable )?password"), _required_literal(r"(?i)snmp"), _required_literal(r"\\d+")
    ('password', '', '')
    """
    try:
        parsed = _SRE_PARSER.parse(pattern)
    except re.error:
        return ""
    if parsed.state.flags & re.IGNORECASE:
        return ""
    runs, current = [""], []
    for op, arg in parsed:
        if op is _SRE_PARSER.LITERAL:
            current.append(chr(arg))
        else:
            runs.append("".join(current))
            current = []
    runs.append("".join(current))
    return max(runs, key=len)


class _Step(NamedTuple):
    """One level of a match, compiled: what a line there must say."""

    search: Callable[[str], re.Match[str] | None]
    word: str | None
    """The literal first word every match starts with (None: not literal)."""
    exact: str | None
    """The whole text a match must be, when the pattern is plain characters between ``^`` and ``$``."""
    named: bool
    """The pattern has named groups (a match adds them to the hit)."""


@cache
def _step(pattern: str) -> _Step:
    regex = _regex(pattern)
    return _Step(regex.search, _first_word(pattern), _exact(pattern), bool(regex.groupindex))


@cache
def _exact(pattern: str) -> str | None:
    """The one text ``pattern`` matches when it is ``^``, plain characters, ``$`` (else None).

    >>> _exact("^interface Eth0/1$"), _exact(r"^ip-prefix a\\.b$"), _exact("^mpls"), _exact("^a.b$")
    ('interface Eth0/1', 'ip-prefix a.b', None, None)
    """
    try:
        parsed = _SRE_PARSER.parse(pattern)
    except re.error:
        return None
    items = list(parsed)
    if parsed.state.flags & ~re.UNICODE or len(items) < 2:
        return None
    at = _SRE_PARSER.AT
    if items[0] != (at, _SRE_PARSER.AT_BEGINNING) or items[-1] != (at, _SRE_PARSER.AT_END):
        return None
    if any(op is not _SRE_PARSER.LITERAL for op, _ in items[1:-1]):
        return None
    return "".join(chr(arg) for _, arg in items[1:-1])


class _Plan(NamedTuple):
    """What :meth:`ConfigTree.find` needs of a match, filled and compiled once."""

    line: _Step
    literal: str
    """The literal every matching line holds ("" if none): a root find first looks for it in
    the whole text."""
    parents: tuple[_Step, ...]


@lru_cache(maxsize=8192)
def _plan(line: str, parents: tuple[str, ...], subst: tuple[tuple[str, str], ...]) -> _Plan:
    """The match with ``{name}`` filled from ``subst``, compiled: a root find whose first level is
    an exact text skips the whole-text look for its literal (its index look-up is cheaper)."""
    values = dict(subst)
    filled = _fill(line, values)
    steps = tuple(_step(_fill(p, values)) for p in parents)
    first = steps[0] if steps else _step(filled)
    return _Plan(_step(filled), "" if first.exact is not None else _required_literal(filled), steps)


@cache
def _line_match(pattern: str) -> LineMatch:
    """A LineMatch for one child pattern, built once (pydantic validation is not free)."""
    return LineMatch(line=pattern)


def _fill(pattern: str, subst: dict[str, str]) -> str:
    for key, value in subst.items():
        pattern = pattern.replace("{" + key + "}", re.escape(value))
    return pattern


class ConfigTree:
    """A device config as a tree; find lines with :class:`LineMatch` patterns.

    >>> from govnet.check.rules import load_rules
    >>> huawei = load_rules().readers["huawei_vrp"]
    >>> tree = ConfigTree("#\\nuser-interface vty 0 4\\n acl 2001 inbound\\n", huawei)
    >>> acl = LineMatch(parent=("^user-interface vty",), line="^acl (?P<acl>\\\\d+)")
    >>> [(h.line, h.groups) for h in tree.find(acl)]
    [(3, {'acl': '2001'})]
    """

    def __init__(self, text: str, reader: PlatformReader) -> None:
        self.reader = reader
        kept = _without_dropped(normalized_lines(text, _print_style(reader.parser)), reader.drop_lines)
        self.root = ConfigLine("", 0)
        parser = reader.parser.upper()
        if parser not in INDENT_ONLY_PARSERS or not _load_by_indent(self.root, kept, parser):
            index = _line_index(kept)
            try:
                hconfig = _hier_config_tree(reader.parser, "\n".join(kept))
            except Exception as exc:  # hier_config raises several kinds on malformed input
                raise ConfigParseError(f"cannot parse the config: {exc}") from None
            self._attach(self.root, hconfig, (), index)
        self._all: list[ConfigLine] | None = None
        self._all_by_word: dict[str, list[ConfigLine]] | None = None
        self._text: str | None = None
        self.blocks: dict[str, ConfigLine | None] = {}  # interface blocks by model name (facts memo)
        self.memo: dict[object, Any] = {}  # other facts read once per tree

    def __getstate__(self) -> dict[str, Any]:
        """The reader and the lines (the lookup caches are rebuilt on use)."""
        return {"reader": self.reader, "root": self.root}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.reader, self.root = state["reader"], state["root"]
        self._all, self._all_by_word, self._text = None, None, None
        self.blocks = {}
        self.memo = {}

    def all_lines(self) -> list[ConfigLine]:
        """Every line of the config, depth first (computed once)."""
        if self._all is None:
            self._all = self.root.walk()
        return self._all

    def _lines_starting(self, word: str) -> list[ConfigLine]:
        """Lines anywhere whose first word is ``word``, in config order (indexed once)."""
        if self._all_by_word is None:
            index: dict[str, list[ConfigLine]] = {}
            for node in self.all_lines():
                index.setdefault(node.text.split(" ", 1)[0], []).append(node)
            self._all_by_word = index
        return self._all_by_word.get(word, [])

    def _attach(
        self, node: ConfigLine, hnode: Any, path: tuple[str, ...], index: dict[tuple[str, ...], int]
    ) -> None:
        fallback = node.line or 1
        append = node.children.append
        for hchild in hnode.children:
            text = hchild.text
            child_path = (*path, text)
            child = ConfigLine(text, index.get(child_path, fallback))
            append(child)
            if hchild.children:
                self._attach(child, hchild, child_path, index)
            hchild.parent = None  # break hier_config's parent cycle: freed by refcount, not the GC

    def find(self, match: LineMatch, within: ConfigLine | None = None, **subst: str) -> list[Hit]:
        """Lines matching ``match`` below ``within`` (the root by default); ``{name}`` filled from subst."""
        start = within or self.root
        step, literal, parents = _plan(match.line, match.parent, tuple(subst.items()) if subst else ())
        first = parents[0] if parents else step
        if literal and start is self.root and (match.anywhere or self._many_below(first)):
            if self._text is None:
                self._text = "\n".join(n.text for n in self.all_lines())
            if literal not in self._text:
                return []  # no line holds what every match needs: one substring scan, no regex
        if match.anywhere:
            if start is self.root:
                word = step.word
                lines: Iterable[ConfigLine] = self.all_lines() if word is None else self._lines_starting(word)
            else:
                lines = start.walk()
            search = step.search
            if step.named:
                return [Hit(n, _groups(m)) for n in lines if literal in n.text and (m := search(n.text))]
            return [Hit(n, _NO_GROUPS) for n in lines if literal in n.text and search(n.text)]
        if not parents:
            return _below(start, step, _NO_GROUPS, [])
        frontier = [Hit(start, _NO_GROUPS)]
        for level in (*parents, step):
            below: list[Hit] = []
            for hit in frontier:
                _below(hit.node, level, hit.groups, below)
            frontier = below
        return frontier

    def _many_below(self, step: _Step) -> bool:
        """Whether more top-level lines start like ``step`` than a whole-text look for a literal
        costs to rule out (a handful are cheaper to match one by one)."""
        return step.word is None or len(self.root.children_starting(step.word)) > _FEW

    def first(self, match: LineMatch, within: ConfigLine | None = None, **subst: str) -> Hit | None:
        hits = self.find(match, within, **subst)
        return hits[0] if hits else None

    def child(self, pattern: str, within: ConfigLine | None = None, **subst: str) -> Hit | None:
        """The first direct child of ``within`` (default root) matching ``pattern``."""
        return self.first(_line_match(pattern), within, **subst)


INDENT_ONLY_PARSERS = DIALECT_INDENT_ONLY
"""hier_config platforms whose load is indentation alone: :func:`_load_by_indent` builds their
tree the way hier_config would, 3x faster (``tests/check/test_configtree.py`` holds the two
loads equal on every config we have)."""

_BANNER_ONLY = re.compile(r"^banner ", re.MULTILINE)
_BANNER = re.compile(r"^banner |^\s*(rsa|dsa|ecc) peer-public-key ", re.MULTILINE)
"""A line :func:`_load_by_indent` leaves to hier_config (``\\s*`` may cross blank lines: the line
where it ends starts the same way, so the one scan agrees with a match per line)."""
_OTHER_LINE_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
"""Line boundaries of ``str.splitlines`` (hier_config's split) other than ``\\n``."""
_ASCII_LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e"
"""Those of them in ASCII (a character look-up each beats the regex scan on an ASCII text)."""
_OTHER_SPACE = re.compile(r"[^\S \n]")
"""Whitespace other than a space (``str.split`` splits on it too)."""
_COMMENT = re.compile(r"^\s*[#!]", re.MULTILINE)
"""A comment line, for one scan of the whole text (``\\s*`` may cross blank lines as above)."""


def _without_dropped(lines: list[str], patterns: tuple[str, ...]) -> list[str]:
    """``lines`` with those a reader's ``drop_lines`` pattern finds blanked (the list itself when
    the reader drops nothing; a blank line stays blank either way).

    >>> _without_dropped(["#", "", " mtu 1", " !x"], (r"^\\s*[#!]",))
    ['', '', ' mtu 1', '']
    """
    if not patterns:
        return lines
    if len(patterns) == 1:
        search = _regex(patterns[0]).search
        return ["" if line and search(line) else line for line in lines]
    drops = [_regex(p) for p in patterns]
    return ["" if line and any(d.search(line) for d in drops) else line for line in lines]


def _load_by_indent(root: ConfigLine, lines: list[str], parser: str) -> bool:
    """Load ``lines`` under ``root`` as hier_config's indentation loader does for ``parser``,
    each line numbered as :func:`_line_index` numbers its path.

    Returns False, loading nothing, on what only hier_config handles (banners, VRP's
    ``peer-public-key`` blocks); raises :class:`ConfigParseError` on a section given twice.

    Each line's own number is its path's first: a path is loaded once (twice is the error), and
    this load and :func:`_line_index` nest the lines they read alike (the same stack of open
    sections, by indentation). So the index is built only when the two read different lines:
    a comment line kept here (``parser`` not dropping comments) is skipped by the index.
    """
    drop_comments = parser in COMMENT_DROPPING_PARSERS  # its only per-line substitution: ^\s*[#!].* -> ""
    text = "\n".join(lines)
    plain = text.isascii()  # then the line breaks and spaces to look for are ASCII ones
    breaks = any(c in text for c in _ASCII_LINE_BREAKS) if plain else _OTHER_LINE_BREAKS.search(text)
    if breaks:
        return False
    if ("banner " in text or (drop_comments and "peer-public-key " in text)) and (
        _BANNER if drop_comments else _BANNER_ONLY
    ).search(text):  # one scan, not a match per line (each needs one of the words first)
        return False
    index = None if drop_comments or not _COMMENT.search(text) else _line_index(lines)
    # without whitespace other than spaces, a line's collapsed text is the line less its indent
    # unless it has a run of spaces after a word or a trailing space
    spaces_only = (plain and "\t" not in text and "\x1f" not in text) or not _OTHER_SPACE.search(text)
    # (node, indent, texts of its children): the open sections; hier_config's real_indent_level
    # is -1 at the root
    stack: list[tuple[ConfigLine, int, set[str]]] = [(root, -1, set())]
    last, last_indent = root, -1
    for number, raw in enumerate(lines, 1):
        if not raw:
            continue  # most blanks: what the reader blanked
        text = raw.lstrip()
        if not text:
            continue
        if drop_comments and text[0] in "#!":
            continue
        indent = len(raw) - len(text)
        if not spaces_only or "  " in text or text[-1] == " ":
            text = " ".join(text.split())
        while indent <= stack[-1][1]:
            stack.pop()
        if indent > last_indent and last is not stack[-1][0]:
            stack.append((last, last_indent, set()))
        parent, _, seen = stack[-1]
        if text in seen:
            duplicate = _path(stack, text)
            raise ConfigParseError(f"cannot parse the config: Found a duplicate section: {duplicate}")
        seen.add(text)
        if index is not None:
            number = index.get(_path(stack, text), parent.line or 1)
        last, last_indent = ConfigLine(text, number), indent
        parent.children.append(last)
    return True


def _path(stack: list[tuple[ConfigLine, int, set[str]]], text: str) -> tuple[str, ...]:
    """The path of a line ``text`` under the open sections ``stack`` (the root first)."""
    return (*(node.text for node, _, _ in stack[1:]), text)


_FEW = 16
"""Top-level candidates a root find matches one by one rather than look for its literal first."""
_NO_GROUPS: dict[str, str] = {}
"""The groups of a hit whose patterns name none (shared: nothing writes to a hit's groups)."""


def _groups(m: re.Match[str]) -> dict[str, str]:
    return {k: v for k, v in m.groupdict().items() if v is not None}


def _below(node: ConfigLine, step: _Step, groups: dict[str, str], out: list[Hit]) -> list[Hit]:
    """Append to ``out`` the children of ``node`` matching ``step``, each with ``groups`` and its own."""
    if step.exact is not None:
        out += [Hit(child, groups) for child in node.children_saying(step.exact)]
        return out
    search = step.search
    if not step.named:
        out += [Hit(child, groups) for child in node.children_starting(step.word) if search(child.text)]
    elif groups:
        out += [
            Hit(child, {**groups, **_groups(m)})
            for child in node.children_starting(step.word)
            if (m := search(child.text))
        ]
    else:
        children = node.children_starting(step.word)
        out += [Hit(child, _groups(m)) for child in children if (m := search(child.text))]
    return out


def _line_index(lines: list[str]) -> dict[tuple[str, ...], int]:
    """First 1-based line number of each path of collapsed line texts, by indentation (the
    reader has already dropped repeated leaf lines: a line said twice means what it means once).
    """
    index: dict[tuple[str, ...], int] = {}
    texts = [_text(raw) for raw in lines]
    indents = [len(raw) - len(raw.lstrip()) if text else -1 for raw, text in zip(lines, texts, strict=True)]
    stack: list[tuple[int, tuple[str, ...]]] = []  # (indent, path) of the open sections
    for i, text in enumerate(texts):
        if not text:
            continue
        indent = indents[i]
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = (*stack[-1][1], text) if stack else (text,)
        stack.append((indent, path))
        index.setdefault(path, i + 1)
    return index


def _text(raw: str) -> str:
    text = " ".join(raw.split())
    return "" if not text or text[0] in "#!" else text
