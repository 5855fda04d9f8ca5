"""Config text as devices print it, made into the indented text the parsers read.

A backup pulled from a device is not the tidy text govnet renders: it may be GBK-encoded, carry
the CLI prompt and the ``display`` command, paging debris (``  ---- More ----`` with its
cursor-control escapes), ``Info:`` chatter, multi-line ``header`` banners, and, on Comware 7,
the USG and VRP8, one-line global commands indented by one space after each ``#``.

Every step keeps the line count, so a finding's line number is the line in the file.

>>> text = "<kf-fw-1>display current-configuration\\n#\\n sysname kf-fw-1\\n#\\n hrp enable\\nreturn"
>>> normalize(text, "vrp").split("\\n")
['', '', 'sysname kf-fw-1', '', 'hrp enable', '']
"""

from __future__ import annotations

import re
from typing import Literal

from govnet.errors import GovnetError

Style = Literal["vrp", "comware", "frr", "plain"]
"""How a config family prints: Huawei VRP5/VRP8/USG, H3C Comware 7, FRR (vtysh), other."""

STYLE_OF_PARSER: dict[str, Style] = {
    "huawei_vrp": "vrp",
    "hp_comware5": "comware",
    "cisco_ios": "frr",
    "generic": "plain",
}


class UnreadableConfig(GovnetError):
    """A config file that is not text in any encoding devices use (UTF-8, GB18030/GBK)."""


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a config file: UTF-8 (BOM allowed), else GB18030 (a superset of GBK).

    >>> decode("description 公安".encode("gbk"))
    ('description 公安', 'gb18030')
    >>> decode(b"\\xef\\xbb\\xbfsysname a")
    ('sysname a', 'utf-8')
    """
    if b"\x00" in data:
        raise UnreadableConfig("binary data (NUL bytes), not a config text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise UnreadableConfig(
            f"neither UTF-8 nor GB18030/GBK text (undecodable byte at offset {exc.start})"
        ) from None


# Paging prompt and the cursor-control escapes that erase it; the next line follows on the same line.
_MORE = re.compile(r"^\s*-{2,}\s*More\s*-{2,}(?:\s*\x1b\[[0-9;]*[A-Za-z])*")
_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029]")
# <host>, [host], [~host] (VRP8 candidate), HRP_M[host] (USG hot standby), with a command after it.
_VENDOR_PROMPT = re.compile(r"^\s*(HRP_[MSA]\s*)?[<\[][~*]?[^\s<>\[\]]+[>\]]")
# What an operator types at a prompt (a bracketed word followed by anything else is not a prompt).
_CLI_VERB = re.compile(
    r"^(dis\w*|d|sh\w*|screen-\w*|sys\w*|q\w*|return|save|ping|tracert|dir|more|terminal|"
    r"undo|commit|end|exit|conf\w*|write|copy|cd|user-\w*|super|n\w*)\b",
    re.IGNORECASE,
)
# The commands whose output is the configuration (abbreviations as typed: 'dis cur', 'sh run').
_CONFIG_COMMAND = re.compile(r"^\s*(dis\w*\s+(cu|sa)\w*|sh\w*\s+run\w*|more\s+\S+\.(cfg|zip))", re.IGNORECASE)
_VENDOR_CHATTER = re.compile(r"^\s*(Info|Warning|Error|Notice)\s*:")
_FRR_PROMPT = re.compile(r"^[\w.\-]+(\([\w\-]+\))?# ?")
_FRR_CHATTER = re.compile(r"^(Building configuration\.\.\.|Current configuration:?.*)\s*$")
_BANNER = re.compile(
    r"^(?P<indent>\s*)header (?P<kind>login|shell|motd|incoming|legal)( information)? (?P<rest>.*)$"
)


def normalize(text: str, style: Style) -> str:
    """``text`` with device-print debris blanked, banners folded and global lines dedented."""
    raws = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if "More" in text or _ESCAPE.search(text):
        lines = [_clean(raw) for raw in raws]
    else:  # no paging prompt, no escape: what _clean leaves of each line, at a fraction of the cost
        lines = [raw.rstrip() for raw in raws]
    if style == "plain":
        return "\n".join(lines)
    if style == "frr":
        _keep_config_output(lines, _FRR_PROMPT)
        return "\n".join("" if _FRR_CHATTER.match(ln) else ln for ln in lines)
    _fold_banners(lines)  # first: banner text may start with '[' like a prompt
    _keep_config_output(lines, _VENDOR_PROMPT)
    lines = ["" if _VENDOR_CHATTER.match(ln) else ln for ln in lines]
    _dedent_globals(lines)
    return "\n".join("" if ln.strip() in ("return", "#") else ln for ln in lines)


def _keep_config_output(lines: list[str], prompt: re.Pattern[str]) -> None:
    """Blank prompts and the output of every command but the one that displays the config.

    A file without prompts is all config. After a prompt, the lines belong to the command typed
    there: kept after ``display current-configuration`` (or ``show running-config``), blanked after
    any other command (``display version`` ...); a bare prompt changes nothing.

    >>> lines = ["<r>display version", "VRP (R) software", "<r>dis cur", "sysname r", "<r>"]
    >>> _keep_config_output(lines, _VENDOR_PROMPT); lines
    ['', '', '', 'sysname r', '']
    """
    keeping = True
    for i, line in enumerate(lines):
        found = prompt.match(line)
        if found is None:
            if not keeping:
                lines[i] = ""
            continue
        command = line[found.end() :].strip()
        if command and not _CLI_VERB.match(command):
            if not keeping:
                lines[i] = ""
            continue  # not a prompt: a config line that happens to start with '<' or '['
        if command:
            keeping = bool(_CONFIG_COMMAND.match(command))
        lines[i] = ""


def _clean(raw: str) -> str:
    more = _MORE.match(raw)
    if more:
        raw = raw[more.end() :]
    return _ESCAPE.sub("", raw).rstrip()


MAX_BANNER_LINES = 60
"""A banner whose closing delimiter is not found within this many lines is left as it is."""


def _fold_banners(lines: list[str]) -> None:
    """Fold a multi-line ``header`` banner onto its first line (the rest blanked)."""
    i = 0
    while i < len(lines):
        m = _BANNER.match(lines[i])
        if m is None or not m["rest"]:
            i += 1
            continue
        rest = m["rest"]
        delimiter = '"' if rest.startswith('"') else rest[0]
        end = next(
            (j for j in range(i + 1, min(len(lines), i + 1 + MAX_BANNER_LINES)) if delimiter in lines[j]),
            None,
        )
        if delimiter in rest[1:] or end is None:
            i += 1
            continue
        parts = [rest, *(lines[j].strip() for j in range(i + 1, end + 1))]
        for j in range(i + 1, end + 1):
            lines[j] = ""
        body = f"{parts[0]} {' / '.join(p for p in parts[1:] if p)}"
        lines[i] = f"{m['indent']}header {m['kind']}{' information' if 'information' in m[0] else ''} {body}"
        i = end + 1


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _dedent_globals(lines: list[str]) -> None:
    """After a column-0 ``#``, an indented block is global (Comware 7, USG, VRP8 print it so)."""
    global_indent: int | None = None
    after_separator = True
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if line.startswith("#"):
            after_separator, global_indent = True, None
            continue
        indent = _indent(line)
        if after_separator:
            after_separator = False
            global_indent = indent if indent > 0 else None
        elif indent == 0:
            global_indent = None
        if global_indent is not None:
            if line.strip().startswith("#"):
                lines[i] = ""  # an indented separator inside a global block
            elif indent >= global_indent:
                lines[i] = line[global_indent:]
            else:
                lines[i] = line.lstrip(" \t")
