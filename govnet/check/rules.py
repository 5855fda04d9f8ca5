"""The platform spec as data: load and validate ``rules.yaml`` (rules plus one reader per platform).

The platforms come from the registry: a reader or rule naming a platform it does not know is an
error naming the file and the key, and so is a platform that renders CLI configs without a reader.
"""

from __future__ import annotations

import inspect
import re
import string
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from govnet.errors import LocatedError
from govnet.platforms import PLATFORMS

Severity = Literal["error", "warning"]
RuleKind = Literal["intent", "config", "cross"]
RULE_ID_RE = r"^GN-(INT|CFG|X)-\d{3}$"
ANY = "*"
OP_VALUES: dict[str, frozenset[str]] = {
    "require": frozenset(),
    "forbid": frozenset({"text"}),
    "each": frozenset({"text", "missing"}),
    "count": frozenset({"problem"}),
    "value": frozenset({"problem"}),
}
"""The values each op fills into ``say`` and ``fix`` (``forbid`` and ``each`` also the named
groups of their ``match``): ``text`` the offending line, ``missing`` the children it lacks,
``problem`` how a count or value is out of bounds."""


class SpecError(LocatedError):
    """The rule file is malformed, or a rule id asked for does not exist (file and key when known)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LineMatch(_Strict):
    """A config line by regex, under parents matched from the root down (``{ifname}`` etc. filled in).

    ``anywhere`` ignores ``parent`` and matches at any depth.
    """

    line: str
    parent: tuple[str, ...] = ()
    anywhere: bool = False
    name: str = ""
    """The line in words or as the command to type (messages never show the pattern)."""


class Bound(_Strict):
    """A limit: a number, or the name of one of the rule's params."""

    min: int | str | None = None
    max: int | str | None = None


class ConfigCheck(_Strict):
    """One check of a config rule on one platform.

    ops: ``require`` (some line matches ``match``), ``forbid`` (no line does), ``each`` (every
    block matching ``match`` has ``children`` and none of ``forbid_children``), ``count``
    (distinct matches, by the ``key`` group if any, within ``bound``), ``value`` (the number
    read from ``match`` groups, scaled by ``scale``, within ``bound``; in every ``within`` block)
    and ``any`` (passes when one of ``any_of`` passes; else reports the first one's problems).

    ``fix`` is the command that fixes a problem on this platform (appended to the message);
    ``say`` and ``fix`` take the op's values (:data:`OP_VALUES`) as ``{name}``.
    ``default`` says which platform default satisfies the check when the line is absent (devices
    do not display defaults): ``require`` then passes with that reason, ``value`` reads
    ``default_groups`` as the configured value.
    """

    op: Literal["require", "forbid", "each", "count", "value", "any"]
    match: LineMatch | None = None
    say: str = ""
    any_of: tuple[ConfigCheck, ...] = ()
    within: LineMatch | None = None
    children: tuple[LineMatch, ...] = ()
    forbid_children: tuple[LineMatch, ...] = ()
    bound: Bound | None = None
    scale: dict[str, str] = Field(default_factory=dict)
    fix: str = ""
    default: str = ""
    default_groups: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _op_fields(self) -> ConfigCheck:
        if self.op == "any":
            if len(self.any_of) < 2:
                raise ValueError("op any needs at least two checks in any_of")
            return self
        if self.match is None or not self.say:
            raise ValueError(f"op {self.op} needs match and say")
        if self.op in ("count", "value") and self.bound is None:
            raise ValueError(f"op {self.op} needs a bound (min/max)")
        if self.op == "each" and not (self.children or self.forbid_children):
            raise ValueError("op each needs children or forbid_children")
        if self.op == "value" and not self.scale:
            raise ValueError("op value needs scale: {group: factor}")
        if self.default_groups and not self.default:
            raise ValueError("default_groups needs default: the platform default it stands for")
        for child in self.children:
            if not child.name:
                raise ValueError(f"child {child.line!r} needs a name (messages show names, not patterns)")
        known = self.fills()
        for field_name in ("say", "fix"):
            unknown = _placeholders(getattr(self, field_name)) - known
            if unknown:
                named, fills = (", ".join(f"{{{n}}}" for n in sorted(names)) for names in (unknown, known))
                raise ValueError(
                    f"{field_name} {getattr(self, field_name)!r} names {named}, "
                    f"which op {self.op} does not fill (it fills: {fills or 'nothing'})"
                )
        return self

    def fills(self) -> frozenset[str]:
        """The ``{name}`` values this check fills into its ``say`` and ``fix``."""
        groups: set[str] = set()
        if self.op in ("forbid", "each") and self.match is not None:
            for pattern in (*self.match.parent, self.match.line):
                groups |= set(re.compile(pattern).groupindex)
        return OP_VALUES.get(self.op, frozenset()) | groups


class PlatformReader(_Strict):
    """How to read one platform's configs: parser, interface naming and the facts cross rules use
    (the spec's ``readers:``; the deploy driver is ``Platform.driver``)."""

    parser: str
    ifname: Literal["as_is", "kernel"] = "as_is"
    drop_lines: tuple[str, ...] = ()
    default_mtu: int = 1500
    interface: str
    address: str
    mtu: str
    loopback: str
    vrf_binding: str | None = None
    """The interface child binding it to a VRF (None: the ``interface`` pattern's ``vrf`` group)."""
    bind_vrf: str = ""
    vpn_instance: str | None = None
    vpn_import: LineMatch | None = None
    undo_import: str = ""
    ldp_auth: LineMatch | None = None
    ldp_auth_fix: str = ""
    bgp_peer_auth: LineMatch | None = None
    bgp_auth_fix: str = ""
    urpf: str | None = None
    urpf_fix: str = ""
    ospf_interface: LineMatch | None = None
    ospf_network: LineMatch | None = None
    ldp: tuple[LineMatch, ...] = ()
    bgp_asn: LineMatch | None = None
    bgp_peer: LineMatch | None = None
    bgp_peer_enabled: LineMatch | None = None
    bgp_update_source: LineMatch | None = None


class Rule(_Strict):
    """One rule of the platform spec."""

    id: str = Field(pattern=RULE_ID_RE)
    title: str = Field(min_length=3)
    severity: Severity
    source: str = Field(min_length=3)
    kind: RuleKind
    check: str = Field(min_length=1)
    platforms: tuple[str, ...] = Field(min_length=1)
    roles: tuple[str, ...] = Field(min_length=1)
    hint: str = Field(min_length=3)
    help_uri: str | None = None
    params: dict[str, int | str | list[str]] = Field(default_factory=dict)
    match: dict[str, tuple[ConfigCheck, ...]] = Field(default_factory=dict)
    not_applicable: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        prefix = {"intent": "GN-INT-", "config": "GN-CFG-", "cross": "GN-X-"}[self.kind]
        if not self.id.startswith(prefix):
            raise ValueError(f"a {self.kind} rule id starts with {prefix}")
        for platform, checks in self.match.items():
            if platform not in self.platforms:
                raise ValueError(f"match for {platform}, which is not in platforms")
            for check in (c for top in checks for c in (top, *top.any_of)):
                for b in (check.bound.min, check.bound.max) if check.bound else ():
                    if isinstance(b, str) and b not in self.params:
                        raise ValueError(f"bound {b!r} names no param of the rule")
        return self

    def applies_to_role(self, role: str) -> bool:
        return ANY in self.roles or role in self.roles

    def param_int(self, name: str) -> int:
        value = self.params[name]
        if not isinstance(value, int):
            raise SpecError(f"{self.id}: param {name} must be an integer")
        return value

    def param_list(self, name: str, default: list[str] | None = None) -> list[str]:
        value = self.params.get(name, default if default is not None else [])
        if not isinstance(value, list):
            raise SpecError(f"{self.id}: param {name} must be a list")
        return value

    def limit(self, value: int | str | None) -> int | None:
        """A bound as a number (a param name resolved)."""
        return self.param_int(value) if isinstance(value, str) else value


class RuleSet(_Strict):
    """The whole spec: platform readers and rules."""

    version: Literal[1]
    readers: dict[str, PlatformReader]
    rules: tuple[Rule, ...]

    @field_validator("rules")
    @classmethod
    def _unique_ids(cls, rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
        seen: set[str] = set()
        for rule in rules:
            if rule.id in seen:
                raise ValueError(f"duplicate rule id {rule.id}")
            seen.add(rule.id)
        return rules

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise SpecError(f"unknown rule id {rule_id} (known: {', '.join(r.id for r in self.rules)})")

    def select(self, rule_ids: list[str] | None) -> list[Rule]:
        """The rules named (in file order), all when ``rule_ids`` is None; SpecError on unknown ids."""
        if rule_ids is None:
            return list(self.rules)
        wanted = {r.strip().upper() for r in rule_ids if r.strip()}
        for rid in sorted(wanted):
            self.rule(rid)
        return [r for r in self.rules if r.id in wanted]


def _in_words(check: ConfigCheck) -> str:
    """One config check in words (its ``say``, or its op and pattern)."""
    if check.op == "value" and check.match is not None and check.bound is not None:
        where = f" under '{check.within.line}'" if check.within else ""
        return f"value of '{check.match.line}'{where} within {check.bound.min}..{check.bound.max}"
    if check.say:
        return f"{check.op}: {check.say}"
    if check.any_of:
        return "any of: " + "; ".join(_in_words(c) for c in check.any_of)
    return f"{check.op}: {check.match.line if check.match else ''}"


def what_it_checks(rule: Rule, checks: Mapping[str, Callable[..., object]]) -> list[str]:
    """Plain lines saying what ``rule`` looks at: its config checks per platform, or else the first
    docstring line of its engine function (``checks``: check name -> function), and where it does
    not apply.

    >>> rule = load_rules().rule("GN-INT-008")
    >>> what_it_checks(rule, {rule.check: len}), what_it_checks(rule, {})
    (['Return the number of items in a container.'], ['zone_imports'])
    """
    lines = [f"{platform}: {_in_words(c)}" for platform, found in rule.match.items() for c in found]
    if not lines:
        doc = inspect.getdoc(checks[rule.check]) if rule.check in checks else None
        lines.append((doc or rule.check).splitlines()[0])
    lines += [f"not applicable on {platform}: {reason}" for platform, reason in rule.not_applicable.items()]
    return lines


def _placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a message template.

    >>> sorted(_placeholders("ospf {process} / {text} / authentication-mode <key>"))
    ['process', 'text']
    """
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _describe(err: Any) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    return f"{loc}: {err['msg']}" if loc else str(err["msg"])


def _with_platform_facts(data: Any) -> Any:
    """Fill each reader's parser and interface naming from the platform registry (their one home).

    >>> _with_platform_facts({"readers": {"frr": {}}})["readers"]["frr"]
    {'parser': 'cisco_ios', 'ifname': 'kernel'}
    """
    if not isinstance(data, dict) or not isinstance(data.get("readers"), dict):
        return data
    readers = {}
    for name, reader in data["readers"].items():
        platform = PLATFORMS.get(name)
        if platform is None or not isinstance(reader, dict):
            readers[name] = reader  # validation names the bad entry
            continue
        facts = {
            "parser": (platform.hier_config or "generic").lower(),
            "ifname": "kernel" if platform.ifname_style == "kernel" else "as_is",
        }
        readers[name] = {**reader, **facts}
    return {**data, "readers": readers}


def _unknown(name: str) -> str | None:
    if name == ANY or name in PLATFORMS:
        return None
    return f"unknown platform {name!r} (known: {', '.join(sorted(PLATFORMS))})"


def _reader_problem(data: Any) -> str | None:
    """The old ``drivers:`` key, the first reader named for a platform the registry does not know,
    or the first platform that renders CLI configs without a reader (``key: problem``).

    >>> print(_reader_problem({"drivers": {}}))
    drivers: this section is now called readers: (how to read each platform's configs)
    """
    if isinstance(data, dict) and "drivers" in data:
        return "drivers: this section is now called readers: (how to read each platform's configs)"
    readers = data.get("readers") if isinstance(data, dict) else None
    if not isinstance(readers, dict):
        return None
    for name in readers:
        problem = _unknown(str(name))
        if problem is not None:
            return f"readers.{name}: {problem}"
    for name, platform in PLATFORMS.items():
        if platform.checks_cli and name not in readers:
            return f"readers: no reader for {name}, which renders CLI configs (govnet/platforms/{name}/)"
    return None


def _rule_platform_problem(rules: RuleSet) -> str | None:
    """The first rule naming a platform the registry does not know (``key: problem``)."""
    for rule in rules.rules:
        for key, names in (
            ("platforms", rule.platforms), ("match", rule.match), ("not_applicable", rule.not_applicable)
        ):
            for name in names:
                problem = _unknown(name)
                if problem is not None:
                    return f"rules.{rule.id}.{key}.{name}: {problem}"
    return None


def parse_rules(text: str, origin: str) -> RuleSet:
    """Validate rule-file text; SpecError names the file and the first problem."""
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise SpecError(f"{origin}: not valid YAML: {exc}") from None
    problem = _reader_problem(data)
    if problem is not None:
        raise SpecError(f"{origin}: {problem}")
    try:
        rules = RuleSet.model_validate(_with_platform_facts(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise SpecError(f"{origin}: {_describe(first)} ({exc.error_count()} problem(s))") from None
    problem = _rule_platform_problem(rules)
    if problem is not None:
        raise SpecError(f"{origin}: {problem}")
    return rules


def load_rules(path: Path | None = None) -> RuleSet:
    """The spec at ``path``, or the one shipped in the package."""
    if path is not None:
        try:
            return parse_rules(path.read_text(encoding="utf-8"), str(path))
        except OSError as exc:
            raise SpecError(f"cannot read rule file {path}: {exc.strerror}") from None
    return _packaged()


@cache
def _packaged() -> RuleSet:
    ref = resources.files("govnet").joinpath("data/spec/rules.yaml")
    return parse_rules(ref.read_text(encoding="utf-8"), "govnet/data/spec/rules.yaml")
