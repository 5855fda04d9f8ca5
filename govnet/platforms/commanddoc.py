"""``docs/command-reference.md`` written from the platforms' ``commands.yaml`` (never by hand).

``python -m govnet.platforms.commanddoc > docs/command-reference.md`` regenerates it; a test holds
the file equal to what this prints, so the list of unverified commands cannot go stale.
"""

from __future__ import annotations

import importlib
from collections import Counter
from typing import Any

import yaml

from govnet.platforms import PLATFORMS, Platform

INTRO = """\
# Command references

Generated from `govnet/platforms/<platform>/commands.yaml` by `python -m govnet.platforms.commanddoc`
(do not edit by hand). Each vendor platform keeps its command reference as data in its package:
every command form govnet renders or its deploy driver sends, the view it is valid in (named by the
lines that enclose it), its argument shapes (`{a|b}` one of the words, `{ip}`/`{name}`/`{secret}`/...
a shape, `[...]` optional), the models or releases it is limited to when that differs, and the
public source it was checked against. `govnet check` holds govnet's own renders to it (GN-CFG-131:
a rendered line that is no command of its platform in its view is an error naming device, line and
view; configs read back with `--configs` are not held to it), and the emulated devices in
`tests/emulation` accept and refuse typed lines by the same data, with the vendors' error texts.

A form marked verified names its source below. A form that no public source settled is listed as
unverified with what would settle it: the command's page in the reference of the release in use
(format, view, keyword order), or a configuration the device printed carrying the line as govnet
renders it. Sources cited only by a search-index file id (not repository and path) are weaker
evidence than a vendor page and say so in their text.
"""


def _title(platform: Platform) -> str:
    """The first line of the platform package's docstring."""
    doc = (importlib.import_module(platform.package).__doc__ or platform.name).strip()
    return doc.splitlines()[0].rstrip(".")


def platform_section(platform: Platform, data: dict[str, Any]) -> str:
    """One platform's section: counts, verified forms with their source ids, sources, unverified."""
    commands: list[dict[str, Any]] = list(data.get("commands") or [])
    sources: dict[str, str] = dict(data.get("sources") or {})
    verified = [c for c in commands if c.get("verified", True)]
    unverified = [c for c in commands if not c.get("verified", True)]
    lines = [f"## {_title(platform)} (`{platform.name}`)", "",
             f"{len(commands)} command forms: {len(verified)} verified, {len(unverified)} unverified.", ""]
    if verified:
        lines += ["Verified (view: form: source):", ""]
        lines += [f"- {c['view']}: `{c['form']}`: {c.get('source', '')}" + _extra(c) for c in verified]
        used = [s for s in sources if s in {c.get("source") for c in verified}]
        lines += ["", "Sources:", ""] + [f"- {s}: {' '.join(str(sources[s]).split())}" for s in used]
        lines.append("")
    if unverified:
        common = Counter(str(c.get("settle", "")) for c in unverified).most_common(1)[0][0]
        settles = " ".join(common.split())
        lines += [f"Unverified (view: form). What settles each: {settles}; otherwise as noted.", ""]
        for c in unverified:
            settle = str(c.get("settle", ""))
            extra = "" if settle == common else f" (settles it: {' '.join(settle.split())})"
            lines.append(f"- {c['view']}: `{c['form']}`" + _extra(c) + extra)
        lines.append("")
    return "\n".join(lines)


def _extra(command: dict[str, Any]) -> str:
    parts = [f"applies to {command['applies_to']}" if command.get("applies_to") else "",
             " ".join(str(command.get("note", "")).split())]
    text = "; ".join(p for p in parts if p)
    return f" ({text})" if text else ""


def reference_markdown() -> str:
    """The whole document, every platform with a command reference, in registry order."""
    sections = [INTRO]
    for platform in PLATFORMS.values():
        text = platform.data_file("commands.yaml")
        if text is not None:
            sections.append(platform_section(platform, yaml.safe_load(text) or {}))
    return "\n".join(sections).rstrip("\n") + "\n"


if __name__ == "__main__":
    print(reference_markdown(), end="")
