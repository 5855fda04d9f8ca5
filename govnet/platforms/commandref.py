"""A platform's command reference as data (``commands.yaml`` in its package), and its matcher.

The reference lists every command form govnet emits on the platform, the view it is valid in,
the shape of its arguments, where it applies when that differs by model or release, and the
public document it was checked against (``verified: false`` when no public source settled it).

A form is words and argument shapes: ``ip urpf {loose|strict}``, ``ip address {ip} {mask}``,
``ip route-static [vpn-instance {name}] {ip} {mask} {ip} [description {text}]``: ``{a|b}`` is one
of the literal words, ``{shape}`` a named argument shape (:data:`SHAPES`), ``[...]`` an optional
part. A view is named by the lines that enclose it, from the top level down (``ospf area``: an
``area`` line inside an ``ospf`` line); top-level lines are in the ``system`` view.

>>> ref = parse_reference('''
... views:
...   interface: ['^interface \\\\S+$']
... sources: {cr: "Command Reference, uRPF"}
... commands:
...   - {view: system, form: "interface {ifname}", source: cr}
...   - {view: interface, form: "ip urpf {loose|strict}", source: cr}
... ''', "demo")
>>> [(u.line, u.view, u.text) for u in ref.unmatched("interface GE1/0/1\\n urpf loose\\n")]
[(2, 'interface', 'urpf loose')]
>>> ref.match(("interface GE1/0/1",), "ip urpf strict").form
'ip urpf {loose|strict}'
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

import yaml

from govnet.errors import GovnetError
from govnet.platforms.base import Platform

SYSTEM = "system"
"""The view of top-level lines."""

_IPV4 = r"\d{1,3}(?:\.\d{1,3}){3}"
SHAPES: dict[str, str] = {
    "ip": _IPV4,
    "mask": _IPV4,
    "wildcard": rf"(?:{_IPV4}|0)",
    "int": r"\d+",
    "area": rf"(?:{_IPV4}|\d+)",
    "rd": r"\S+:\d+",
    "rt": r"\S+:\d+",
    "ifname": r"[A-Za-z0-9][\w-]*?\d+(?:/\d+)*(?:\.\d+)?",
    "name": r"\S+",
    "secret": r"\S+",
    "time": r"\d{1,2}:\d{2}:\d{2}",
    "date": r"\d{4}/\d{1,2}/\d{1,2}",
    "text": r".+",
}
"""Argument shapes a form may name: ``{ip}`` an IPv4 address, ``{secret}`` a secret (a
``${secret:NAME}`` reference in govnet's renders), ``{text}`` the rest of the line ..."""

_MEMO_LIMIT = 20_000
"""Enclosing-line tuples remembered per reference before the memo starts over (bounded memory)."""

_ACCEPTED_LIMIT = 100_000
"""Lines whose verdict is remembered per reference before that memo starts over."""

_UNSEEN = "\0unseen"
"""What the view memo gives for enclosing lines it has not seen (no view is called that)."""

_NONE_REMEMBERED: Mapping[str, bool] = MappingProxyType({})
"""The remembered verdicts of a view no line of which has been judged yet."""

_SKIPPED = re.compile(r"^(#.*|!.*|return)$")
"""Separators, comments and the closing ``return``: printed, never typed."""


class CommandRefError(GovnetError):
    """A ``commands.yaml`` that does not parse or names an unknown view, shape or source."""


@dataclass(frozen=True, slots=True)
class Command:
    """One command form in one view, with the public source it was checked against."""

    form: str
    view: str
    regex: re.Pattern[str]
    source: str
    verified: bool = True
    applies_to: str = ""
    """Models or releases it is limited to (empty: every model of the platform)."""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A config line that matches no command of its platform in its view."""

    line: int
    text: str
    view: str
    parents: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ConfigLine:
    """A config line with its number and the lines that enclose it (top first)."""

    line: int
    text: str
    parents: tuple[str, ...]


@dataclass(slots=True)
class _Verdicts:
    """Remembered verdicts, view -> line text -> whether it is a command of the view; at most
    :data:`_ACCEPTED_LIMIT` (then they start over: bounded memory)."""

    by_view: dict[str | None, dict[str, bool]] = field(default_factory=dict)
    size: int = 0

    def remember(self, view: str | None, text: str, verdict: bool) -> None:
        """Keep one verdict."""
        if self.size > _ACCEPTED_LIMIT:
            self.by_view.clear()
            self.size = 0
        self.by_view.setdefault(view, {})[text] = verdict
        self.size += 1


@dataclass(frozen=True, slots=True)
class CommandRef:
    """A platform's command reference: its views and the command forms valid in each."""

    platform: str
    views: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
    commands: tuple[Command, ...]
    sources: tuple[tuple[str, str], ...] = ()

    _views_seen: dict[tuple[str, ...], str | None] = field(default_factory=dict, compare=False, repr=False)
    _view_patterns: dict[str, re.Pattern[str] | None] = field(default_factory=dict, compare=False, repr=False)
    _verdicts: _Verdicts = field(default_factory=_Verdicts, compare=False, repr=False)

    def view_of(self, parents: Sequence[str]) -> str | None:
        """The view a line enclosed by ``parents`` is typed in (None: no known view)."""
        if not parents:
            return SYSTEM
        key = tuple(parents)
        found = self._views_seen.get(key, _UNSEEN)
        if found is not _UNSEEN:
            return found
        found = next(
            (
                name
                for name, patterns in self.views
                if len(patterns) == len(key) and all(p.match(t) for p, t in zip(patterns, key, strict=True))
            ),
            None,
        )
        if len(self._views_seen) > _MEMO_LIMIT:
            self._views_seen.clear()
        self._views_seen[key] = found
        return found

    def accepts(self, parents: Sequence[str], text: str) -> bool:
        """Whether ``text`` is a command of the view ``parents`` enclose."""
        return self.accepts_in(self.view_of(parents), text)

    def accepts_in(self, view: str | None, text: str) -> bool:
        """Whether ``text`` is a command of ``view`` (None, no known view: it is not); one regex
        per view, the verdict remembered per line, as most lines recur from config to config."""
        verdicts = self._verdicts.by_view.get(view)
        known = verdicts.get(text) if verdicts is not None else None
        if known is None:
            known = self._matches(view, text)
            self._verdicts.remember(view, text, known)
        return known

    def remembered(self, view: str | None) -> Mapping[str, bool]:
        """Line text -> verdict, for the lines of ``view`` whose verdict is remembered (what
        :meth:`accepts_in` says of them, looked up without a call per line)."""
        return self._verdicts.by_view.get(view, _NONE_REMEMBERED)

    def _matches(self, view: str | None, text: str) -> bool:
        if view is None:
            return False
        if view not in self._view_patterns:
            forms = [c.regex.pattern for c in self.commands if c.view == view]
            self._view_patterns[view] = re.compile("|".join(f"(?:{f})" for f in forms)) if forms else None
        pattern = self._view_patterns[view]
        return pattern is not None and pattern.fullmatch(text) is not None

    def in_view(self, view: str) -> tuple[Command, ...]:
        """The commands valid in ``view``."""
        return tuple(c for c in self.commands if c.view == view)

    def match(self, parents: Sequence[str], text: str) -> Command | None:
        """The command ``text`` is, typed in the view ``parents`` enclose (None: none is)."""
        view = self.view_of(parents)
        return next((c for c in self.commands if c.view == view and c.regex.fullmatch(text)), None)

    def unmatched(self, config: str) -> list[Unmatched]:
        """Every line of ``config`` that is no command of this platform in its view."""
        out: list[Unmatched] = []
        for ln in config_lines(config):
            if not self.accepts(ln.parents, ln.text):
                view = self.view_of(ln.parents) or f"unknown view under '{ln.parents[-1]}'"
                out.append(Unmatched(ln.line, ln.text, view, ln.parents))
        return out

    def unverified(self) -> tuple[Command, ...]:
        """The commands no public source settled."""
        return tuple(c for c in self.commands if not c.verified)


def config_lines(config: str) -> Iterator[ConfigLine]:
    """The typed lines of a config printed one space of indent per level, with their parents.

    ``#``/``!`` separators and comments, blank lines and ``return`` are skipped; a ``#`` at the
    top level closes every open section.
    """
    stack: list[tuple[int, str]] = []
    for number, raw in enumerate(config.splitlines(), start=1):
        text = raw.strip()
        if not text:
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if _SKIPPED.match(text):
            if indent == 0 and text.startswith("#"):
                stack = []
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        yield ConfigLine(number, " ".join(text.split()), tuple(t for _, t in stack))
        stack.append((indent, " ".join(text.split())))


def compile_form(form: str) -> re.Pattern[str]:
    """The regex of a form (see the module docstring for the grammar).

    >>> bool(compile_form("ip route-static [vpn-instance {name}] {ip} {mask}").fullmatch(
    ...     "ip route-static 10.0.0.0 255.0.0.0"))
    True
    >>> compile_form("{nope}")
    Traceback (most recent call last):
    govnet.platforms.commandref.CommandRefError: form '{nope}': unknown argument shape 'nope'
    """
    tokens = form.replace("[", " [ ").replace("]", " ] ").split()
    pattern, end = _sequence(form, tokens, 0)
    if end != len(tokens):
        raise CommandRefError(f"form {form!r}: unbalanced ']'")
    return re.compile(pattern)


def _sequence(form: str, tokens: list[str], i: int) -> tuple[str, int]:
    """The regex of ``tokens[i:]`` up to a closing ``]`` (its index returned, or the end)."""
    out = ""
    while i < len(tokens) and tokens[i] != "]":
        if tokens[i] == "[":
            inner, i = _sequence(form, tokens, i + 1)
            if i >= len(tokens):
                raise CommandRefError(f"form {form!r}: unbalanced '['")
            out += f"(?: {inner})?" if out else f"(?:{inner} )?"
        else:
            out += ("" if not out or out.endswith(" )?") else " ") + _word(form, tokens[i])
        i += 1
    return out, i


def _word(form: str, word: str) -> str:
    out: list[str] = []
    for piece in re.split(r"(\{[^}]*\})", word):
        if not piece:
            continue
        if not (piece.startswith("{") and piece.endswith("}")):
            out.append(re.escape(piece))
        elif "|" in piece:
            out.append("(?:" + "|".join(re.escape(w) for w in piece[1:-1].split("|")) + ")")
        elif piece[1:-1] in SHAPES:
            out.append(SHAPES[piece[1:-1]])
        else:
            raise CommandRefError(f"form {form!r}: unknown argument shape {piece[1:-1]!r}")
    return "".join(out)


def parse_reference(text: str, platform: str) -> CommandRef:
    """A :class:`CommandRef` from the text of a ``commands.yaml``."""
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError as err:
        raise CommandRefError(f"{platform} commands.yaml: {err}") from None
    views = data.get("views") or {}
    sources: dict[str, str] = data.get("sources") or {}
    known = {SYSTEM, *views}
    commands: list[Command] = []
    for entry in data.get("commands") or []:
        view, form, source = entry.get("view"), entry.get("form"), entry.get("source", "")
        if view not in known:
            raise CommandRefError(f"{platform} commands.yaml: {form!r} is in unknown view {view!r}")
        verified = bool(entry.get("verified", True))
        if verified and source not in sources:
            raise CommandRefError(f"{platform} commands.yaml: {form!r} names no known source ({source!r})")
        commands.append(
            Command(
                form=form,
                view=view,
                regex=compile_form(form),
                source=sources.get(source, source),
                verified=verified,
                applies_to=str(entry.get("applies_to", "")),
                note=str(entry.get("note", "")),
            )
        )
    compiled = tuple((name, tuple(re.compile(p) for p in patterns)) for name, patterns in views.items())
    return CommandRef(platform, compiled, tuple(commands), tuple(sources.items()))


def reference_of(platform: Platform) -> CommandRef | None:
    """The platform's command reference, None when its package has no ``commands.yaml``."""
    return _reference(platform.name, platform.data_file("commands.yaml"))


@cache
def _reference(name: str, text: str | None) -> CommandRef | None:
    return None if text is None else parse_reference(text, name)
