"""SARIF 2.1.0 output validates against the OASIS schema (vendored in tests/fixtures/)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from spec_support import check, edit, rendered

from govnet.check import CheckReport
from govnet.check.report import to_sarif

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SCHEMA = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())


def _validate(sarif: dict) -> None:  # type: ignore[type-arg]
    # The schema's toolComponent.language pattern uses an inline "(?i)" flag that Python's re
    # rejects, so the metaschema check is skipped; instance validation does not touch it.
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(sarif), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def _failing_report() -> CheckReport:
    configs = rendered()
    edit(configs, "kf-core-1", "undo telnet server enable", "telnet server enable")
    edit(configs, "kf-core-1", " peer 10.0.0.65 as-number 65010", " peer 10.0.0.65 as-number 65011")
    del configs["kf-acc-dongfenglu-c01"]
    return check(configs=configs)


def test_clean_report_validates() -> None:
    sarif = json.loads(to_sarif(check()))
    _validate(sarif)
    assert sarif["runs"][0]["results"] == []


def test_failing_report_validates_and_locates_findings() -> None:
    report = _failing_report()
    sarif = json.loads(to_sarif(report))
    _validate(sarif)
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert {r["ruleId"] for r in run["results"]} == {"GN-CFG-100", "GN-CFG-101", "GN-X-204"}
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] == "error" and result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith(("/", "file:"))
        assert location["region"]["startLine"] >= 1
    traced = [r for r in run["results"] if "relatedLocations" in r]
    assert traced and traced[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(
        "templates/huawei_vrp/"
    )


def test_driver_rules_carry_level_and_description() -> None:
    sarif = json.loads(to_sarif(check(rules=["GN-CFG-101"])))
    [rule] = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert rule["shortDescription"]["text"] == "SSH on, telnet off"
    assert rule["defaultConfiguration"]["level"] == "error"


def test_schema_rejects_a_broken_log() -> None:
    sarif = json.loads(to_sarif(_failing_report()))
    sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(AssertionError):
        _validate(sarif)
