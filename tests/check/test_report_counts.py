"""A report counts its findings and statuses once, and its JSON result items are what
``json.dumps`` prints, on results rich enough that a wrong field or a stale count shows."""

from __future__ import annotations

import json

from govnet.check.context import CheckReport, Finding, Location, RuleResult
from govnet.check.report import results_items, summary_line


def _finding(rule: str, severity: str, device: str) -> Finding:
    return Finding(rule, severity, device, Location("build/intended/x.cfg", 3), "bad", "fix it")


def _results() -> list[RuleResult]:
    return [
        RuleResult("GN-CFG-101", "kf-core-1", "fail", (_finding("GN-CFG-101", "error", "kf-core-1"),)),
        RuleResult("GN-CFG-101", "kf-core-2", "pass"),
        RuleResult("GN-CFG-104", "kf-core-1", "fail", (
            _finding("GN-CFG-104", "warning", "kf-core-1"), _finding("GN-CFG-104", "warning", "kf-core-1"),
        )),
        RuleResult("GN-CFG-104", "kf-fw-1", "not_applicable", reason="huawei_usg: no VTY"),
        RuleResult("GN-CFG-105", "kf-core-2", "pass", reason="default: SNMP off"),
    ]


def test_counts_follow_the_results_even_when_they_are_replaced() -> None:
    report = CheckReport("kaifu", [], _results(), devices_checked=3)
    assert (report.count("error"), report.count("warning"), report.exit_code) == (1, 2, 1)
    assert [report.status_count(s) for s in ("pass", "fail", "not_applicable")] == [2, 2, 1]
    assert summary_line(report).startswith("FAIL: kaifu: 0 rules, 3 configs, 1 error(s), 2 warning(s), 1 not")
    report.findings.clear()  # a caller's copy: the report keeps its own
    assert len(report.findings) == 3
    report.results = [r for r in _results() if r.status != "fail"]
    assert (report.count("error"), report.count("warning"), report.exit_code) == (0, 0, 0)
    assert [report.status_count(s) for s in ("pass", "fail", "not_applicable")] == [2, 0, 1]
    late = _finding("GN-CFG-101", "error", "kf-agg-1")
    report.results.append(RuleResult("GN-CFG-101", "kf-agg-1", "fail", (late,)))
    assert (report.count("error"), report.status_count("fail"), report.exit_code) == (1, 1, 1)


def test_result_items_are_what_json_dumps_prints() -> None:
    odd = ['say "no"', "back\\slash", "新河街道", "tab\there", "ctl\x01", ""]
    results = [
        RuleResult(rule, device, status, reason=reason)
        for rule in ("GN-CFG-101", 'GN-"X"')
        for device in ("kf-core-1", odd[2], odd[0])
        for status, reason in (("pass", ""), ("not_applicable", odd[1]), ("pass", odd[3]), ("fail", odd[4]))
    ]
    expected = json.dumps(
        {"results": [{"rule_id": r.rule_id, "device": r.device, "status": r.status, "reason": r.reason}
                     for r in results]},
        indent=2, ensure_ascii=False,
    )
    got = '{\n  "results": [\n' + ",\n".join(results_items(results)) + "\n  ]\n}"
    assert got == expected
