"""Trace a rendered config line back to the template line that produced it.

Each template line becomes a pattern: its literal text with every ``{{ expression }}`` as a
wildcard. A config line is traced to the first template line (the device's role template, then
the other templates of its platform directory, e.g. ``_macros.j2``) whose pattern matches it.
Lines that are only Jinja statements or have too little literal text are never used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_EXPR = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
MIN_LITERAL = 4


@dataclass(frozen=True, slots=True)
class TemplateLine:
    path: str
    line: int
    pattern: re.Pattern[str]


def _pattern(text: str) -> re.Pattern[str] | None:
    parts = _EXPR.split(text.strip())
    literal = "".join(parts).strip()
    if len(literal) < MIN_LITERAL:
        return None
    body = ".+?".join(re.escape(" ".join(p.split())) if p.strip() else "" for p in parts)
    return re.compile(rf"^{body}$")


@cache
def _template_lines(path: str) -> tuple[TemplateLine, ...]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return ()
    out: list[TemplateLine] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or (stripped.startswith(("{%", "{#")) and stripped.endswith(("%}", "#}"))):
            continue
        pattern = _pattern(raw)
        if pattern is not None:
            out.append(TemplateLine(path, number, pattern))
    return tuple(out)


_IMPORT = re.compile(r"""\{%-?\s*(?:import|from|include)\s+["']([^"']+\.j2)["']""")


@cache
def _search_order(template: str) -> tuple[str, ...]:
    """The role template, its own directory's templates, then those it imports from elsewhere."""
    first = Path(template)
    others = sorted(p.as_posix() for p in first.parent.glob("*.j2") if p != first)
    try:
        imported = _IMPORT.findall(first.read_text(encoding="utf-8"))
    except OSError:
        imported = []
    root = first.parent.parent
    extra = [(root / name).as_posix() for name in imported]
    return tuple(dict.fromkeys((first.as_posix(), *others, *extra)))


def trace(template: str, config_line: str) -> tuple[str, int] | None:
    """(template path, line) that rendered ``config_line``, or None when no template line matches.

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "core.j2")
    >>> _ = open(p, "w").write("{% for s in ntp %}\\nntp-service unicast-server {{ s }}\\n{% endfor %}\\n")
    >>> trace(p, "ntp-service unicast-server 10.254.0.11")[1]
    2
    """
    text = " ".join(config_line.split())
    if len(text) < MIN_LITERAL:
        return None
    for path in _search_order(template):
        for candidate in _template_lines(path):
            if candidate.pattern.match(text):
                return candidate.path, candidate.line
    return None
