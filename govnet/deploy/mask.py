"""Oxidized-style masking of secrets in running configs (backups, diffs, reports).

Each rule keeps the line and replaces only the secret value with ``<secret hidden>``, so a
masked backup still shows *that* a password, key or community is set, and diffs stay stable.

>>> mask_config(" snmp-agent community read cipher %^%#abc%^%# acl 2000")
' snmp-agent community read cipher <secret hidden> acl 2000'
>>> mask_config(" neighbor 10.0.0.1 password s3cret")
' neighbor 10.0.0.1 password <secret hidden>'
"""

from __future__ import annotations

import re

HIDDEN = "<secret hidden>"

MASK_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # VRP: %^%#...%^%# (and %@%@...%@%@, %$%$...%$%$) cipher blobs anywhere
    ("vrp cipher blob", re.compile(r"(?P<v>%\^%#.*?%\^%#|%@%@.*?%@%@|%\$%\$.*?%\$%\$)")),
    # VRP/Comware: cipher / irreversible-cipher / simple <value>
    ("cipher value", re.compile(
        r"(?<![-\w])(?:irreversible-cipher|cipher|simple) (?!(?:read|write) )(?P<v>\S+)")),
    # Comware: password hash|cipher|simple <value>, key cipher <value>
    ("comware password", re.compile(r"(?<![-\w])password (?:hash|cipher|simple) (?P<v>\S+)")),
    # SNMP communities (VRP snmp-agent community read|write [cipher] NAME, Comware snmp-agent community)
    # (Comware 7 also writes it ``community simple|cipher read|write NAME``)
    ("snmp community", re.compile(
        r"^\s*snmp-agent community (?:(?:simple|cipher) )?(?:read|write) (?:simple |cipher )?(?P<v>\S+)")),
    ("snmp-server community", re.compile(r"^\s*snmp-server community (?P<v>\S+)")),
    # usm-user keys (authentication-mode sha KEY / privacy-mode aes128 KEY)
    ("usm auth key", re.compile(r"authentication-mode \S+ (?!cipher )(?P<v>\S+)")),
    ("usm priv key", re.compile(r"privacy-mode \S+ (?!cipher )(?P<v>\S+)")),
    # FRR / Cisco-like: password, authentication-key, message-digest-key N md5 KEY
    ("frr password", re.compile(r"(?<![-\w])password (?!hash |cipher |simple )(?:\d+ )?(?P<v>\S+)")),
    ("frr authentication-key", re.compile(r"(?<![-\w])authentication-key (?:\d+ )?(?P<v>\S+)")),
    ("frr message-digest-key", re.compile(r"message-digest-key \d+ md5 (?P<v>\S+)")),
    ("frr enable password", re.compile(r"^\s*enable password (?P<v>\S+)")),
)


def _mask_line(line: str) -> str:
    for _name, pattern in MASK_RULES:
        def hide(match: re.Match[str]) -> str:
            if match.group("v").startswith("<secret"):
                return match.group(0)
            start, end = match.span("v")
            offset = match.start()
            whole = match.group(0)
            return whole[: start - offset] + HIDDEN + whole[end - offset :]

        line = pattern.sub(hide, line)
    return line


def mask_config(text: str) -> str:
    """``text`` with every secret value hidden, line by line."""
    return "\n".join(_mask_line(line) for line in text.split("\n"))
