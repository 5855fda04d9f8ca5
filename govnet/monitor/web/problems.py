"""The problems panel: what is down, degraded or unknown and why, and what one more failure (or
the failure itself) cuts off: sites, departments and external peers."""

from __future__ import annotations

from typing import Any

from govnet.monitor.web.districts import District

SEVERITY = ("down", "degraded", "unknown", "notice")
"""Problem severities, worst first (a notice does not change the district's status)."""


def _problem(
    severity: str,
    subject: str,
    what: str,
    why: str,
    *,
    title: str = "",
    kind: str = "",
    when: str = "",
    cut: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    return {
        "severity": severity,
        "subject": subject,
        "kind": kind,
        "title": title,
        "what": what,
        "why": why,
        "cut_off_when": when,
        "cut_off": cut or {"sites": [], "departments": [], "peers": []},
    }


def _cut(district: District, sites: list[str], peers: list[str]) -> dict[str, list[str]]:
    return {"sites": sites, "departments": district.departments(sites), "peers": peers}


def _group_problem(group: dict[str, Any]) -> dict[str, Any] | None:
    state = group["state"]
    if state in ("healthy", "unpolled"):
        return None
    members = group["members"]
    down = [m for m, s in members.items() if s == "down"]
    unknown = [m for m, s in members.items() if s == "unknown"]
    what = f"{state.replace('_', ' ')}: {group['healthy']}/{group['expected']} members healthy"
    if state == "split_brain":
        why, severity, when = f"{group['masters']} masters of one VRRP/VGMP instance", "down", ""
    elif state == "degraded":
        why, severity, when = "down: " + ", ".join(down), "degraded", "next"
    elif state == "down":
        why, severity, when = "every member down", "down", "now"
    else:
        why, severity, when = "cannot judge: " + ", ".join(unknown or down), "unknown", ""
    why = group["why"] or why  # health's reason names the failed end and what the agent said
    return _problem(
        severity,
        group["name"],
        what,
        why,
        title=group["title"],
        kind="group",
        when=when,
        cut=group["protects"] if when else None,
    )


def find_problems(
    district: District,
    devices: dict[str, dict[str, Any]],
    links: dict[str, dict[str, Any]],
    groups: list[dict[str, Any]],
    segments: list[dict[str, Any]],
    *,
    complete: bool,
) -> list[dict[str, Any]]:
    """Every problem of the district, worst first."""
    found: list[dict[str, Any]] = []
    if not complete:
        found.append(
            _problem("unknown", "poller", "no completed poll cycle yet", "waiting for the first cycle")
        )
    found += [p for p in (_group_problem(g) for g in groups) if p is not None]
    grouped = district.grouped_links
    for link_id, link in links.items():
        if link_id in grouped or link["state"] != "down":
            continue
        sites, peers = district.link_cut_off(district.network.link(link_id))
        found.append(
            _problem(
                "down",
                link_id,
                f"link down ({link['kind']})",
                link["why"],
                kind="link",
                when="now",
                cut=_cut(district, sites, peers),
            )
        )
    for name, dev in devices.items():
        if dev["state"] == "unreachable":
            found.append(
                _problem(
                    "unknown",
                    name,
                    "device unreachable: its links and groups cannot be judged",
                    dev["why"],
                    kind="device",
                    title=dev["title"],
                )
            )
    for seg in segments:
        for vrrp in seg["vrrp"]:
            if len(vrrp["masters"]) > 1:
                found.append(
                    _problem(
                        "down",
                        seg["name"],
                        f"VRRP {vrrp['vrid']}: two masters",
                        ", ".join(vrrp["masters"]),
                        kind="segment",
                        title=seg["title"],
                    )
                )
            elif vrrp["failed_over"]:
                found.append(
                    _problem(
                        "notice",
                        seg["name"],
                        f"VRRP {vrrp['vrid']} {vrrp['virtual_ip']}: master {vrrp['masters'][0]}",
                        f"failed over from the configured active {vrrp['active']}",
                        kind="segment",
                        title=seg["title"],
                    )
                )
    found.sort(key=lambda p: (SEVERITY.index(p["severity"]), p["subject"]))
    return found
