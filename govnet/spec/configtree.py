"""A config parsed into its hierarchy with hier_config, each line keeping its 1-based line number."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from hier_config import Platform, get_hconfig

from govnet.errors import GovnetError
from govnet.spec.rules import LineMatch, PlatformDriver

PARSERS = {
    "huawei_vrp": Platform.HUAWEI_VRP,
    "hp_comware5": Platform.HP_COMWARE5,
    "cisco_ios": Platform.CISCO_IOS,
    "generic": Platform.GENERIC,
}


class ConfigParseError(GovnetError):
    """A config text the platform's parser cannot read (e.g. a section twice)."""


@dataclass(eq=False)
class ConfigLine:
    """One config line: its text (whitespace collapsed), 1-based line number and children."""

    text: str
    line: int
    parent: ConfigLine | None = None
    children: list[ConfigLine] = field(default_factory=list)

    def walk(self) -> Iterator[ConfigLine]:
        """Every descendant, depth first, in config order."""
        for child in self.children:
            yield child
            yield from child.walk()


@dataclass(frozen=True)
class Hit:
    """A matched line with the named groups of its own and its parents' patterns."""

    node: ConfigLine
    groups: dict[str, str]

    @property
    def line(self) -> int:
        return self.node.line


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _fill(pattern: str, subst: dict[str, str]) -> str:
    for key, value in subst.items():
        pattern = pattern.replace("{" + key + "}", re.escape(value))
    return pattern


class ConfigTree:
    """A device config as a tree; find lines with :class:`LineMatch` patterns.

    >>> from govnet.spec.rules import load_rules
    >>> huawei = load_rules().drivers["huawei_vrp"]
    >>> tree = ConfigTree("#\\nuser-interface vty 0 4\\n acl 2001 inbound\\n", huawei)
    >>> acl = LineMatch(parent=("^user-interface vty",), line="^acl (?P<acl>\\\\d+)")
    >>> [(h.line, h.groups) for h in tree.find(acl)]
    [(3, {'acl': '2001'})]
    """

    def __init__(self, text: str, driver: PlatformDriver) -> None:
        self.driver = driver
        lines = text.splitlines()
        drops = [_regex(p) for p in driver.drop_lines]
        kept = ["" if any(d.search(line) for d in drops) else line for line in lines]
        try:
            hconfig = get_hconfig(PARSERS[driver.parser], "\n".join(kept))
        except Exception as exc:  # hier_config raises several kinds on malformed input
            raise ConfigParseError(f"cannot parse the config: {exc}") from None
        self.root = ConfigLine("", 0)
        self._attach(self.root, hconfig, (), _line_index(kept))

    def _attach(
        self, node: ConfigLine, hnode: Any, path: tuple[str, ...], index: dict[tuple[str, ...], int]
    ) -> None:
        for hchild in hnode.children:
            child_path = (*path, hchild.text)
            child = ConfigLine(hchild.text, index.get(child_path, node.line or 1), node)
            node.children.append(child)
            self._attach(child, hchild, child_path, index)

    def find(self, match: LineMatch, within: ConfigLine | None = None, **subst: str) -> list[Hit]:
        """Lines matching ``match`` below ``within`` (the root by default); ``{name}`` filled from subst."""
        start = within or self.root
        line_re = _regex(_fill(match.line, subst))
        if match.anywhere:
            return [Hit(n, _groups(line_re.search(n.text))) for n in start.walk() if line_re.search(n.text)]
        frontier = [Hit(start, {})]
        for pattern in match.parent:
            regex = _regex(_fill(pattern, subst))
            frontier = [
                Hit(child, {**hit.groups, **_groups(m)})
                for hit in frontier
                for child in hit.node.children
                if (m := regex.search(child.text))
            ]
        return [
            Hit(child, {**hit.groups, **_groups(m)})
            for hit in frontier
            for child in hit.node.children
            if (m := line_re.search(child.text))
        ]

    def first(self, match: LineMatch, within: ConfigLine | None = None, **subst: str) -> Hit | None:
        hits = self.find(match, within, **subst)
        return hits[0] if hits else None

    def child(self, pattern: str, within: ConfigLine | None = None, **subst: str) -> Hit | None:
        """The first direct child of ``within`` (default root) matching ``pattern``."""
        return self.first(LineMatch(line=pattern), within, **subst)


def _groups(m: re.Match[str] | None) -> dict[str, str]:
    return {k: v for k, v in m.groupdict().items() if v is not None} if m else {}


def _line_index(lines: list[str]) -> dict[tuple[str, ...], int]:
    """First 1-based line number of each path of collapsed line texts, by indentation."""
    index: dict[tuple[str, ...], int] = {}
    stack: list[tuple[int, str]] = []
    for number, raw in enumerate(lines, start=1):
        text = " ".join(raw.split())
        if not text or text[0] in "#!":
            continue
        indent = len(raw) - len(raw.lstrip())
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, text))
        index.setdefault(tuple(t for _, t in stack), number)
    return index
