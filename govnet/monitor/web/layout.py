"""Where each thing of a district goes on the map, from the model's roles (no graph engine):
the internet edge chain across the top (ISPs -> load balancer -> firewall pair -> IPS), upstream
and intranet peers top right, the cores in the middle, every aggregation node in a row with its
access sites stacked under it, and each shared segment between its HA pair and its neighbours."""

from __future__ import annotations

from dataclasses import dataclass, field

from govnet.model import Network, Segment

BOX_W, BOX_H = 132, 40
SITE_H, SITE_GAP = 20, 4
SEGMENT_W, SEGMENT_H = 176, 36
AGG_Y, SITES_Y = 600, 650
MIN_WIDTH = 1600
COLUMN = 124
EXTERNAL_W = 184


@dataclass(frozen=True, slots=True)
class Box:
    """A node's centre and size on the map."""

    x: float
    y: float
    w: float = BOX_W
    h: float = BOX_H


@dataclass(slots=True)
class Layout:
    """Every node's box: devices and externals by name, segments by ``segment:<id>``."""

    width: float
    height: float
    boxes: dict[str, Box] = field(default_factory=dict)
    columns: dict[str, list[str]] = field(default_factory=dict)
    """Aggregation node -> its access devices, top to bottom."""


def _stack(names: list[str], x: float, y: float, step: float = 100) -> dict[str, Box]:
    """``names`` one above the other, centred on (x, y)."""
    top = y - step * (len(names) - 1) / 2
    return {n: Box(x, top + i * step) for i, n in enumerate(names)}


def _row(names: list[str], x: float, y: float, step: float) -> dict[str, Box]:
    left = x - step * (len(names) - 1) / 2
    return {n: Box(left + i * step, y) for i, n in enumerate(names)}


def _externals_by_kind(network: Network, kind: set[str], negate: bool = False) -> list[str]:
    linked = {lk.b for lk in network.links if lk.external}
    return [
        e.name
        for e in sorted(network.externals.values(), key=lambda e: e.name)
        if e.name in linked and ((e.kind in kind) != negate)
    ]


def _roles(network: Network, role: str) -> list[str]:
    return [d.name for d in network.by_role(role)]


def _access_columns(network: Network, aggs: list[str]) -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {a: [] for a in aggs}
    for link in network.links:
        if link.kind == "aggregation-access" and link.a in columns and link.b in network.devices:
            columns[link.a].append(link.b)
    for names in columns.values():
        names.sort(key=lambda n: (_department(network, n), n))  # communities first, then departments
    return columns


def _overlap(a: Box, b: Box) -> bool:
    return abs(a.x - b.x) * 2 < a.w + b.w and abs(a.y - b.y) * 2 < a.h + b.h


def _department(network: Network, name: str) -> bool:
    return any(network.zones[z].kind == "private" for z in network.devices[name].zones)


def _segment_box(segment: Segment, boxes: dict[str, Box]) -> Box | None:
    """Halfway between the segment's HA members and its other members (below them when all sit on
    one row)."""
    present = [m for m in segment.devices if m in boxes]
    if not present:
        return None
    ha = {m for g in segment.vrrp for m in g.members} & set(present)
    others = [m for m in present if m not in ha]
    if not ha or not others:
        xs = [boxes[m].x for m in present]
        return Box(sum(xs) / len(xs), max(boxes[m].y for m in present) + 70, SEGMENT_W, SEGMENT_H)

    def centre(names: list[str] | set[str]) -> tuple[float, float]:
        return (
            sum(boxes[n].x for n in names) / len(names),
            sum(boxes[n].y for n in names) / len(names),
        )

    (hx, hy), (ox, oy) = centre(ha), centre(others)
    return Box((hx + ox) / 2, (hy + oy) / 2, SEGMENT_W, SEGMENT_H)


def district_layout(network: Network) -> Layout:
    """The map of one district's ``network``."""
    aggs = _roles(network, "aggregation")
    width = max(MIN_WIDTH, COLUMN * len(aggs))
    centre = width / 2
    boxes: dict[str, Box] = {}
    boxes |= _stack(_externals_by_kind(network, {"isp"}), 94, 130, 100)
    boxes |= _stack(_roles(network, "load_balancer"), 250, 130)
    boxes |= _stack(_roles(network, "firewall"), 560, 130)
    boxes |= _stack(_roles(network, "ips"), 880, 130)
    boxes |= _row(_roles(network, "vpn_gateway"), 560, 330, 160)
    boxes |= _row(_roles(network, "core"), centre, 410, 280)
    boxes |= _row(_externals_by_kind(network, {"upstream"}), width - 500, 80, 200)
    others = _externals_by_kind(network, {"isp", "upstream"}, negate=True)
    boxes |= _row(others, width - 110, 80, 160)
    boxes |= _row(_roles(network, "isolation_gateway"), width - 110, 230, 160)
    boxes |= _row(_roles(network, "server"), width - 230, 500, 180)
    for name in network.externals:
        if name in boxes:
            wide = 150 if boxes[name].x < 200 else EXTERNAL_W
            boxes[name] = Box(boxes[name].x, boxes[name].y, wide, BOX_H)
    columns = _access_columns(network, aggs)
    boxes |= {a: Box(COLUMN * (i + 0.5), AGG_Y, COLUMN - 10, 44) for i, a in enumerate(aggs)}
    deepest = 0
    for i, agg in enumerate(aggs):
        for j, name in enumerate(columns[agg]):
            boxes[name] = Box(COLUMN * (i + 0.5), SITES_Y + j * (SITE_H + SITE_GAP), COLUMN - 18, SITE_H)
            deepest = max(deepest, j + 1)
    placed = set(boxes)
    stray = [n for n in sorted(network.devices) if n not in placed]
    bottom = SITES_Y + deepest * (SITE_H + SITE_GAP) + 40
    boxes |= _row(stray, centre, bottom, BOX_W + 16)
    for segment in network.segments:
        box = _segment_box(segment, boxes)
        while box is not None and any(_overlap(box, other) for other in boxes.values()):
            box = Box(box.x, box.y + SEGMENT_H + 10, box.w, box.h)  # below a node or another segment
        if box is not None:
            boxes[f"segment:{segment.id}"] = box
    height = bottom + (60 if stray else 0)
    return Layout(width, height, boxes, columns)
