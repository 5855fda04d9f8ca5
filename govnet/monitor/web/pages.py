"""HTML of the district page's parts and of a device page. Pure functions of the live state;
every string from the inventory, the agents or Prometheus goes through :func:`html.escape`."""

from __future__ import annotations

import time
from html import escape
from typing import Any
from urllib.parse import quote

from govnet.monitor.web.svg import css, label

STATIC = '<link rel="stylesheet" href="/static/noc.css"><script src="/static/noc.js" defer></script>'


def _when(ts: float | None, now: float) -> str:
    if not ts:
        return "never"
    ago = max(0.0, now - ts)
    if ago < 120:
        age = f"{ago:.0f} s ago"
    elif ago < 7200:
        age = f"{ago / 60:.0f} min ago"
    else:
        age = f"{ago / 3600:.1f} h ago"
    return f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(ts))} ({age})"


def _badge(state: str) -> str:
    return f'<span class="badge {css(state)}">{escape(label(state))}</span>'


def _list(values: list[str], most: int = 14) -> str:
    """Comma-separated, the first ``most`` then how many more.

    >>> _list(["a", "b", "c"], most=2)
    'a, b … and 1 more'
    """
    if not values:
        return "none"
    more = f" … and {len(values) - most} more" if len(values) > most else ""
    return escape(", ".join(values[:most])) + more


def status_html(title: str, state: dict[str, Any], now: float) -> str:
    """The header: title, overall status, last cycle and poller health."""
    cycle = state["cycle"]
    errors = ", ".join(f"{k} {v}" for k, v in cycle["errors_total"].items() if v) or "none"
    return (
        f'<h1>{escape(title)} <span class="district">{escape(state["district"])}</span></h1>'
        f'<div class="overall">{_badge(state["status"])}</div>'
        f'<div class="cycle" data-cycle="{cycle["cycles_total"]}">'
        f"last cycle {escape(_when(cycle['started'] if cycle['complete'] else None, now))}"
        f" · {cycle['duration_s']:.2f} s · cycle #{cycle['cycles_total']}"
        f" · {cycle['answered']}/{cycle['polled']} devices answered · poll errors: {escape(errors)}</div>"
    )


def _cut_text(problem: dict[str, Any]) -> str:
    cut = problem["cut_off"]
    if not problem["cut_off_when"]:
        return ""
    lead = "cut off now" if problem["cut_off_when"] == "now" else "one more failure cuts off"
    if not cut["sites"] and not cut["peers"]:
        return f'<div class="cut"><b>{lead}:</b> no site and no external peer</div>'
    return (
        f'<div class="cut"><b>{lead}:</b> {len(cut["sites"])} sites: {_list(cut["sites"])}; '
        f"departments {_list(cut['departments'])}; peers {_list(cut['peers'])}</div>"
    )


def problems_html(state: dict[str, Any], alerts: list[dict[str, Any]], alerts_error: str) -> str:
    """The problems panel (worst first) and the Prometheus alerts."""
    rows = []
    for p in state["problems"]:
        title = f' <span class="zh">{escape(p["title"])}</span>' if p["title"] else ""
        rows.append(
            f'<li class="problem {css(p["severity"])}" data-subject="{escape(p["subject"])}">'
            f"{_badge(p['severity'])} <b>{escape(p['subject'])}</b>{title}"
            f'<div class="what">{escape(p["what"])}</div>'
            f'<div class="why">{escape(p["why"])}</div>{_cut_text(p)}</li>'
        )
    body = "".join(rows) or '<li class="problem s-healthy">✔ nothing down, degraded or unknown</li>'
    html = f'<h2>Problems</h2><ul class="problems">{body}</ul>'
    if alerts or alerts_error:
        items = "".join(
            f'<li class="alert a-{escape(a["state"])}"><b>{escape(a["name"])}</b> ({escape(a["state"])}) '
            f"{escape(a['summary'])}</li>"
            for a in alerts
        )
        if alerts_error:
            items += f'<li class="alert a-error">? {escape(alerts_error)}</li>'
        html += f'<h2>Prometheus alerts</h2><ul class="alerts">{items}</ul>'
    return html


def groups_html(state: dict[str, Any]) -> str:
    """One tile per redundancy group: state, members, what it protects."""
    tiles = []
    for g in state["groups"]:
        members = " ".join(
            f'<span class="member {css(s)}">{escape(label(s).split(" ")[0])} {escape(m)}</span>'
            for m, s in g["members"].items()
        )
        protects = g["protects"]
        tiles.append(
            f'<div class="tile {css(g["state"])}" data-group="{escape(g["name"])}">'
            f'<div class="tile-head">{_badge(g["state"])} {g["healthy"]}/{g["expected"]}</div>'
            f'<div class="zh">{escape(g["title"])}</div><div class="gname">{escape(g["name"])}</div>'
            f'<div class="members">{members}</div>'
            f'<div class="protects">protects {len(protects["sites"])} sites'
            + (f", {_list(protects['departments'])}" if protects["departments"] else "")
            + (f"; peers {_list(protects['peers'])}" if protects["peers"] else "")
            + "</div></div>"
        )
    return '<h2>Redundancy groups</h2><div class="tiles">' + "".join(tiles) + "</div>"


def selector_html(summaries: list[dict[str, Any]], current: str) -> str:
    """The district selector (a plain GET form; the script submits it on change)."""
    if len(summaries) < 2:
        return ""
    options = "".join(
        f'<option value="{escape(s["district"])}"{" selected" if s["district"] == current else ""}>'
        f"{escape(label(s['status']).split(' ')[0])} {escape(s['district'])}</option>"
        for s in summaries
    )
    bad = sum(1 for s in summaries if s["status"] != "healthy")
    return (
        f'<form class="selector" method="get" action="/"><label>district '
        f'<select name="district" id="district-select">{options}</select></label>'
        f'<button type="submit">show</button> <span>{bad} of {len(summaries)} districts not healthy</span>'
        "</form>"
    )


LEGEND = (
    '<footer class="legend">'
    + " ".join(
        f'<span class="badge {css(s)}">{escape(label(s))}</span>'
        for s in ("up", "degraded", "down", "unknown", "unpolled", "split_brain")
    )
    + " · links: solid up, dashed down, dotted unknown · click a device for its page · "
    '<a href="/api/state">/api/state</a> · <a href="/metrics">/metrics</a></footer>'
)


def district_page(title: str, parts: dict[str, str], selector: str, district: str, refresh_s: float) -> str:
    """The whole district page (the live parts come from :func:`live_parts`)."""
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · NOC</title>{STATIC}</head>"
        f'<body data-district="{escape(district)}" data-refresh="{refresh_s:g}">'
        f'<header><div id="status">{parts["status"]}</div>{selector}'
        '<div id="live-note" class="live-note">live</div></header>'
        f'<main><section id="map">{parts["map"]}</section>'
        f'<aside id="problems">{parts["problems"]}</aside></main>'
        f'<section id="groups">{parts["groups"]}</section>{LEGEND}</body></html>'
    )


def _table(columns: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def device_page(info: dict[str, Any], title: str, now: float) -> str:
    """A device's page: interfaces, sessions, groups, segments, hardware, last poll and backup."""
    name = info["name"]
    dev = info["device"]
    sections = [
        f'<h1><a href="/?district={quote(info["district"])}">{escape(title)}</a> / {escape(name)} '
        f"{_badge(dev['state'])}</h1>",
        f'<p class="facts">{escape(dev["role"])} · {escape(dev["platform"])} {escape(dev["model"])} · site '
        f"{escape(dev['site'])} {escape(dev['title'])} · {escape(dev['why'])}</p>",
        f"<p>last poll {escape(_when(info['polled_at'], now))} · last answer "
        f"{escape(_when(dev['last_success'], now))} · uptime "
        f"{escape(str(round(dev['uptime_s'])) + ' s' if dev['uptime_s'] else '-')} · last config backup "
        f"{escape(_when(info['backup_at'], now) if info['backup_at'] else info['backup_note'])}</p>",
        "<h2>Interfaces</h2>",
        _table(
            [
                "interface",
                "peer",
                "link",
                "state",
                "speed",
                "in",
                "out",
                "errors in/out",
                "discards in/out",
                "alias",
            ],
            [[escape(str(c)) for c in row] for row in info["interfaces"]],
        ),
        "<h2>Routing sessions</h2>",
        _table(
            ["protocol", "peer", "address", "state"], [[escape(str(c)) for c in r] for r in info["sessions"]]
        ),
        "<h2>Redundancy groups and segments</h2>",
        _table(
            ["group", "title", "state", "this member"],
            [
                [escape(g["name"]), escape(g["title"]), _badge(g["state"]), escape(g["member"])]
                for g in info["groups"]
            ],
        ),
        _table(
            ["segment", "title", "address", "VRRP"], [[escape(str(c)) for c in r] for r in info["segments"]]
        ),
        "<h2>Hardware and HA objects</h2>",
        _table(
            ["object", "entity or row", "value", "status"],
            [[escape(str(c)) for c in r] for r in info["hardware"]],
        ),
    ]
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(name)} · NOC</title>{STATIC}</head><body class="device">'
        + "".join(sections)
        + "</body></html>"
    )
