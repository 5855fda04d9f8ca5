"""Monitor faults on the twin: 20 % loss on one device's management path.

An nftables table made by this test inside the device's namespace drops 20 % of the SNMP
requests it receives (``numgen random mod 5 == 0``, counted); the poller's cycles over the whole
small twin must stay complete with every device answering, the loss absorbed by retries and
visible in the poller's own retry count. The table is deleted in ``finally``, checked gone.
Run under the twin lock:
`flock /tmp/govnet-twin.lock .venv/bin/pytest -m integration tests/integration/test_monitor_faults.py`.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from fault_record import note

from govnet.inventory import load_network
from govnet.monitor.plan import build_plan
from govnet.monitor.poller import Poller
from govnet.monitor.snapshot import Snapshot
from govnet.monitor.transport import SnmpClient

from .lab_helpers import INVENTORY, Lab, in_netns

pytestmark = [pytest.mark.integration, pytest.mark.timeout(400)]

LOSSY = "kf-agg-dongfenglu"
TABLE = "govnet_test_snmp_loss"
RULESET = f"""table inet {TABLE} {{
  chain input {{
    type filter hook input priority -10; policy accept;
    udp dport 161 numgen random mod 5 == 0 counter drop
  }}
  chain seen {{
    type filter hook input priority -20; policy accept;
    udp dport 161 counter
  }}
}}
"""


MIN_REQUESTS = 120
"""SNMP requests to the lossy device to sample before judging the drop rate."""


def _counters(netns: str) -> list[int]:
    shown = in_netns(netns, ["nft", "list", "table", "inet", TABLE])
    assert shown.returncode == 0, shown.stderr
    return [int(n) for n in re.findall(r"counter packets (\d+)", shown.stdout)]


def test_twenty_percent_loss_on_one_management_path_is_absorbed_by_retries(
    lab: Lab, request: pytest.FixtureRequest
) -> None:
    network = load_network(INVENTORY)
    plan = build_plan(network, devices=list(lab.topology.devices), lab=True)
    netns = lab.topology.node(LOSSY).netns
    rules = lab.workdir / f"{TABLE}.nft"
    rules.write_text(RULESET, encoding="utf-8")

    async def cycles(poller: Poller, count: int) -> list[Snapshot]:
        return [await poller.cycle() for _ in range(count)]

    async def run() -> tuple[list[Snapshot], list[Snapshot], list[int]]:
        client = SnmpClient(lab.creds, timeout=0.5, retries=4)
        poller = Poller(plan, client)
        try:
            clean = await cycles(poller, 2)
            loaded = await asyncio.to_thread(in_netns, netns, ["nft", "-f", str(rules)])
            assert loaded.returncode == 0, loaded.stderr
            try:
                # enough requests that the sampled loss rate tells 20 % from none: with 120, fewer
                # than 8 % dropped is a 1-in-7,000 draw (33 requests left a 1-in-37 chance)
                lossy = await cycles(poller, 15)
                counts = await asyncio.to_thread(_counters, netns)
                while counts[1] < MIN_REQUESTS and len(lossy) < 90:
                    lossy += await cycles(poller, 5)
                    counts = await asyncio.to_thread(_counters, netns)
            finally:
                await asyncio.to_thread(in_netns, netns, ["nft", "delete", "table", "inet", TABLE])
        finally:
            client.close()
        return clean, lossy, counts

    try:
        clean, lossy, (dropped, seen) = asyncio.run(run())
    finally:
        in_netns(netns, ["nft", "delete", "table", "inet", TABLE])  # also when the test failed early
    gone = in_netns(netns, ["nft", "list", "tables"])
    assert TABLE not in gone.stdout
    assert seen >= MIN_REQUESTS and 0.08 <= dropped / seen <= 0.35, (dropped, seen)
    for snap in clean + lossy:
        down = [d.name for d in snap.devices.values() if not d.up]
        assert snap.complete and not down, [snap.devices[d].reason for d in down]
        assert set(snap.devices) == set(lab.topology.devices)
    assert lossy[-1].errors_total == {"timeout": 0, "auth": 0, "decode": 0}
    assert lossy[-1].retries_total - clean[-1].retries_total >= dropped // 2 > 0
    assert lossy[-1].devices[LOSSY].interfaces  # its rows still read, not just sysUpTime
    retries = lossy[-1].retries_total - clean[-1].retries_total
    missed = sum(not d.up for s in lossy for d in s.devices.values())
    note(
        request.node.name,
        "20 % loss on a device's management path (nftables numgen in its namespace)",
        f"TWIN {LOSSY} among {len(plan.devices)} devices",
        len(lossy),
        f"{dropped} of {seen} SNMP requests dropped; every cycle complete with every device up, 0 errors; "
        f"{retries} retries counted (govnet_poller_retries_total); the drop table removed",
        missed,
    )
