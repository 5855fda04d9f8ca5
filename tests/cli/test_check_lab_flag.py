"""``govnet check --lab-configs`` checks the lab twin's configs (FRR, nftables), not production's.

Every case goes through the CLI only and would fail if ``--lab-configs`` were ignored: the lab configs
pass only with ``--lab-configs``, production configs fail with it, and the in-memory render differs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
INVENTORY = ROOT / "inventory"


def govnet(*args: str) -> tuple[int, str]:
    from govnet.cli import app

    result = CliRunner().invoke(app, [*args[:1], "--inventory", str(INVENTORY), *args[1:]])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.stdout


@pytest.fixture(scope="module")
def configs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The shipped district rendered twice through the CLI: for production and for the lab."""
    out = tmp_path_factory.mktemp("configs")
    dirs = {"production": out / "production", "lab": out / "lab"}
    assert govnet("render", "--out", str(dirs["production"]))[0] == 0
    assert govnet("render", "--lab-configs", "--out", str(dirs["lab"]))[0] == 0
    return dirs


def _findings(stdout: str) -> list[dict[str, object]]:
    findings = json.loads(stdout)["findings"]
    assert isinstance(findings, list)
    return findings


def test_the_two_renders_really_differ(configs: dict[str, Path]) -> None:
    lab = (configs["lab"] / "kf-core-1.cfg").read_text(encoding="utf-8")
    production = (configs["production"] / "kf-core-1.cfg").read_text(encoding="utf-8")
    assert "hostname kf-core-1" in lab and "sysname kf-core-1" in production


def test_lab_configs_pass_only_with_lab(configs: dict[str, Path]) -> None:
    code, out = govnet("check", "--lab-configs", "--configs", str(configs["lab"]), "--format", "json")
    assert code == 0 and _findings(out) == []
    code, out = govnet("check", "--configs", str(configs["lab"]), "--format", "json")
    assert code == 1, "FRR configs checked as Huawei/H3C must fail: --lab is what makes them pass"
    assert any(f["device"] == "kf-core-1" for f in _findings(out))


def test_production_configs_fail_with_lab(configs: dict[str, Path]) -> None:
    code, out = govnet("check", "--configs", str(configs["production"]), "--format", "json")
    assert code == 0 and _findings(out) == []
    code, out = govnet("check", "--lab-configs", "--configs", str(configs["production"]), "--format", "json")
    assert code == 1 and any(f["device"] == "kf-core-1" for f in _findings(out))


def test_in_memory_check_renders_the_lab_platforms(configs: dict[str, Path]) -> None:
    """Without --configs, --lab renders FRR in memory: frr-only exemptions appear, vendor ones go."""
    _, lab = govnet("check", "--lab-configs", "--format", "json")
    _, production = govnet("check", "--format", "json")
    lab_reasons = {str(r["reason"]) for r in json.loads(lab)["results"] if r["status"] == "not_applicable"}
    prod_reasons = {str(r["reason"]) for r in json.loads(production)["results"]
                    if r["status"] == "not_applicable"}
    assert any("lab twin" in reason for reason in lab_reasons)
    assert not any("lab twin" in reason for reason in prod_reasons)
