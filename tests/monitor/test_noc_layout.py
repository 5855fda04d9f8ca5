"""The district map's layout: every device, external peer and segment placed, inside the canvas,
no two overlapping, access sites under their aggregation node (full district, the twin's subsets,
a generated district)."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest

from govnet.inventory import load_network
from govnet.model import Network
from govnet.monitor.web.layout import Box, district_layout

ROOT = Path(__file__).resolve().parents[2]
SMALL = [
    "kf-core-1",
    "kf-core-2",
    "kf-agg-dongfenglu",
    "kf-agg-qingshuitang",
    "kf-fw-1",
    "kf-fw-2",
    "kf-acc-dongfenglu-c01",
]


@pytest.fixture(scope="module")
def network() -> Network:
    return load_network(ROOT / "inventory")


def _overlap(a: Box, b: Box) -> bool:
    return abs(a.x - b.x) * 2 < a.w + b.w and abs(a.y - b.y) * 2 < a.h + b.h


@pytest.mark.parametrize("subset", [None, SMALL, "edge"], ids=["district", "small-twin", "edge-only"])
def test_every_node_placed_inside_and_apart(network: Network, subset: list[str] | str | None) -> None:
    if subset == "edge":
        subset = [d.name for d in network.devices.values() if d.role not in ("aggregation", "access")]
    net = network if subset is None else network.subset(subset)
    layout = district_layout(net)
    linked = {lk.b for lk in net.links if lk.external}
    expected = set(net.devices) | linked | {f"segment:{s.id}" for s in net.segments}
    assert set(layout.boxes) == expected
    for name, box in layout.boxes.items():
        assert box.w / 2 <= box.x <= layout.width - box.w / 2, name
        assert box.h / 2 <= box.y <= layout.height - box.h / 2, name
    clashes = [(a, b) for (a, ba), (b, bb) in combinations(layout.boxes.items(), 2) if _overlap(ba, bb)]
    assert not clashes


def test_access_sites_stack_under_their_aggregation_node(network: Network) -> None:
    layout = district_layout(network)
    assert len(layout.columns) == 13
    for agg, sites in layout.columns.items():
        top = layout.boxes[agg]
        assert sites and all(layout.boxes[s].x == top.x and layout.boxes[s].y > top.y for s in sites)
        assert [network.devices[s].zones[2:] == [] for s in sites] == sorted(
            (network.devices[s].zones[2:] == [] for s in sites), reverse=True
        )  # communities first, department sites last
    chain = [
        layout.boxes[n].x
        for n in (
            "kf-isp-telecom",
            "kf-lb-1",
            "segment:kf-fw-outside",
            "kf-fw-1",
            "segment:kf-fw-inside",
            "kf-ips-1",
        )
    ]
    assert chain == sorted(chain)  # the internet exit reads left to right
