"""``govnet rules [ID]``: list the platform spec's rules, or explain one."""

from __future__ import annotations

import json
import sys
from enum import StrEnum

import typer

from govnet.cli.common import emit_table


class RulesFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def rules_cmd(
    rule_id: str | None = typer.Argument(None, metavar="ID", help="A rule id, e.g. GN-CFG-101."),
    fmt: RulesFormat = typer.Option(
        RulesFormat.table, "--format", "-f", metavar="table|csv|json", help="Output format."
    ),
) -> None:
    """List the platform spec's rules, or explain one: title, source clause, what it checks, the fix.

    Example: govnet rules; govnet rules GN-CFG-103

    Exit codes: 0 ok, 2 unknown rule id, 3 internal error.
    """
    from govnet.check import cross, intent
    from govnet.check.engine import DEVICE_CHECKS
    from govnet.check.rules import load_rules, what_it_checks
    from govnet.errors import GovnetError, did_you_mean

    spec = load_rules()
    if rule_id is None:
        rows = [
            {"id": r.id, "severity": r.severity, "kind": r.kind, "title": r.title, "source": r.source}
            for r in spec.rules
        ]
        emit_table(rows, ("id", "severity", "kind", "title", "source"), fmt.value)
        return
    wanted = rule_id.strip().upper()
    rule = next((r for r in spec.rules if r.id == wanted), None)
    if rule is None:
        guess = did_you_mean(wanted, [r.id for r in spec.rules])
        raise GovnetError(
            f"unknown rule id {rule_id}" + (f" ({guess})" if guess else " (govnet rules lists them)")
        )
    data = {
        "id": rule.id,
        "title": rule.title,
        "severity": rule.severity,
        "kind": rule.kind,
        "source": rule.source,
        "platforms": list(rule.platforms),
        "roles": list(rule.roles),
        "params": rule.params,
        "checks": what_it_checks(rule, {**intent.CHECKS, **cross.CHECKS, **DEVICE_CHECKS}),
        "fix": rule.hint,
    }
    if fmt is not RulesFormat.table:
        if fmt is RulesFormat.json:
            json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
            sys.stdout.write("\n")
        else:
            flat = {k: (" | ".join(map(str, v)) if isinstance(v, list) else v) for k, v in data.items()}
            emit_table([flat], list(flat), "csv")
        return
    print(f"{rule.id}  {rule.title}  [{rule.severity}, {rule.kind}]")
    print(f"source:    {rule.source}")
    print(f"platforms: {', '.join(rule.platforms)}; roles: {', '.join(rule.roles)}")
    if rule.params:
        print(f"params:    {', '.join(f'{k}={v}' for k, v in rule.params.items())}")
    print("checks:")
    for line in data["checks"]:
        print(f"  - {line}")
    print(f"fix:       {rule.hint}")
