"""The shipped Prometheus rules, their unit tests and the scrape config, checked by promtool."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).resolve().parents[1] / "govnet" / "data" / "monitor"
ALERTS = {
    "GovnetLinkDown",
    "GovnetRedundancyDegraded",
    "GovnetRedundancyDown",
    "GovnetSplitBrain",
    "GovnetBgpSessionDown",
    "GovnetOspfNeighborDown",
    "GovnetLdpSessionDown",
    "GovnetDeviceUnreachable",
    "GovnetDeviceRebooted",
    "GovnetConfigBackupStale",
}


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("promtool") is None:
        pytest.fail("promtool missing (package prometheus, installed by make setup)")
    return subprocess.run(["promtool", *args], cwd=DATA, capture_output=True, text=True, timeout=120)


def test_rules_are_valid() -> None:
    proc = _promtool("check", "rules", "rules.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_rule_unit_tests_pass() -> None:
    proc = _promtool("test", "rules", "rules_test.yml")
    assert proc.returncode == 0 and "SUCCESS" in proc.stdout, proc.stdout + proc.stderr


def test_scrape_config_is_valid() -> None:
    proc = _promtool("check", "config", "prometheus.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_required_alert_exists_and_is_unit_tested() -> None:
    rules = yaml.safe_load((DATA / "rules.yml").read_text())
    names = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    assert names >= ALERTS
    tests = yaml.safe_load((DATA / "rules_test.yml").read_text())
    tested = {t["alertname"] for case in tests["tests"] for t in case["alert_rule_test"] if t["exp_alerts"]}
    assert tested >= ALERTS
