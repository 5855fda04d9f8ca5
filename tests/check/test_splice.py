"""``govnet check --changed`` splicing: only the edited district files are loaded and re-checked,
the other districts' results come from the last run's parts, and the report is the full run's.

Three generated districts with weakened templates (findings in config, cross and intent rules);
every edit is checked through the CLI twice, with ``--changed`` (spliced) and without (a full run
from scratch), and the JSON (timings aside) and text reports must be the same.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from check.test_cache import EDITS, weakened
from govnet.cli.check import check_cmd

app = typer.Typer()
app.command("check")(check_cmd)


@app.command("noop")
def _noop() -> None:  # a second command keeps "check" a subcommand, as in govnet's CLI
    """Unused."""


SPLICED = "re-checked, the others' results kept"


@pytest.fixture
def inventory(tmp_path: Path) -> Iterator[Path]:
    """Three generated districts (:func:`~check.test_cache.weakened`)."""
    with weakened(tmp_path, 3) as path:
        yield path


def check(inventory: Path, *args: str, fmt: str = "json") -> tuple[int, str, str]:
    """Exit code, report (timings and seconds left out) and stderr of ``govnet check``."""
    result = CliRunner().invoke(app, ["check", "-i", str(inventory), "-f", fmt, *args])
    assert "Traceback" not in result.output
    report = re.sub(r'"timings": \{[^}]*\}', "", result.stdout)
    return result.exit_code, re.sub(r", [0-9.]+s\n", "\n", report), result.stderr


def test_spliced_report_equals_the_full_run_after_random_edits(inventory: Path, tmp_path: Path) -> None:
    code, first, said = check(inventory, "--changed")
    assert code == 1 and "every district re-checked" in said  # nothing kept yet
    assert check(inventory, "--changed")[:2] == (code, first)
    assert "0 device(s) of the edited district file(s) re-checked" in check(inventory, "--changed")[2]
    rng = random.Random(7)
    districts = sorted((inventory / "districts").glob("*.yaml"))
    spliced = 0
    for old, new in rng.sample(EDITS, len(EDITS)):
        district = rng.choice([d for d in districts if old in d.read_text(encoding="utf-8")])
        district.write_text(district.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        for fmt in ("json", "text"):
            code, report, said = check(inventory, "--changed", fmt=fmt)
            assert (code, report) == check(inventory, fmt=fmt)[:2], (old, new, fmt)
            spliced += SPLICED in said
    assert spliced == 2 * len(EDITS)  # every edit above stays inside its district
    cache = tmp_path / "build" / "check-cache"
    # no file's old version is left: one part and one outcome entry per district file
    assert len(list(cache.glob("*.part"))) == len(list(cache.glob("*.pickle"))) == len(districts)


def test_a_clash_with_another_district_is_checked_in_full(inventory: Path) -> None:
    check(inventory, "--changed")
    districts = sorted((inventory / "districts").glob("*.yaml"))
    first = districts[0].read_text(encoding="utf-8")
    code = re.search(r"code: (\w+)", first)
    other = re.search(r"code: (\w+)", districts[1].read_text(encoding="utf-8"))
    assert code and other
    # the first district takes the second's code: its devices' names clash with the second's
    districts[0].write_text(first.replace(f"code: {code[1]}", f"code: {other[1]}", 1), encoding="utf-8")
    result = check(inventory, "--changed")
    assert result == check(inventory)  # the full run's error, not a spliced report
    assert result[0] == 2 and SPLICED not in result[2]
    assert f"duplicate host name {other[1]}-core-1" in result[2], result[2]


def test_an_edited_external_is_checked_in_full(inventory: Path) -> None:
    check(inventory, "--changed")
    district = sorted((inventory / "districts").glob("*.yaml"))[1]
    text = district.read_text(encoding="utf-8")
    assert "title: 中国联通}" in text
    district.write_text(text.replace("title: 中国联通}", "title: 中国联通 (备)}", 1), encoding="utf-8")
    result = check(inventory, "--changed")
    assert SPLICED not in result[2]  # other districts may link to it: not judged on this one alone
    assert result[:2] == check(inventory)[:2]
    assert SPLICED in check(inventory, "--changed")[2]


def test_network_wide_edits_and_other_formats_are_checked_in_full(inventory: Path) -> None:
    check(inventory, "--changed")
    settings = inventory / "network.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("mtu: 1500", "mtu: 1600"), "utf-8")
    code, report, said = check(inventory, "--changed")
    assert SPLICED not in said
    assert (code, report) == check(inventory)[:2]
    assert SPLICED in check(inventory, "--changed")[2]  # kept again by the full run
    code, sarif, said = check(inventory, "--changed", fmt="sarif")
    assert SPLICED not in said and '"results"' in sarif


def test_a_broken_district_file_gives_the_full_runs_error(inventory: Path) -> None:
    check(inventory, "--changed")
    district = sorted((inventory / "districts").glob("*.yaml"))[2]
    district.write_text(district.read_text(encoding="utf-8").replace("}", "", 1), encoding="utf-8")
    result = check(inventory, "--changed")
    assert result == check(inventory) and result[0] == 2
    assert "YAML syntax error" in result[2] and str(district) in result[2]
