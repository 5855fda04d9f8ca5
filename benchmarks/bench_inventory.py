"""Load + validate + address plan, 1x to province scale, against Nornir's SimpleInventory anchor.

The anchor is what a team without govnet runs: the same devices as a flat Nornir ``hosts.yaml``
loaded by SimpleInventory (no validation, no address plan). Ratio = govnet / anchor, same run.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from benchmarks.common import Measurement, measure
from benchmarks.generate import generate

GOVNET = """
from govnet.inventory import load_network
from govnet.inventory.plan import address_plan
net = load_network({path!r})
rows = address_plan(net)
"""

ANCHOR = """
from nornir.plugins.inventory.simple import SimpleInventory
inv = SimpleInventory(host_file={hosts!r}, group_file={groups!r}, defaults_file={defaults!r}).load()
assert len(inv.hosts) > 0
"""


def write_anchor_inventory(inventory: Path, out: Path) -> tuple[Path, Path, Path]:
    """The same devices as Nornir SimpleInventory files."""
    from govnet.inventory import load_network

    net = load_network(inventory)
    hosts = {
        d.name: {
            "hostname": str(d.mgmt_ip.ip),
            "platform": d.platform,
            "groups": [d.role],
            "data": {
                "site": d.site,
                "subdistrict": d.subdistrict,
                "zones": d.zones,
                "loopback": str(d.loopback) if d.loopback else None,
                "interfaces": [{"name": i.name, "ip": str(i.ip), "peer": i.peer} for i in d.interfaces],
            },
        }
        for d in net.devices.values()
    }
    out.mkdir(parents=True, exist_ok=True)
    paths = (out / "hosts.yaml", out / "groups.yaml", out / "defaults.yaml")
    paths[0].write_text(yaml.safe_dump(hosts, sort_keys=True), encoding="utf-8")
    paths[1].write_text(
        yaml.safe_dump({r: {} for r in {d.role for d in net.devices.values()}}), encoding="utf-8"
    )
    paths[2].write_text("{}\n", encoding="utf-8")
    return paths


def run(work: Path, scales: tuple[int, ...] = (1, 10, 100, 126)) -> list[dict[str, object]]:
    """Measure every scale; returns rows for RESULTS.md."""
    rows: list[dict[str, object]] = []
    for districts in scales:
        inv = generate(districts, work / f"inv-{districts}")
        hosts, groups, defaults = write_anchor_inventory(inv, work / f"anchor-{districts}")
        from govnet.inventory import load_network

        devices = len(load_network(inv).devices)
        ours: Measurement = measure(GOVNET.format(path=str(inv)))
        anchor: Measurement = measure(
            ANCHOR.format(hosts=str(hosts), groups=str(groups), defaults=str(defaults))
        )
        rows.append(
            {
                "districts": districts,
                "devices": devices,
                "govnet_s": round(ours.seconds, 3),
                "govnet_peak_mib": round(ours.peak_mib),
                "anchor_s": round(anchor.seconds, 3),
                "anchor_peak_mib": round(anchor.peak_mib),
                "ratio": round(ours.seconds / anchor.seconds, 2),
            }
        )
        print(rows[-1], flush=True)
    return rows
