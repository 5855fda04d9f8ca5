"""Oxidized-style masking of secrets in running configs (backups, diffs, reports).

Each rule keeps the line and replaces only the secret value with ``<secret hidden>``, so a
masked backup still shows *that* a password, key or community is set, and diffs stay stable.
The rules are the platforms' own (``Platform.secret_rules``); this module runs them.

>>> mask_config(" snmp-agent community read cipher %^%#abc%^%# acl 2000")
' snmp-agent community read cipher <secret hidden> acl 2000'
>>> mask_config(" neighbor 10.0.0.1 password s3cret")
' neighbor 10.0.0.1 password <secret hidden>'
"""

from __future__ import annotations

import re
from functools import cache

from govnet.platforms import PLATFORMS, get_platform
from govnet.platforms.base import MASK_STAGES, SecretRule

HIDDEN = "<secret hidden>"


@cache
def mask_rules(platform: str | None = None) -> tuple[SecretRule, ...]:
    """The rules masking ``platform``'s configs in the order they run: stage by stage
    (:data:`~govnet.platforms.base.MASK_STAGES`), registry order within a stage.

    ``None`` (a text whose platform is not known), or a platform that declares no rules of its
    own, gets every platform's rules. PlatformError for an unknown name."""
    chosen = get_platform(platform).secret_rules if platform is not None else ()
    rules = chosen or tuple(r for p in PLATFORMS.values() for r in p.secret_rules)
    ordered: dict[str, SecretRule] = {}
    for stage in MASK_STAGES:
        for rule in rules:
            if rule.stage == stage:
                ordered.setdefault(rule.name, rule)
    return tuple(ordered.values())


MASK_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((r.name, r.pattern) for r in mask_rules())
"""(name, pattern) of every platform's rules, in the order :func:`mask_config` runs them."""


def _mask_line(line: str, rules: tuple[SecretRule, ...]) -> str:
    for rule in rules:
        def hide(match: re.Match[str]) -> str:
            if match.group("v").startswith("<secret"):
                return match.group(0)
            start, end = match.span("v")
            offset = match.start()
            whole = match.group(0)
            return whole[: start - offset] + HIDDEN + whole[end - offset :]

        line = rule.pattern.sub(hide, line)
    return line


def mask_config(text: str, platform: str | None = None) -> str:
    """``text`` with every secret value hidden, line by line, by ``platform``'s rules (every
    platform's when None)."""
    rules = mask_rules(platform)
    return "\n".join(_mask_line(line, rules) for line in text.split("\n"))
