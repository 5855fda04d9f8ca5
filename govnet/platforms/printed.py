"""The one reader of configs as devices print them, for every stage (check, diff, backup).

A config pulled from a device is not the tidy text govnet renders: it may be GBK-encoded, carry
the CLI prompt and the ``display`` command, paging debris (``  ---- More ----`` with its
cursor-control escapes), ``Info:`` chatter, multi-line ``header`` banners, vtysh's ``Building
configuration...`` banner, the same leaf line twice, and, on Comware 7, the USG and VRP8,
one-line global commands indented by one space after each ``#``. How a platform prints is its
:attr:`~govnet.platforms.base.Platform.print_style`.

One pipeline reads every printed config; its two entry points are views of the same lines:

* :func:`normalize` keeps the line count (what is not config is blanked), so a finding's line
  number is the line in the file (``govnet check``);
* :func:`config_text` is the same lines without the blanks (what hier_config and frr-reload
  parse: ``govnet diff``/``deploy``, the drivers, ``govnet backup``, ``govnet restore``).

>>> text = "<kf-fw-1>display current-configuration\\n#\\n sysname kf-fw-1\\n#\\n hrp enable\\nreturn"
>>> normalize(text, "vrp").split("\\n")
['', '', 'sysname kf-fw-1', '', 'hrp enable', '']
>>> config_text(text, "vrp")
'sysname kf-fw-1\\nhrp enable\\n'
"""

from __future__ import annotations

import re
from typing import Any

from govnet.errors import GovnetError
from govnet.platforms.base import PrintStyle


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
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r"
"""An ASCII text holding only these has nothing :data:`_ESCAPE` finds (its escapes start with
``\\x1b``, a control character)."""
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
_FRR_CHATTER = re.compile(r"^\s*(Building configuration\.\.\.|Current configuration:?.*)\s*$")
_BANNER = re.compile(
    r"^(?P<indent>\s*)header (?P<kind>login|shell|motd|incoming|legal)( information)? (?P<rest>.*)$"
)


_NOISE = re.compile(r"^\s*([#!].*|return)$|^\s*version \d+\.\d+\S*, Release ")
"""Not configuration in a VRP or Comware print: ``#`` separators, comments (``!Software
Version ...``), ``return``, Comware's ``version 7.1.070, Release ...`` banner."""
_VERSION_BANNER = re.compile(r"version \d+\.\d+\S*, Release ")
"""The second branch of :data:`_NOISE`, matched at a line's first non-blank character."""
CLOSERS = frozenset({"exit", "exit-address-family", "exit-vrf", "exit-vni", "end", "quit", "return"})
"""Lines that only close a block: they repeat by design (never a repeated leaf)."""


def normalize(text: str, style: PrintStyle) -> str:
    """``text`` with everything that is not config blanked, banners folded, global lines
    dedented and repeated leaf lines dropped; line for line (``\\n``-joined, same count)."""
    return "\n".join(_read(text, style))


def normalized_lines(text: str, style: PrintStyle) -> list[str]:
    """The lines of :func:`normalize` (``normalize(text, style).split("\\n")``: no line holds a
    ``\\n``), without joining them and splitting them again."""
    return _read(text, style)


def config_text(text: str, style: PrintStyle) -> str:
    """The config lines of ``text`` (:func:`normalize` without its blank lines), each ending in
    ``\\n``: what the diff parses. Reading it again changes nothing. A plain text keeps its
    blank lines (they may be part of its format).

    >>> config_text("Building configuration...\\n\\nCurrent configuration:\\n!\\nhostname r1\\n", "frr")
    '!\\nhostname r1\\n'
    >>> config_text("#\\n sysname a\\n sysname a\\n#\\ninterface G1\\n mtu 1500\\n#\\nreturn\\n", "comware")
    'sysname a\\ninterface G1\\n mtu 1500\\n'
    """
    lines = _read(text, style)
    if style == "plain":
        return "\n".join(lines).strip("\n") + "\n"
    return "".join(f"{line}\n" for line in lines if line.strip())


def printed_config(text: str, style: PrintStyle) -> str:
    """The config as the device printed it, without what is not config: prompts and the output
    of other commands, paging debris and escapes, ``Info:`` chatter, vtysh's ``Building
    configuration...`` banner, leading and trailing blank lines. Every config line stays as
    printed (indentation, ``#`` separators, ``return``, a line printed twice): what ``govnet
    backup`` keeps, and what the other entry points read the same way.

    >>> printed_config("<r>display current-configuration\\n#\\n sysname r\\n#\\nreturn\\n<r>", "vrp")
    '#\\n sysname r\\n#\\nreturn\\n'
    """
    cleaned = _cleaned(text)
    kept, _banners = _printed(list(cleaned), style)
    lines = [line for line, was in zip(kept, cleaned, strict=True) if line or not was]
    return "\n".join(lines).strip("\n") + "\n"


def _cleaned(text: str) -> list[str]:
    """The lines of ``text`` without paging prompts, escapes and trailing blanks."""
    if text.find("\r") >= 0:  # a method, not 'in': what is not a str fails as it did (AttributeError)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    raws = text.split("\n")
    if "More" in text or _dirty(text):
        return [_clean(raw) for raw in raws]
    return list(map(str.rstrip, raws))  # nothing to clean: what _clean leaves, at a fraction of the cost


def _dirty(text: str) -> bool:
    """Whether :data:`_ESCAPE` finds anything in ``text`` (an ASCII text is read by C's bytes
    methods, not the regex).

    >>> _dirty("sysname a\\r\\n\\tb"), _dirty("a\\x1b[42Db"), _dirty("公安"), _dirty("公安\\u2028")
    (False, True, False, True)
    """
    if text.isascii():
        return bool(text.encode("ascii").translate(None, _PRINTABLE_ASCII))
    return _ESCAPE.search(text) is not None


def _printed(
    lines: list[str], style: PrintStyle, chatter: bool = True
) -> tuple[list[str], list[tuple[int, int]]]:
    """First half of the reader: what is not config blanked (prompts and other commands' output,
    chatter, vtysh's banner); and the multi-line ``header`` banners found (first, last line).
    ``chatter=False`` leaves VRP and Comware ``Info:`` chatter to the caller."""
    if style == "plain":
        return lines, []
    # each pass is skipped when one scan of the whole text finds nothing it could act on
    text = "\n".join(lines)
    if style == "frr":
        if "#" in text:  # every prompt holds one
            _keep_config_output(lines, _FRR_PROMPT)
        if "Building configuration..." not in text and "Current configuration" not in text:
            return lines, []
        return ["" if _FRR_CHATTER.match(ln) else ln for ln in lines], []
    banners = _banner_spans(lines, text)  # first: banner text may start with '[' like a prompt
    inside = {j for first, last in banners for j in range(first + 1, last + 1)}
    if _may_hold_prompt(text):
        _keep_config_output(lines, _VENDOR_PROMPT, inside)
    if not chatter or not any(word in text for word in ("Info", "Warning", "Error", "Notice")):
        return lines, banners
    kept = ["" if i not in inside and _VENDOR_CHATTER.match(ln) else ln for i, ln in enumerate(lines)]
    return kept, banners


def _read(text: str, style: PrintStyle) -> list[str]:
    """Every step of the reader, in order, one output line per input line."""
    lines = _cleaned(text)
    if style == "plain":
        return lines
    vendor = style != "frr"
    # vendor chatter is blanked by the last pass, after the banners are folded: it spares a
    # banner's lines, and these are blank by then (folded, or blanked with the line opening it)
    lines, banners = _printed(lines, style, chatter=not vendor)
    if vendor:
        _fold_banners(lines, banners)
    _dedent_and_drop(lines, vendor, tabs="\t" in text)
    return lines


def _may_hold_prompt(text: str) -> bool:
    """Whether a line of ``text`` (lines joined by ``\\n``) may match :data:`_VENDOR_PROMPT`: its
    ``<`` or ``[`` has only blanks before it, or ``HRP_`` after them (str methods, not a regex
    tried at every character).

    >>> [_may_hold_prompt(t) for t in ("a [b]\\n  <r>dis cur", "x\\nHRP_M[r]", "a <b> <c>\\nb [c]")]
    [True, True, False]
    """
    for mark in "<[":
        at = text.find(mark)
        while at >= 0:  # the first on a line (a later one has the same start before it)
            before = text[text.rfind("\n", 0, at) + 1 : at].lstrip()
            if not before or before.startswith("HRP_"):
                return True
            end = text.find("\n", at)
            if end < 0:
                break
            at = text.find(mark, end)
    return False


def _keep_config_output(
    lines: list[str], prompt: re.Pattern[str], inside: frozenset[int] | set[int] = frozenset()
) -> None:
    """Blank prompts and the output of every command but the one that displays the config.

    A file without prompts is all config. After a prompt, the lines belong to the command typed
    there: kept after ``display current-configuration`` (or ``show running-config``), blanked after
    any other command (``display version`` ...); a bare prompt changes nothing. Lines ``inside``
    a banner are never prompts.

    >>> lines = ["<r>display version", "VRP (R) software", "<r>dis cur", "sysname r", "<r>"]
    >>> _keep_config_output(lines, _VENDOR_PROMPT); lines
    ['', '', '', 'sysname r', '']
    """
    keeping = True
    for i, line in enumerate(lines):
        found = None if i in inside else prompt.match(line)
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


def _banner_spans(lines: list[str], text: str) -> list[tuple[int, int]]:
    """(first, last) line of each multi-line ``header`` banner (its closing delimiter found
    within :data:`MAX_BANNER_LINES`); ``text`` is the lines joined by ``\\n``, where one scan
    finds the only lines that may open one (those holding ``header``).

    >>> lines = ['header motd "', "hello", '"', "header login information %x%", "sysname a"]
    >>> _banner_spans(lines, "\\n".join(lines))
    [(0, 2)]
    """
    spans: list[tuple[int, int]] = []
    i = 0  # the first line past the banners found
    for first in _lines_holding(text, "header "):
        if first < i:
            continue
        i = first
        m = _BANNER.match(lines[i])
        if m is None or not m["rest"]:
            i += 1
            continue
        rest = m["rest"]
        delimiter = '"' if rest.startswith('"') else rest[0]
        if delimiter in rest[1:]:  # a one-line banner
            i += 1
            continue
        end = next(
            (j for j in range(i + 1, min(len(lines), i + 1 + MAX_BANNER_LINES)) if delimiter in lines[j]),
            None,
        )
        if end is None:
            i += 1
            continue
        spans.append((i, end))
        i = end + 1
    return spans


def _lines_holding(text: str, word: str) -> list[int]:
    """The 0-based numbers of the ``\\n``-separated lines of ``text`` holding ``word``, in order.

    >>> _lines_holding("a x\\nb\\nx x\\nx", "x")
    [0, 2, 3]
    """
    found: list[int] = []
    line, at = 0, 0
    pos = text.find(word)
    while pos >= 0:
        line += text.count("\n", at, pos)
        at = pos
        if not found or found[-1] != line:
            found.append(line)
        pos = text.find(word, pos + 1)
    return found


def _fold_banners(lines: list[str], spans: list[tuple[int, int]]) -> None:
    """Fold each multi-line ``header`` banner onto its first line (the rest blanked)."""
    for first, last in spans:
        m = _BANNER.match(lines[first])
        if m is None:
            continue  # blanked as another command's output
        parts = [m["rest"], *(lines[j].strip() for j in range(first + 1, last + 1))]
        for j in range(first + 1, last + 1):
            lines[j] = ""
        body = f"{parts[0]} {' / '.join(p for p in parts[1:] if p)}"
        information = " information" if "information" in m[0] else ""
        lines[first] = f"{m['indent']}header {m['kind']}{information} {body}"


def _dedent_and_drop(lines: list[str], vendor: bool, tabs: bool = True) -> None:
    """The reader's last pass, one loop over the lines (``tabs=False``: none holds a tab).

    A ``vendor`` print (VRP, Comware) first has what is not configuration blanked
    (:data:`_NOISE`, :data:`_VENDOR_CHATTER`) and its global blocks dedented: after a column-0
    ``#`` (and at the start), an indented block is global (Comware 7, USG, VRP8 print it so) and
    moves to column 0. A blanked line changes no indentation but the ``#`` separator's.

    >>> lines = [" #", "  vlan 10", "#", " sysname a", " #", " ssh server enable", "interface G1", " mtu 1"]
    >>> lines += ["Info: saved", "return"]
    >>> _dedent_and_drop(lines, True); lines
    ['', 'vlan 10', '', 'sysname a', '', 'ssh server enable', 'interface G1', ' mtu 1', '', '']

    Then, on any print, a leaf line (no children) printed again at the same path is blanked: it
    means what it meant once, and hier_config refuses a line twice. A section printed again is
    left whole, lines and all (an error for the parser to name); separators, comments and block
    closers are never repeats.

    >>> lines = ["service a", "router x", " net 1", " net 1", "!", "service a", "router y", " net 1"]
    >>> _dedent_and_drop(lines, False); lines
    ['service a', 'router x', ' net 1', '', '!', '', 'router y', ' net 1']
    >>> lines = ["interface G1", " shutdown", "interface G1", " shutdown", "interface G2"]
    >>> _dedent_and_drop(lines, False); lines
    ['interface G1', ' shutdown', 'interface G1', ' shutdown', 'interface G2']
    """
    version, chatter = _VERSION_BANNER.match, _VENDOR_CHATTER.match
    after_separator, global_indent = vendor, 0  # the global block's indent (0: none)
    # A line's fate is settled at the next line that counts (its indent says whether the line
    # opened a section). The paths seen form a trie: {text: the trie below, or None}.
    seen: dict[str, Any] = {}  # the innermost open section's trie,
    top, in_repeat = -1, False  # its indent and whether it was printed before (the root: -1)
    outer: list[tuple[int, dict[str, Any], bool]] = []  # the sections around it, likewise
    last = -1  # the last line that counted, pending (-1: none yet), and what is known of it:
    last_indent, last_text, last_repeated = -1, "", False
    for i, line in enumerate(lines):
        word = line.lstrip()
        if not word:
            continue
        first = word[0]
        if first in "#!IWENrv":  # what may be a separator or comment, other noise, chatter
            if first in "#!":
                if vendor:
                    if line[0] == "#":
                        after_separator, global_indent = True, 0
                    lines[i] = ""
                continue
            # the rest of _NOISE.match(line) without the regex (a line never holds "\n"), then chatter
            if vendor and (
                word == "return" or (first == "v" and version(word)) or (first in "IWEN" and chatter(word))
            ):
                lines[i] = ""
                continue
        if after_separator or global_indent:  # a vendor print's global block, or where one may start
            if line[0] not in " \t":
                after_separator, global_indent = False, 0
            else:
                indent = len(line) - len(line.lstrip(" \t"))
                if after_separator:
                    after_separator, global_indent = False, indent
                line = lines[i] = line[global_indent:] if indent >= global_indent else line.lstrip(" \t")
        text = word.rstrip()
        if text in CLOSERS:
            continue
        if "  " in text or (tabs and "\t" in text):
            text = " ".join(text.split())
        indent = len(line) - len(word)
        if indent > last_indent >= 0:  # the last line opened a section
            below = seen[last_text]
            if below is None:
                below = seen[last_text] = {}
            outer.append((top, seen, in_repeat))
            top, seen, in_repeat = last_indent, below, last_repeated or in_repeat
        else:
            if last_repeated and not in_repeat:  # a leaf said again
                lines[last] = ""
            while top >= indent:
                top, seen, in_repeat = outer.pop()
        last_repeated = text in seen
        if not last_repeated:
            seen[text] = None
        last, last_indent, last_text = i, indent, text
    if last_repeated and not in_repeat:
        lines[last] = ""
