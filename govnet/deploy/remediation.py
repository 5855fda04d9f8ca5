"""Intended vs running -> the minimal CLI lines that close the gap, and the lines that undo them.

Both configs are read by the one reader of printed configs (:mod:`govnet.platforms.printed`,
in the platform's print style), then hier_config 3.x does the tree diff with the platform's
``hier_config`` parser (``HUAWEI_VRP``; ``HP_COMWARE5`` is the nearest it has to Comware 7).
govnet then applies its own rules where a plain negation is unsafe on a live device, with the
platform's CLI facts (:mod:`govnet.platforms.dialects`):

* VLAN lists (``vlan batch``, ``port trunk allow-pass vlan``, Comware ``port trunk permit vlan``)
  change by their delta: ``vlan batch <added>`` / ``undo vlan batch <removed>``, never a
  wholesale ``undo`` of the old list; a VLAN still used by the intended config is never undone.
* A line replaced by a new value (``description``, ``ip address``, ``mtu`` ...) is not negated
  first: the new value overwrites it, so the management address never goes away in between.
* A line carrying a ``${secret:NAME}`` reference equals the running line that differs only
  where the reference stands: devices print secrets as cipher text, which cannot be compared,
  so a secret is (re)set by changing its line, never by a perpetual diff.
* Nothing that would cut the SSH session is negated: the management interface's address or the
  interface itself, the SSH service (``stelnet server enable``, Comware ``ssh server enable``),
  the SSH user's ``ssh user`` and account lines, and the VTY lines' login settings. Such lines
  are *held* and reported.
* Nothing that cuts the NOC's management path is sent (:mod:`govnet.deploy.management_hold`):
  a change of the management port's VPN binding, its ``service-manage`` permits, the permits of
  the ACLs guarding VTY/SSH/SNMP and the AAA/NTP/syslog/trap server lines through the management
  VPN, when the intended config does not put them back. Such lines are held with the reason.

>>> r = remediate("vlan batch 10 20\\n", "vlan batch 10 30\\n", "huawei_vrp")
>>> r.commands
('vlan batch 30', 'undo vlan batch 20')
>>> r.rollback
('vlan batch 20', 'undo vlan batch 30')
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import cache

from hier_config import HConfig, Platform, WorkflowRemediation
from hier_config import get_hconfig as _get_hconfig

from govnet.deploy.driver import DeployError
from govnet.deploy.management_hold import ManagementHolds, management_holds
from govnet.platforms import PlatformError, get_platform
from govnet.platforms.base import PrintStyle
from govnet.platforms.dialects import Dialect, dialect_of
from govnet.platforms.printed import config_text
from govnet.render.context import SECRET_REF_RE

_VLAN_BATCH = re.compile(r"^(?P<undo>undo )?vlan batch (?P<vlans>[\d ]+(?:to [\d ]+)*)$")
_VLAN_SECTION = re.compile(r"^(?P<undo>undo )?vlan (?P<vlans>\d+(?: to \d+)?)$")
_TRUNK_LIST = re.compile(
    r"^(?P<undo>undo )?(?P<cmd>port trunk (?:allow-pass|permit) vlan) (?P<vlans>[\d ]+(?:to [\d ]+)*)$"
)
_VLAN_USE = re.compile(
    r"^(?:interface Vlan-?(?:if|interface) ?(\d+)"
    r"|port (?:default|access) vlan (\d+)"
    r"|port trunk pvid vlan (\d+)"
    r"|vlan (\d+))$"
)


@dataclass(frozen=True, slots=True)
class _Cli:
    """One platform's CLI as the remediation reads it: parser, print style, dialect patterns."""

    name: str
    parser: Platform
    style: PrintStyle
    single_valued: re.Pattern[str]
    ssh_service: re.Pattern[str]
    vty: re.Pattern[str]
    vty_login: re.Pattern[str]
    mgmt_access: re.Pattern[str]
    user_lines: tuple[str, ...]
    accounts: tuple[str, ...]
    printed_secret_forms: tuple[tuple[str, str], ...] = ()

    def text(self, config: str) -> str:
        """``config`` as the platform's reader gives it to hier_config."""
        return config_text(config, self.style)


def _words(fragments: tuple[str, ...]) -> str:
    return "|".join(fragments)


@cache
def _cli(platform: str) -> _Cli:
    """The remediation's view of ``platform`` (a :class:`DeployError` for one it cannot diff)."""
    facts = get_platform(platform)
    if facts.hier_config is None:
        raise DeployError(f"platform {platform} has no hier_config parser: its configs are not diffed here")
    try:
        dialect: Dialect = dialect_of(facts)
    except PlatformError as err:
        raise DeployError(str(err)) from None
    return _Cli(
        name=platform,
        parser=Platform[facts.hier_config.upper()],
        style=facts.print_style,
        single_valued=re.compile(rf"^({_words(dialect.single_valued)})"),
        ssh_service=re.compile(rf"^({_words(dialect.ssh_service)})$"),
        vty=re.compile(rf"^({_words(dialect.vty)})\b"),
        vty_login=re.compile(rf"^({_words(dialect.vty_login)})\b"),
        mgmt_access=re.compile(rf"^undo ({_words(dialect.mgmt_access)})\b"),
        user_lines=dialect.user_lines,
        accounts=dialect.accounts,
        printed_secret_forms=dialect.printed_secret_forms,
    )


@dataclass(frozen=True, slots=True)
class SessionGuard:
    """What keeps govnet's own SSH session alive: never negated by a remediation."""

    mgmt_interface: str | None = None
    ssh_users: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Remediation:
    """CLI lines (system view, with ``quit`` after each section) and their undo."""

    commands: tuple[str, ...]
    rollback: tuple[str, ...]
    held: tuple[str, ...] = ()
    """Negations govnet refused to send (they would cut the session or drop a VLAN in use)."""
    unified: str = ""

    @property
    def empty(self) -> bool:
        return not self.commands


@dataclass
class _Block:
    text: str
    children: list[_Block] = field(default_factory=list)

    def child(self, text: str) -> _Block:
        for c in self.children:
            if c.text == text:
                return c
        block = _Block(text)
        self.children.append(block)
        return block


def _parse(cli: _Cli, text: str, what: str) -> HConfig:
    """hier_config's tree of ``text`` (already read); a config it cannot take is a :class:`DeployError`."""
    try:
        return _get_hconfig(cli.parser, text)
    except Exception as err:  # hier_config raises ValueError/DuplicateChildError and kin
        raise DeployError(f"{what} config does not parse as {cli.name}: {err}") from err


def parse_config(config: str, platform: str) -> HConfig:
    """hier_config's tree of a config as ``platform`` prints it: what every diff compares.

    >>> [c.text for c in parse_config("#\\n sysname a\\n#\\nreturn\\n", "h3c_comware").children]
    ['sysname a']
    """
    cli = _cli(platform)
    return _parse(cli, cli.text(config), "the")


def parse_vlans(spec: str) -> set[int]:
    """``10 20 30 to 33`` -> {10, 20, 30, 31, 32, 33}.

    >>> sorted(parse_vlans("10 20 to 22"))
    [10, 20, 21, 22]
    """
    words = spec.split()
    vlans: set[int] = set()
    i = 0
    while i < len(words):
        start = int(words[i])
        if i + 2 < len(words) and words[i + 1] == "to":
            vlans.update(range(start, int(words[i + 2]) + 1))
            i += 3
        else:
            vlans.add(start)
            i += 1
    return vlans


def format_vlans(vlans: set[int]) -> str:
    """The VRP/Comware spelling of a VLAN set, runs of three or more as ``a to b``.

    >>> format_vlans({10, 11, 12, 20})
    '10 to 12 20'
    """
    ordered = sorted(vlans)
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{ordered[i]} to {ordered[j]}")
            i = j + 1
        else:
            parts.append(str(ordered[i]))
            i += 1
    return " ".join(parts)


def flatten(config: str, platform: str) -> tuple[str, ...]:
    """A config snippet as the CLI lines that enter it (``quit`` closes each section).

    >>> flatten("interface G0/0/1\\n description x\\n#\\nsysname a\\n", "huawei_vrp")
    ('interface G0/0/1', 'description x', 'quit', 'sysname a')
    """
    tree = parse_config(config, platform)
    root = _Block("")
    _copy(tree, root)
    return tuple(_emit(root.children))


def _copy(node: object, into: _Block) -> None:
    for child in getattr(node, "children", ()):
        block = into.child(child.text)
        _copy(child, block)


def _emit(blocks: list[_Block]) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        lines.append(block.text)
        if block.children:
            lines.extend(_emit(block.children))
            lines.append("quit")
    return lines


def merge_config(running: str, snippet: str, platform: str) -> str:
    """``running`` with a merge ``snippet`` laid over it, as the device would hold it afterwards.

    A single-valued line (``description``, ``ip address`` ...) replaces the old value; VLAN
    lists add up; everything else is added where it is missing.

    >>> running = "interface G1\\n description a\\n mtu 1500\\n"
    >>> print(merge_config(running, "interface G1\\n description b\\n", "huawei_vrp"), end="")
    interface G1
     description b
     mtu 1500
    """
    cli = _cli(platform)
    base, extra = _Block(""), _Block("")
    _copy(_parse(cli, cli.text(running), "running"), base)
    _copy(_parse(cli, cli.text(snippet), "merge"), extra)
    _overlay(cli, base, extra)
    return "".join(f"{' ' * depth}{text}\n" for depth, text in _walk(base.children, 0))


def _overlay(cli: _Cli, into: _Block, extra: _Block) -> None:
    for block in extra.children:
        key = cli.single_valued.match(block.text)
        vlan = _VLAN_BATCH.match(block.text) or _TRUNK_LIST.match(block.text)
        target = next((c for c in into.children if c.text == block.text), None)
        if target is None and vlan:
            prefix = block.text[: vlan.start("vlans")]
            target = next((c for c in into.children if c.text.startswith(prefix)), None)
            if target is not None:
                merged = parse_vlans(target.text[len(prefix) :]) | parse_vlans(vlan["vlans"])
                target.text = prefix + format_vlans(merged)
                continue
        if target is None and key:
            target = next((c for c in into.children if _same_key(cli, key.group(1), c.text)), None)
            if target is not None:
                target.text = block.text
        if target is None:
            target = into.child(block.text)
        _overlay(cli, target, block)


def _walk(blocks: list[_Block], depth: int) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for block in blocks:
        out.append((depth, block.text))
        out.extend(_walk(block.children, depth + 1))
    return out


def _vlan_lists(text: str) -> tuple[set[int], dict[str, tuple[str, set[int]]], set[int]]:
    """From a cleaned config: the ``vlan batch`` set, per-section trunk lists, VLANs in use."""
    batch: set[int] = set()
    trunks: dict[str, tuple[str, set[int]]] = {}
    used: set[int] = set()
    section = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not line.startswith(" "):
            section = stripped
        if m := _VLAN_BATCH.match(stripped):
            batch |= parse_vlans(m["vlans"])
        elif (m := _TRUNK_LIST.match(stripped)) and line.startswith(" "):
            cmd, vlans = trunks.get(section, (m["cmd"], set()))
            trunks[section] = (cmd, vlans | parse_vlans(m["vlans"]))
            used |= parse_vlans(m["vlans"])
        elif m := _VLAN_USE.match(stripped):
            used.add(int(next(g for g in m.groups() if g)))
    return batch, trunks, used


def _is_vlan_list(text: str) -> bool:
    return bool(_VLAN_BATCH.match(text) or _TRUNK_LIST.match(text))


def _same_key(cli: _Cli, key: str, line: str) -> bool:
    """``line`` sets the single-valued setting ``key`` (a secondary ``ip address ... sub`` does not)."""
    m = cli.single_valued.match(line)
    return m is not None and m.group(1) == key


def _unsafe(cli: _Cli, path: tuple[str, ...], text: str, guard: SessionGuard) -> bool:
    """A negation (or shutdown) that would cut govnet's session to the device."""
    mgmt = f"interface {guard.mgmt_interface}" if guard.mgmt_interface else None
    users = [re.escape(u) for u in guard.ssh_users]
    accounts = [re.compile(rf"^({_words(cli.accounts)}) {u}\b") for u in users]
    if not path:
        if not text.startswith("undo "):
            return False
        body = text.removeprefix("undo ")
        if cli.ssh_service.match(body) or cli.vty.match(body) or (mgmt and body == mgmt):
            return True
        return any(re.match(rf"^({_words(cli.user_lines)}) {u}\b", body) for u in users)
    section = path[0]
    if mgmt and section == mgmt:
        return text == "shutdown" or bool(cli.mgmt_access.match(text))
    if cli.vty.match(section):
        return text.startswith("undo ") and bool(cli.vty_login.match(text.removeprefix("undo ")))
    if not text.startswith("undo "):
        return False
    for account in accounts:
        if section == "aaa" and (
            account.match(text.removeprefix("undo ")) or any(map(account.match, path[1:]))
        ):
            return True  # VRP aaa: local-user lines; USG aaa: the manager-user view
        if account.match(section):
            return True  # Comware: the local-user view
    return False


def _filter(
    cli: _Cli, node: object, path: tuple[str, ...], guard: SessionGuard, held: list[str], into: _Block,
    keep: ManagementHolds,
) -> None:
    children = list(getattr(node, "children", ()))
    positives = [c.text for c in children if not c.text.startswith("undo ")]
    for child in children:
        text: str = child.text
        if _is_vlan_list(text):
            continue
        key = cli.single_valued.match(text.removeprefix("undo ")) if text.startswith("undo ") else None
        if key and any(_same_key(cli, key.group(1), p) for p in positives):
            continue  # overwritten by the new value: no gap
        if why := keep.reason(path, text):
            held.append(f"{' '.join((*path, text))} ({why})")
            continue
        if _unsafe(cli, path, text, guard):
            held.append(" ".join((*path, text)))
            continue
        block = into.child(text)
        _filter(cli, child, (*path, text), guard, held, block, keep)
        if child.children and not block.children:
            into.children.remove(block)  # everything under it was held or handled elsewhere


def _one_way(
    running: str, intended: str, cli: _Cli, guard: SessionGuard
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    workflow = WorkflowRemediation(_parse(cli, running, "running"), _parse(cli, intended, "intended"))
    held: list[str] = []
    root = _Block("")
    keep = management_holds(running, intended, cli.name, guard.mgmt_interface)
    _filter(cli, workflow.remediation_config, (), guard, held, root, keep)

    have_batch, have_trunks, _ = _vlan_lists(running)
    want_batch, want_trunks, want_used = _vlan_lists(intended)
    first: list[str] = []
    last: list[str] = []
    if added := want_batch - have_batch:
        first.append(f"vlan batch {format_vlans(added)}")
    removed = have_batch - want_batch
    if still_used := removed & want_used:
        held.append(f"undo vlan batch {format_vlans(still_used)} (still in use)")
    if gone := removed - want_used:
        last.append(f"undo vlan batch {format_vlans(gone)}")
    for section in sorted(set(have_trunks) | set(want_trunks)):
        cmd, have = have_trunks.get(section, ("", set()))
        want_cmd, want = want_trunks.get(section, (cmd, set()))
        if f"undo {section}" in (b.text for b in root.children):
            continue  # the whole section goes
        block = root.child(section)
        if plus := want - have:
            block.children.append(_Block(f"{want_cmd} {format_vlans(plus)}"))
        if minus := have - want:
            block.children.append(_Block(f"undo {cmd or want_cmd} {format_vlans(minus)}"))
        if not block.children:
            root.children.remove(block)
    return (*first, *_emit(root.children), *last), tuple(held)


def match_secrets(intended: str, running: str, printed_forms: tuple[tuple[str, str], ...] = (),
                  rotated: frozenset[str] = frozenset()) -> str:
    """``intended`` with each secret-bearing line replaced by the running line that matches it
    everywhere but at the reference (the device shows a cipher there), and, per
    ``printed_forms``, at the keyword the device prints in place of the pushed one. A line
    naming a ``rotated`` secret (its value changed since it was pushed) is left as intended: a change.

    >>> match_secrets(" local-user a password irreversible-cipher ${secret:PW}\\n",
    ...               " local-user a password irreversible-cipher $1a$Xy$\\n")
    ' local-user a password irreversible-cipher $1a$Xy$\\n'
    >>> match_secrets(" key authentication simple ${secret:K}\\n", " key authentication cipher $c$3$Ab==\\n",
    ...               (("simple", "cipher"),))
    ' key authentication cipher $c$3$Ab==\\n'
    """
    have = running.splitlines()
    out: list[str] = []
    for line in intended.splitlines():
        names = {m.group("name") for m in SECRET_REF_RE.finditer(line)}
        if names and not names & rotated:
            line = next((h for h in have if _secret_pattern(line, printed_forms).match(h)), line)
        out.append(line)
    return "\n".join(out) + "\n"


def _secret_pattern(line: str, printed_forms: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    """The running lines ``line`` (with secret references) may be printed as."""
    parts = [_printed_keyword(re.escape(p), printed_forms) for p in SECRET_REF_RE.split(line)[::2]]
    return re.compile("^" + r"\S+".join(parts) + "$")


def _overwritten(intended: str, running: str, printed_forms: tuple[tuple[str, str], ...],
                 rotated: frozenset[str]) -> set[str]:
    """Running lines a rotated secret's line overwrites in place (the same line with the old
    cipher): the new value is set over them, they are never undone first."""
    have = running.splitlines()
    found: set[str] = set()
    for line in intended.splitlines():
        if {m.group("name") for m in SECRET_REF_RE.finditer(line)} & rotated:
            pattern = _secret_pattern(line, printed_forms)
            found |= {h.strip() for h in have if pattern.match(h)}
    return found


def _printed_keyword(escaped: str, printed_forms: tuple[tuple[str, str], ...]) -> str:
    """``escaped`` (text before a secret) with its last word, when the device prints it as
    another keyword, accepting either."""
    for pushed, printed in printed_forms:
        tail = re.escape(f" {pushed} ")
        if escaped.endswith(tail):
            return escaped[: -len(tail)] + rf" (?:{re.escape(pushed)}|{re.escape(printed)}) "
    return escaped


def remediate(
    running: str,
    intended: str,
    platform: str,
    guard: SessionGuard | None = None,
    rotated: frozenset[str] = frozenset(),
) -> Remediation:
    """Lines that take ``running`` to ``intended`` safely on ``platform``, and the lines that
    take it back (both configs as the platform prints them, read by its reader). Lines naming a
    ``rotated`` secret are pushed again even though the device shows them set."""
    guard = guard or SessionGuard()
    cli = _cli(platform)
    have = cli.text(running)
    want = match_secrets(cli.text(intended), have, cli.printed_secret_forms, rotated)
    commands, held = _one_way(have, want, cli, guard)
    if rotated:  # a secret's new value overwrites its line: never 'undo' the old one first
        kept = {f"undo {line}" for line in _overwritten(want, have, cli.printed_secret_forms, rotated)}
        commands = tuple(c for c in commands if c.strip() not in kept)
    rollback, _ = _one_way(want, have, cli, guard)
    unified = "".join(
        difflib.unified_diff(
            have.splitlines(keepends=True), want.splitlines(keepends=True), "running", "intended"
        )
    )
    return Remediation(commands=commands, rollback=rollback, held=held, unified=unified)
