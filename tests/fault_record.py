"""The fault suite's record: each fault test notes what it tried and what came of it.

``note(...)`` appends one JSON line to ``$GOVNET_FAULT_RECORD`` (when set); ``make faults`` runs
the suite with it and with ``--junitxml``, then ``python tests/fault_record.py`` renders
docs/reliability.md from both: a fault whose test failed is listed as FAILED whatever it noted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass
from pathlib import Path

RECORD_ENV = "GOVNET_FAULT_RECORD"


@dataclass(frozen=True, slots=True)
class Trial:
    """One fault as tried by one test."""

    test: str
    fault: str
    where: str
    tries: int
    outcome: str
    half_changed: int = 0
    """Devices left half changed, with an unconfirmed change, or with config lost (goal: 0)."""


def note(test: str, fault: str, where: str, tries: int, outcome: str, half_changed: int = 0) -> Trial:
    """Record a trial (a no-op outside ``make faults``); returns it for the test to assert on."""
    trial = Trial(test, fault, where, tries, outcome, half_changed)
    path = os.environ.get(RECORD_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(trial), ensure_ascii=False) + "\n")
    return trial


def _results(junit: Path) -> dict[str, str]:
    """``{test name: passed|failed|skipped}`` from a JUnit XML file."""
    found: dict[str, str] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        status = "passed"
        if case.find("failure") is not None or case.find("error") is not None:
            status = "failed"
        elif case.find("skipped") is not None:
            status = "skipped"
        found[case.get("name", "")] = status
    return found


def render(records: list[Trial], results: dict[str, str], command: str) -> str:
    """docs/reliability.md: one row per fault, then the totals."""
    lines = [
        "# Reliability: what survives a fault in a change window",
        "",
        f"Written by `{command}`; do not edit by hand. Each row is one fault the suite "
        "injects, how many times it was tried in this run, what happened, and how many devices "
        "were left half changed, with an unconfirmed change, or with configuration lost "
        "(the goal is zero). EMULATED rows run against the emulated Huawei/H3C devices "
        "(tests/emulation, not real gear); TWIN rows against the lab twin (root).",
        "",
        "| Fault | Where | Tries | Outcome | Half changed or lost | Test |",
        "|---|---|---|---|---|---|",
    ]
    noted = {r.test for r in records}
    for r in records:
        status = results.get(r.test, "not run")
        outcome = r.outcome if status == "passed" else f"**{status.upper()}**: {r.outcome}"
        lines.append(f"| {r.fault} | {r.where} | {r.tries} | {outcome} | {r.half_changed} | `{r.test}` |")
    support = {t: st for t, st in results.items() if t not in noted}
    if support:
        bad = sorted(t for t, st in support.items() if st != "passed")
        failed = f"; NOT PASSED: {', '.join(bad)}" if bad else ""
        lines += ["", f"Supporting tests (no fault row of their own: helpers, parsers, heartbeats): "
                  f"{len(support) - len(bad)} passed{failed}."]
    tries = sum(r.tries for r in records)
    lost = sum(r.half_changed for r in records)
    failed = sorted(t for t, s in results.items() if s != "passed")
    lines += ["", f"Totals: {len(records)} faults, {tries} tries, {lost} device(s) half changed or lost, "
              f"{len(failed)} test(s) not passed{': ' + ', '.join(failed) if failed else ''}.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--record", type=Path, required=True)
    parser.add_argument("--junit", type=Path, action="append", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--command", default="make faults")
    args = parser.parse_args(argv)
    text = args.record.read_text(encoding="utf-8") if args.record.exists() else ""
    records = [Trial(**json.loads(line)) for line in text.splitlines() if line.strip()]
    missing = [str(j) for j in args.junit if not j.exists()]
    if missing:  # a run that crashed before its report must not pass as "no failures"
        print(f"fault record: no test report {', '.join(missing)}: the fault run did not finish",
              file=sys.stderr)
        return 1
    results = {name: status for junit in args.junit if junit.exists()
               for name, status in _results(junit).items()}
    args.out.write_text(render(records, results, args.command), encoding="utf-8")
    bad = [t for t, s in results.items() if s != "passed"] or [r.test for r in records if r.half_changed]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
