"""A run report as people read it: the batch plan, one line per device, compact diffs.

Pure functions over a :class:`~govnet.deploy.rollout.RunReport`; the CLI prints what they return.
A dry run shows the plan first (batches in order, the canary, the pairs kept apart) and one
row per device; full diffs only when asked (``--diffs``) or into a file (``--diff-file``).

>>> compact_commands(["interface ge0-0-1", " description a", "interface ge0-0-1", " ip ospf cost 10"])
['interface ge0-0-1', ' description a', ' ip ospf cost 10']
"""

from __future__ import annotations

import json
from typing import Any

from govnet.deploy.batches import CRITICAL_ROLES, conflicts_of
from govnet.deploy.rollout import DeviceReport, RunReport
from govnet.deploy.twin_gaps import TwinGaps
from govnet.model import Network

STATUS_WORDS = {"dry-run": "drift"}
"""How a status reads in text: a dry run's device that differs is *drift* (a push would change it)."""
OVERLAP = ("batches overlap: a device starts once its neighbours and redundancy peers in earlier "
           "batches are done; critical devices fly alone, after everything before them")
"""How the batches run (:class:`govnet.deploy.batches.WaveSchedule`), said under the plan."""
COLUMNS = ("device", "status", "batch", "added", "removed", "held", "seconds", "reason")
RESUME = ("resume: run the same command again; devices already changed show unchanged and the "
          "rest are pushed in the same order")
"""What to do after a halt (a rerun skips what is already done)."""


def status_word(status: str) -> str:
    """The word a table shows for ``status``."""
    return STATUS_WORDS.get(status, status)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def compact_commands(commands: list[str]) -> list[str]:
    """The command list with each repeated context line (``interface X`` before every leaf of a
    flat, block-per-line list) shown once while it stays open."""
    out: list[str] = []
    shown: dict[int, str] = {}
    for i, line in enumerate(commands):
        depth = _indent(line)
        following = commands[i + 1] if i + 1 < len(commands) else ""
        opens = bool(following.strip()) and _indent(following) > depth
        if opens and shown.get(depth) == line:
            continue
        for level in [lv for lv in shown if lv >= depth]:
            del shown[level]
        if opens:
            shown[depth] = line
        out.append(line)
    return out


def counts(device: DeviceReport) -> tuple[int, int]:
    """Lines added and removed, from the device's unified diff.

    >>> counts(DeviceReport("r1", "dry-run", unified="--- a\\n+++ b\\n@@ -1 +1 @@\\n-old\\n+new\\n+more\\n"))
    (2, 1)
    """
    added = removed = 0
    for line in device.unified.splitlines():
        if line.startswith(("+++", "---")):
            continue
        if line.startswith("+"):
            added += 1
        elif line.startswith("-"):
            removed += 1
    return added, removed


def kept_apart(network: Network, batches: list[list[str]]) -> list[tuple[str, str]]:
    """Pairs of planned devices that back each other up and so never share a batch."""
    planned = {n for batch in batches for n in batch}
    conflicts = conflicts_of(network.groups, {link.id: link for link in network.links})
    pairs = {tuple(sorted((a, b))) for a in planned for b in conflicts.get(a, set()) & planned}
    return sorted((a, b) for a, b in pairs)


def plan_json(report: RunReport, network: Network) -> dict[str, Any]:
    """The plan as data: ``batches`` in order, each with its devices; the canary; pairs kept apart."""
    first = report.batches[0] if report.batches else []
    canary = first[0] if len(first) == 1 and network.devices[first[0]].role not in CRITICAL_ROLES else None
    return {
        "batches": [
            {"batch": i, "canary": i == 1 and canary is not None, "devices": list(batch)}
            for i, batch in enumerate(report.batches, start=1)
        ],
        "canary": canary,
        "kept_apart": [list(pair) for pair in kept_apart(network, report.batches)],
        "overlap": OVERLAP if len(report.batches) > 1 else "",
    }


def plan_lines(report: RunReport, network: Network) -> list[str]:
    """The batch plan in a few lines (what would be pushed, in which order)."""
    if not report.batches:
        return ["plan: nothing to push"]
    total = sum(len(b) for b in report.batches)
    plan = plan_json(report, network)
    lines = [f"plan: {total} device(s) in {len(report.batches)} batch(es)"
             + (f", canary {plan['canary']}" if plan["canary"] else "")]
    for entry in plan["batches"]:
        label = " (canary)" if entry["canary"] else ""
        lines.append(f"  batch {entry['batch']}{label}: {', '.join(entry['devices'])}")
    if plan["kept_apart"]:
        lines.append("  kept apart: " + ", ".join(f"{a} / {b}" for a, b in plan["kept_apart"]))
    if len(report.batches) > 1:
        lines.append(f"  {OVERLAP}")
    return lines


def device_rows(report: RunReport) -> list[dict[str, Any]]:
    """One row per device for :func:`govnet.cli.common.emit_table` (columns :data:`COLUMNS`)."""
    rows = []
    for dev in sorted(report.devices.values(), key=lambda d: d.device):
        added, removed = counts(dev)
        rows.append({
            "device": dev.device, "status": status_word(dev.status), "batch": dev.batch or "",
            "added": added, "removed": removed, "held": len(dev.held),
            "seconds": device_seconds(dev.timings), "reason": dev.reason,
        })
    return rows


def device_seconds(timings: dict[str, float]) -> float:
    """A device's wall time: its ``total`` when the push recorded one (the phases are parts of
    it, never added to it), else the sum of its phases.

    >>> device_seconds({"diff": 1.0, "commit": 2.0, "total": 3.5})
    3.5
    >>> device_seconds({"diff": 1.25})
    1.25
    """
    if "total" in timings:
        return round(timings["total"], 2)
    return round(sum(timings.values()), 2)


def diff_text(report: RunReport) -> str:
    """Every device's compact command list and unified diff, for ``--diffs`` or a diff file."""
    parts = []
    for dev in sorted(report.devices.values(), key=lambda d: d.device):
        if not dev.commands:
            continue
        parts.append(f"=== {dev.device}: {len(dev.commands)} command(s)")
        parts.extend(compact_commands(dev.commands))
        if dev.held:
            parts.append(f"--- held back (never undone by govnet): {len(dev.held)}")
            parts.extend(dev.held)
        parts.append(dev.unified.rstrip("\n"))
    return "\n".join(parts) + ("\n" if parts else "")


def summary_line(report: RunReport) -> str:
    """``3 unchanged, 2 drift in 4.2s`` (and the halt reason)."""
    order = ("unchanged", "dry-run", "changed", "rolled-back", "untouched", "failed")
    found = {s: len(report.by_status(s)) for s in order}
    text = ", ".join(f"{n} {status_word(s)}" for s, n in found.items() if n) or "no devices"
    text += f" in {report.seconds}s"
    if report.recovery_failed:
        text += f"; NOT RECOVERED: {', '.join(sorted(report.recovery_failed))}"
    if report.halted:
        text += f"; HALTED: {report.halted}"
    return text


def report_json(report: RunReport, network: Network, gaps: TwinGaps | None = None) -> str:
    """The run report as JSON with its plan (``plan.batches`` in order, each with its devices) and,
    when given, what the twin does not model (``not_modelled_in_twin``)."""
    data = json.loads(report.to_json())
    data["plan"] = plan_json(report, network)
    if gaps is not None:
        data["not_modelled_in_twin"] = {"features": gaps.features, "secrets": gaps.secrets}
    return json.dumps(data, indent=1, sort_keys=True)


def half_changed(report: RunReport, network: Network) -> dict[str, dict[str, str]]:
    """Redundancy groups a halted run left with some members changed and some not: group -> member
    -> status (empty when the run did not halt)."""
    if not report.halted:
        return {}
    found = {}
    for group in network.groups:
        if group.kind != "devices":
            continue
        states = {m: report.devices[m].status for m in group.members if m in report.devices}
        changed = [m for m, st in states.items() if st == "changed"]
        if changed and len(changed) < len(group.members):
            found[group.name] = dict(sorted(states.items()))
    return found


def resume_lines(report: RunReport, network: Network) -> list[str]:
    """After a halt: what each redundancy pair was left at, and how to resume (none otherwise)."""
    if not report.halted:
        return []
    lines = [
        f"{group}: HALF CHANGED ({', '.join(f'{m} {st}' for m, st in states.items())})"
        for group, states in half_changed(report, network).items()
    ]
    return [*lines, RESUME]
