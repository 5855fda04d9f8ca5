"""What a group's loss cuts off, computed for every group at once (what the exporter serves at
start-up), equals the one-group-at-a-time definition: on the shipped district with every group,
every link and every device taken as a group, and on a three-district province."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from inventory.test_plan import generate_province

from govnet.inventory import load_network
from govnet.model import Network, RedundancyGroup
from govnet.monitor.health import cut_off, cut_offs

ROOT = Path(__file__).resolve().parents[2]


def _every_group(network: Network) -> Network:
    """The network's groups plus one group per link and per device (names kept unique)."""
    extra = [RedundancyGroup(f"link:{lk.id}", "links", (lk.id,)) for lk in network.links]
    extra += [RedundancyGroup(f"device:{name}", "devices", (name,)) for name in network.devices]
    return dataclasses.replace(network, groups=[*network.groups, *extra])


@pytest.mark.parametrize("where", ["district", "province"])
def test_cut_offs_equal_cut_off_group_by_group(where: str, tmp_path: Path) -> None:
    inventory = ROOT / "inventory" if where == "district" else generate_province(tmp_path)
    network = _every_group(load_network(inventory))
    expected = {g.name: cut_off(network, g) for g in network.groups}
    assert cut_offs(network) == expected
    cutting = [name for name, (sites, peers) in expected.items() if sites and peers]
    assert len(cutting) > 10, "the sample holds groups whose loss cuts sites off"
    assert any(name.startswith("link:") for name in cutting)
    assert any(name.startswith("device:") for name in cutting)
    if where == "province":  # several districts: a loss in one cuts off nothing in another
        sites = {s for name, (cut, _) in expected.items() if name.startswith("device:") for s in cut}
        districts = {d.district for d in network.devices.values() if d.site in sites}
        assert len(districts) > 1
