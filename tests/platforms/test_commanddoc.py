"""docs/command-reference.md is what the platforms' commands.yaml say, never a stale hand copy."""

from __future__ import annotations

from pathlib import Path

import yaml

from govnet.platforms import PLATFORMS
from govnet.platforms.commanddoc import platform_section, reference_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "command-reference.md"


def test_the_document_is_generated_from_the_data() -> None:
    assert DOC.read_text(encoding="utf-8") == reference_markdown(), (
        "regenerate: python -m govnet.platforms.commanddoc > docs/command-reference.md")


def test_every_vendor_platform_is_listed_with_counts_that_add_up() -> None:
    text = reference_markdown()
    for name, platform in PLATFORMS.items():
        raw = platform.data_file("commands.yaml")
        if raw is None:
            assert f"(`{name}`)" not in text
            continue
        data = yaml.safe_load(raw)
        total = len(data["commands"])
        unverified = sum(1 for c in data["commands"] if not c.get("verified", True))
        section = platform_section(platform, data)
        assert f"{total} command forms: {total - unverified} verified, {unverified} unverified." in section
        assert section.count("\n- ") >= total  # every form listed once (sources add more lines)
