"""``govnet status``: the live state as a few lines of text, and its exit code."""

from __future__ import annotations

from typing import Any

from govnet.monitor.web.svg import label

EXIT = {"healthy": 0, "degraded": 1, "down": 2}
"""Exit code by overall status: 0 all healthy, 1 anything degraded or unknown, 2 anything down."""


def exit_code(state: dict[str, Any]) -> int:
    """The exit code of an ``/api/state`` document (unknown statuses count as degraded)."""
    return EXIT.get(state.get("status", ""), 1)


def format_status(state: dict[str, Any], source: str) -> str:
    """Overall status, poller health, every group and every problem, one line each."""
    cycle = state["cycle"]
    lines = [
        f"{state['network']}: {label(state['status'])} ({source})",
        f"district {state['district']}: {label(state['district_status'])} · cycle #{cycle['cycles_total']} "
        f"· {cycle['answered']}/{cycle['polled']} devices answered · {cycle['duration_s']:.2f} s",
    ]
    others = [
        d for d in state["districts"] if d["district"] != state["district"] and d["status"] != "healthy"
    ]
    lines += [f"district {d['district']}: {label(d['status'])}" for d in others]
    for group in state["groups"]:
        lines.append(
            f"  {group['name']:<28} {label(group['state']):<14} {group['healthy']}/{group['expected']}  "
            f"{group['title']}"
        )
    for p in state["problems"]:
        cut = p["cut_off"]
        lead = {"now": "cut off now", "next": "one more failure cuts off"}.get(p["cut_off_when"], "")
        line = f"{label(p['severity'])}: {p['subject']}: {p['what']}" + (f" ({p['why']})" if p["why"] else "")
        if lead:
            line += f"; {lead}: {len(cut['sites'])} sites"
            line += f", departments {', '.join(cut['departments'])}" if cut["departments"] else ""
        lines.append(line)
    for alert in state.get("alerts", []):
        lines.append(f"alert {alert['name']} ({alert['state']}): {alert['summary']}")
    return "\n".join(lines)
