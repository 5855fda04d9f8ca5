"""The district map as inline SVG: every link coloured, dashed and labelled by live state, every
redundancy group drawn as a group, every shared segment with its VRRP virtual addresses and
current master. Colour is never the only signal: each state has an icon, a word and a line style.
Every inventory string is escaped."""

from __future__ import annotations

from html import escape
from typing import Any

from govnet.model import Network
from govnet.monitor.web.layout import Box, Layout

ICON = {
    "up": "✔",
    "healthy": "✔",
    "degraded": "▲",
    "down": "✖",
    "unknown": "?",
    "unreachable": "?",
    "unpolled": "–",
    "split_brain": "⚡",
    "notice": "ℹ",
}
WORD = {"unpolled": "not polled", "split_brain": "split brain"}


def label(state: str) -> str:
    """Icon and word of a state, e.g. ``▲ degraded``.

    >>> label("split_brain")
    '⚡ split brain'
    """
    return f"{ICON.get(state, '?')} {WORD.get(state, state)}"


def css(state: str) -> str:
    """The CSS class of a state (``s-down``)."""
    return "s-" + state.replace("_", "-")


def _text(x: float, y: float, text: str, cls: str = "", anchor: str = "middle") -> str:
    return f'<text x="{x:.0f}" y="{y:.0f}" text-anchor="{anchor}" class="{cls}">{escape(text)}</text>'


def _bits(value: float | None) -> str:
    if value is None:
        return "-"
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= size:
            return f"{value / size:.1f} {unit}bit/s"
    return f"{value:.0f} bit/s"


def _edge_point(box: Box, toward: Box) -> tuple[float, float]:
    """Where a line from ``box``'s centre toward ``toward`` leaves the box (top or bottom edge for
    mostly vertical lines, sides otherwise)."""
    dx, dy = toward.x - box.x, toward.y - box.y
    if abs(dy) * box.w >= abs(dx) * box.h:
        return box.x + dx * (box.h / 2) / abs(dy), box.y + (box.h / 2 if dy > 0 else -box.h / 2)
    return box.x + (box.w / 2 if dx > 0 else -box.w / 2), box.y + dy * (box.w / 2) / abs(dx)


def _links(network: Network, layout: Layout, links: dict[str, dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for link in network.links:
        a, b = layout.boxes.get(link.a), layout.boxes.get(link.b)
        live = links.get(link.id)
        if a is None or b is None or live is None:
            continue
        (x1, y1), (x2, y2) = _edge_point(a, b), _edge_point(b, a)
        state = live["state"]
        tip = (
            f"{link.id} ({link.kind}): {label(state)}"
            + (f" — {live['why']}" if live["why"] else "")
            + f"\n{link.a} {link.a_interface} ↔ {link.b} {link.b_interface}"
            + f"\nin {_bits(live['in_bps'])}, out {_bits(live['out_bps'])}"
        )
        out.append(
            f'<g class="link {css(state)} k-{link.kind}" data-link="{escape(link.id)}">'
            f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}"/>'
            f"<title>{escape(tip)}</title>"
        )
        if state != "up" or link.kind in ("edge", "external", "core-core"):
            mx, my = (x1 + x2) / 2, (y1 + y2) / 2
            out.append(_text(mx, my - 3, label(state), "link-label"))
        out.append("</g>")
    return out


def _device(name: str, box: Box, dev: dict[str, Any], extra: str = "") -> str:
    state = dev["state"]
    short = dev["site"].split("-")[-1] if dev["role"] == "access" else name
    head = f"{ICON.get(state, '?')} {short}"
    second = dev["title"] or dev["role"].replace("_", " ")
    x0, y0 = box.x - box.w / 2, box.y - box.h / 2
    tip = f"{name} ({dev['role']}, {dev['platform']} {dev['model']}): {label(state)}"
    tip += f" — {dev['why']}" if dev["why"] else ""
    parts = [
        f'<g class="node r-{dev["role"]} {css(state)}" data-device="{escape(name)}">'
        f'<a href="/device/{escape(name)}">'
        f'<rect x="{x0:.0f}" y="{y0:.0f}" width="{box.w:.0f}" height="{box.h:.0f}" rx="5"/>'
        f"<title>{escape(tip)}</title>"
    ]
    if dev["role"] == "access":
        text = " ".join([head, *dev["department_titles"]])
        parts.append(_text(x0 + 6, box.y + 4, text, "small", "start"))
    else:
        parts.append(_text(box.x, y0 + 15, head, "name"))
        parts.append(_text(box.x, y0 + 29, second, "title"))
        if extra:
            parts.append(_text(box.x, y0 + 41, extra, "badge"))
    parts.append("</a></g>")
    return "".join(parts)


def _external(network: Network, name: str, box: Box) -> str:
    ext = network.externals[name]
    x0, y0 = box.x - box.w / 2, box.y - box.h / 2
    return (
        f'<g class="external" data-external="{escape(name)}">'
        f'<rect x="{x0:.0f}" y="{y0:.0f}" width="{box.w:.0f}" height="{box.h:.0f}" rx="18"/>'
        + _text(box.x, y0 + 15, ext.title or name, "title")
        + _text(box.x, y0 + 29, f"{name} ({ext.kind})", "small")
        + "</g>"
    )


def _segments(layout: Layout, segments: list[dict[str, Any]], devices: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for seg in segments:
        box = layout.boxes.get(f"segment:{seg['id']}")
        if box is None:
            continue
        height = 22 + 14 * max(1, len(seg["vrrp"]))
        pill = Box(box.x, box.y, box.w, height)
        out.append(f'<g class="segment" data-segment="{escape(seg["name"])}">')
        for member in seg["members"]:
            mbox = layout.boxes.get(member["device"])
            if mbox is None:
                continue
            (x1, y1), (x2, y2) = _edge_point(mbox, pill), _edge_point(pill, mbox)
            state = "up" if member["state"] == "up" else member["state"]
            out.append(
                f'<g class="link {css(state)} k-segment"><line x1="{x1:.0f}" y1="{y1:.0f}" '
                f'x2="{x2:.0f}" y2="{y2:.0f}"/><title>{escape(member["device"])} '
                f"{escape(member['interface'])} {escape(member['ip'])}</title></g>"
            )
        x0, y0 = pill.x - pill.w / 2, pill.y - pill.h / 2
        out.append(
            f'<rect x="{x0:.0f}" y="{y0:.0f}" width="{pill.w:.0f}" height="{pill.h:.0f}" rx="4"/>'
            f"<title>{escape(seg['title'])} {escape(seg['subnet'])}</title>"
        )
        out.append(_text(pill.x, y0 + 14, f"{seg['name']} {seg['title'].split(' ')[0]}", "title"))
        for i, vrrp in enumerate(seg["vrrp"]):
            masters = vrrp["masters"]
            state = "down" if len(masters) != 1 else ("notice" if vrrp["failed_over"] else "up")
            who = "master " + ", ".join(m.split("-", 1)[-1] for m in masters) if masters else "no master"
            if not vrrp["polled"]:
                state, who = "unpolled", "members not polled"
            text = f"{ICON[state]} VIP {vrrp['virtual_ip']} · {who}"
            out.append(_text(pill.x, y0 + 28 + 14 * i, text, f"vrrp {css(state)}"))
        out.append("</g>")
    return out


def _groups(
    network: Network, layout: Layout, groups: list[dict[str, Any]]
) -> tuple[list[str], dict[str, str]]:
    """Group frames around device pairs and external pairs; badges for groups of links that share
    one device end (an aggregation node's uplinks), returned by that device."""
    out: list[str] = []
    badges: dict[str, str] = {}
    for group in groups:
        members = group["members"]
        state = group["state"]
        text = (
            f"{ICON.get(state, '?')} {group['title'] or group['name']} {group['healthy']}/{group['expected']}"
        )
        if group["kind"] == "devices":
            framed = [m for m in members if m in layout.boxes]
        else:
            ends = [network.link(m).ends for m in members]
            common = set(ends[0]).intersection(*ends[1:]) if ends else set()
            shared = next((c for c in common if c in network.devices), None)
            outer = [e for pair in ends for e in pair if e not in common]
            if shared is not None and not any(e in network.externals for e in outer):
                badges[shared] = f"{ICON.get(state, '?')} uplinks {group['healthy']}/{group['expected']}"
                continue
            framed = [e for e in outer if e in network.externals and e in layout.boxes]
        if not framed:
            continue
        boxes = [layout.boxes[m] for m in framed]
        x0 = min(b.x - b.w / 2 for b in boxes) - 8
        x1 = max(b.x + b.w / 2 for b in boxes) + 8
        y0 = min(b.y - b.h / 2 for b in boxes) - 22
        y1 = max(b.y + b.h / 2 for b in boxes) + 8
        out.append(
            f'<g class="group {css(state)}" data-group="{escape(group["name"])}">'
            f'<rect x="{x0:.0f}" y="{y0:.0f}" width="{x1 - x0:.0f}" height="{y1 - y0:.0f}" rx="8"/>'
            + _text(x0 + 6, y0 + 14, text, "group-label", "start")
            + f"<title>{escape(group['name'])}: {escape(label(state))}</title></g>"
        )
    return out, badges


def district_svg(
    network: Network,
    layout: Layout,
    state: dict[str, Any],
) -> str:
    """The map of one district in its live ``state`` (:func:`~govnet.monitor.web.state.district_state`)."""
    devices = state["devices"]
    frames, badges = _groups(network, layout, state["groups"])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {layout.width:.0f} '
        f'{layout.height:.0f}" role="img" aria-label="{escape(network.settings.title)} topology">'
    ]
    parts += frames
    parts += _links(network, layout, state["links"])
    parts += _segments(layout, state["segments"], devices)
    for name in network.externals:
        if name in layout.boxes:
            parts.append(_external(network, name, layout.boxes[name]))
    cut = {
        lk.b
        for lk in network.links
        if lk.kind == "aggregation-access" and state["links"][lk.id]["state"] == "down"
    }
    members_down = {
        m: f"{g['name']}: {g['why']}"
        for g in state["groups"]
        if g["kind"] == "devices"
        for m, s in g["members"].items()
        if s == "down"
    }
    for name, dev in devices.items():
        box = layout.boxes.get(name)
        if box is not None:
            shown = dev
            if name in cut:
                shown = {**dev, "state": "down", "why": "uplink down: cut off"}
            elif name in members_down and dev["state"] == "up":
                shown = {**dev, "state": "down", "why": f"down as a member of {members_down[name]}"}
            parts.append(_device(name, box, shown, badges.get(name, "")))
    parts.append("</svg>")
    return "".join(parts)
