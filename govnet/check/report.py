"""Reporters for a CheckReport: text, JSON, JUnit XML (rule x device) and SARIF 2.1.0."""

from __future__ import annotations

import dataclasses
import json
import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from govnet import __version__
from govnet.check.context import CheckReport, Finding, Location, RuleResult
from govnet.model import Network

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {"error": "error", "warning": "warning"}
FORMATS = ("text", "json", "junit", "sarif")


def _where(location: Location) -> str | None:
    """``path:line`` when the path exists on disk (no paths of configs rendered in memory)."""
    return str(location) if Path(location.path).is_file() else None


def _place(f: Finding) -> tuple[str | None, str]:
    """The real ``path:line`` of a finding (or None), and what to say about its rendered config."""
    where = _where(f.location)
    if f.config_location is not None:
        config = _where(f.config_location)
        return where, f" (config {config})" if config else f" (rendered config line {f.config_location.line})"
    return where, "" if where else f" (rendered config line {f.location.line})"


def _finding_line(f: Finding) -> str:
    where, suffix = _place(f)
    return (f"{where}: " if where else "") + f"{f.device}: {f.message}{suffix}"


def _finding_lines(findings: list[Finding], shown: int = 3) -> list[str]:
    """One line per finding; one line for the same finding on many devices (a shared template line)."""
    groups: dict[tuple[str | None, str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        where, suffix = _place(f)
        groups[(where, f.message, "" if where else suffix)].append(f)
    lines: list[str] = []
    for (where, message, suffix), same in groups.items():
        names = sorted({f.device for f in same})
        if len(names) == 1:
            lines += [_finding_line(f) for f in same]
            continue
        if where:
            suffixes = {_place(f)[1] for f in same}
            suffix = suffixes.pop() if len(suffixes) == 1 else " (rendered config lines vary)"
        listed = ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")
        lines.append((f"{where}: " if where else "") + f"{len(names)} devices ({listed}): {message}{suffix}")
    return lines


def only_devices(
    report: CheckReport, names: set[str], network: Network, checked: Collection[str]
) -> CheckReport:
    """``report`` restricted to the devices ``names`` (``--filter``): their results, network-wide
    results with the findings about them (or about no device of the inventory), a failed result
    left with no finding passing; ``devices_checked`` counts ``names`` among ``checked``."""

    def about(device: str) -> bool:
        return device in names or device not in network.devices

    kept: list[RuleResult] = []
    for result in report.results:
        if result.device in network.devices and result.device not in names:
            continue
        findings = tuple(f for f in result.findings if about(f.device))
        status = result.status if findings or result.status != "fail" else "pass"
        kept.append(dataclasses.replace(result, findings=findings, status=status))
    return dataclasses.replace(report, results=kept, devices_checked=len(names & set(checked)))


def summary_line(report: CheckReport) -> str:
    """``ok|FAIL: network: N rules, M configs, E error(s), W warning(s), X not applicable, T s``."""
    verdict = "FAIL" if report.exit_code else "ok"
    return (
        f"{verdict}: {report.network}: {len(report.rules)} rules, {report.devices_checked} configs, "
        f"{report.count('error')} error(s), {report.count('warning')} warning(s), "
        f"{report.status_count('not_applicable')} not applicable, {report.seconds:.2f}s"
    )


def to_text(report: CheckReport, *, summary: bool = True) -> str:
    """Findings grouped by rule (a count and the fix once per rule), then the summary line.

    ``GN-CFG-101 [error] Telnet disabled: 2 finding(s); fix: ...`` then one indented
    ``path:line: device: message`` line per finding (one ``path:line: N devices (...): message``
    line when a shared template line causes it on many devices); paths are real files only.
    """
    titles = {r.id: r.title for r in report.rules}
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_rule[f.rule_id].append(f)
    lines: list[str] = []
    for rule_id in sorted(by_rule):
        findings = sorted(
            by_rule[rule_id], key=lambda f: (f.device, f.location.path, f.location.line, f.message)
        )
        first = findings[0]
        lines.append(
            f"{rule_id} [{first.severity}] {titles.get(rule_id, '')}: {len(findings)} finding(s); "
            f"fix: {first.hint}"
        )
        lines += [f"  {line}" for line in _finding_lines(findings)]
    if summary:
        lines.append(summary_line(report))
    return "\n".join(lines) + "\n" if lines else ""


def _finding_json(f: Finding) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id,
        "severity": f.severity,
        "device": f.device,
        "location": {"path": f.location.path, "line": f.location.line},
        "config_location": (
            {"path": f.config_location.path, "line": f.config_location.line} if f.config_location else None
        ),
        "message": f.message,
        "hint": f.hint,
    }


def to_json(report: CheckReport) -> str:
    """Findings, per-rule results (pass/fail/not_applicable) and a summary; byte-stable for the
    same inputs except ``timings`` (the only field that varies between runs)."""
    return json_text(report, ",\n".join(results_items(report.results)))


def json_text(report: CheckReport, items: str) -> str:
    """The JSON report of ``report`` with ``items`` (joined :func:`results_items`) as its results."""
    return "".join(json_chunks(report, [items] if items else []))


def json_chunks(report: CheckReport, items: list[str]) -> list[str]:
    """:func:`json_text` in pieces (``items``: runs of joined :func:`results_items`, none empty),
    to be written one after the other without joining tens of megabytes first."""
    data = {
        "network": report.network,
        "summary": {
            "rules": len(report.rules),
            "configs": report.devices_checked,
            "errors": report.count("error"),
            "warnings": report.count("warning"),
            "passed": report.status_count("pass"),
            "failed": report.status_count("fail"),
            "not_applicable": report.status_count("not_applicable"),
            "exit_code": report.exit_code,
        },
        "findings": [_finding_json(f) for f in report.findings],
        "results": _RESULTS_SLOT,
        "timings": {"seconds": round(report.seconds, 3)},
    }
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    slot = text.rindex(json.dumps(_RESULTS_SLOT))  # after every finding: only the timings follow
    head, tail = text[:slot], text[slot + len(json.dumps(_RESULTS_SLOT)) :]
    if not items:
        return [head, "[]", tail]
    return [head, "[\n", *_separated(items), "\n  ]", tail]


def _separated(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if out:
            out.append(",\n")
        out.append(item)
    return out


_RESULTS_SLOT = "\x00results"


def results_items(results: Iterable[RuleResult]) -> list[str]:
    """Each result as ``json.dumps(indent=2, ensure_ascii=False)`` prints it in the ``results``
    array, written directly (hundreds of thousands of results: the pure-Python indenting encoder
    is slow). Rule ids, statuses and reasons repeat: each is encoded once, with its part of the item."""
    enc = encode_basestring  # what dumps uses for str with ensure_ascii=False
    heads = _Encoded('    {\n      "rule_id": %s,\n      "device": ')
    statuses = _Encoded(',\n      "status": %s,\n      "reason": ')
    reasons = _Encoded("%s\n    }")
    return [f"{heads[r.rule_id]}{enc(r.device)}{statuses[r.status]}{reasons[r.reason]}" for r in results]


class _Encoded(dict[str, str]):
    """``text`` -> ``form % encode_basestring(text)``, worked out on first use."""

    def __init__(self, form: str) -> None:
        super().__init__()
        self.form = form

    def __missing__(self, text: str) -> str:
        encoded = self[text] = self.form % encode_basestring(text)
        return encoded


def to_junit(report: CheckReport) -> str:
    """One testsuite per rule, one testcase per rule x device; failures for findings, skipped for n/a."""
    suites = ET.Element("testsuites", name=f"govnet check {report.network}")
    by_rule: dict[str, list[Any]] = defaultdict(list)
    for result in report.results:
        by_rule[result.rule_id].append(result)
    titles = {r.id: r.title for r in report.rules}
    for rule in report.rules:
        results = by_rule.get(rule.id, [])
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=f"{rule.id} {titles[rule.id]}",
            tests=str(len(results)),
            failures=str(sum(r.status == "fail" for r in results)),
            skipped=str(sum(r.status == "not_applicable" for r in results)),
            errors="0",
        )
        for result in results:
            case = ET.SubElement(suite, "testcase", classname=rule.id, name=result.device, time="0")
            if result.status == "fail":
                text = "\n".join(f"{f.location}: {f.message} (fix: {f.hint})" for f in result.findings)
                failure = ET.SubElement(
                    case, "failure", message=result.findings[0].message, type=rule.severity
                )
                failure.text = text
            elif result.status == "not_applicable":
                ET.SubElement(case, "skipped", message=f"not applicable: {result.reason}")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def artifact_uri(path: str) -> str:
    """A repo-relative URI (relative to the working directory); ``file://`` for paths outside it."""
    p = Path(path)
    if not p.is_absolute():
        return p.as_posix()
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return p.resolve().as_uri()


def _related(location: Location) -> dict[str, Any]:
    return {
        "id": 1,
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(location.path)},
            "region": {"startLine": max(1, location.line)},
        },
        "message": {"text": "the rendered config line"},
    }


def to_sarif(report: CheckReport) -> str:
    """SARIF 2.1.0 for GitHub code scanning: rules in the driver, one result per finding."""
    rules = [
        {
            "id": r.id,
            "name": "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", r.title)),
            "shortDescription": {"text": r.title},
            "fullDescription": {"text": f"{r.title}. Source: {r.source}"},
            "help": {"text": r.hint},
            "defaultConfiguration": {"level": SARIF_LEVEL[r.severity]},
            "properties": {"tags": [r.kind, *r.platforms], "source": r.source},
            **({"helpUri": r.help_uri} if r.help_uri else {}),
        }
        for r in report.rules
    ]
    index = {r.id: i for i, r in enumerate(report.rules)}
    results = [
        {
            "ruleId": f.rule_id,
            "ruleIndex": index[f.rule_id],
            "level": SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.device}: {f.message} (fix: {f.hint})"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": artifact_uri(f.location.path)},
                        "region": {"startLine": max(1, f.location.line)},
                    }
                }
            ],
            "partialFingerprints": {"govnetFinding/v1": f"{f.rule_id}:{f.device}:{f.message}"},
            **({"relatedLocations": [_related(f.config_location)]} if f.config_location else {}),
        }
        for f in report.findings
    ]
    sarif = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "govnet",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


def render_report(report: CheckReport, format_: str) -> str:
    """The report in ``format_`` (one of FORMATS); text with its summary line."""
    return {"text": to_text, "json": to_json, "junit": to_junit, "sarif": to_sarif}[format_](report)
