"""The dry run as people read it: the plan in a few lines, one row per device, compact diffs."""

from __future__ import annotations

import json

from govnet.deploy.plan_view import (
    OVERLAP,
    RESUME,
    compact_commands,
    counts,
    device_rows,
    diff_text,
    half_changed,
    kept_apart,
    plan_json,
    plan_lines,
    report_json,
    resume_lines,
    summary_line,
)
from govnet.deploy.rollout import DeviceReport, RunReport
from govnet.deploy.twin_gaps import TwinGaps
from govnet.model import Network

CORE1, CORE2 = "kf-core-1", "kf-core-2"
AGG_D, AGG_X = "kf-agg-dongfenglu", "kf-agg-xinhe"
ACC = "kf-acc-dongfenglu-c01"


def _report() -> RunReport:
    report = RunReport("r1", "kaifu-extranet", False, "t", seconds=2.5,
                       batches=[[ACC], [AGG_X, AGG_D], [CORE1], [CORE2]])
    frr = ["interface ge0-0-1", " no description old", "interface ge0-0-1", " description new",
           "interface ge0-0-2", " ip ospf cost 10", "router ospf", " passive-interface lo"]
    report.devices = {
        ACC: DeviceReport(ACC, "dry-run", commands=frr, unified="--- a\n+++ b\n@@\n- description old\n"
                          "+ description new\n+ ip ospf cost 10\n+ passive-interface lo\n"),
        AGG_X: DeviceReport(AGG_X, "dry-run", commands=["ntp server 1"], unified="+ntp server 1\n",
                            held=["undo vlan 10"]),
        AGG_D: DeviceReport(AGG_D, "unchanged"),
        CORE1: DeviceReport(CORE1, "failed", reason="kf-core-1: SSH to u@127.0.0.1:1 failed: refused"),
        CORE2: DeviceReport(CORE2, "dry-run", commands=["x"], unified="-y\n+x\n"),
    }
    return report


def test_repeated_context_lines_show_once_while_the_block_stays_open() -> None:
    frr = _report().devices[ACC].commands
    assert compact_commands(frr) == [
        "interface ge0-0-1", " no description old", " description new",
        "interface ge0-0-2", " ip ospf cost 10", "router ospf", " passive-interface lo",
    ]
    # a context closed by a global line opens again when it comes back
    assert compact_commands(["interface a", " x", "ip route 1", "interface a", " y"]) == [
        "interface a", " x", "ip route 1", "interface a", " y"]
    nested = ["bgp 1", " ipv4-family vpn-instance A", "  import-route direct", "bgp 1",
              " ipv4-family vpn-instance A", "  import-route static", "bgp 1",
              " ipv4-family vpn-instance B", "  import-route direct"]
    assert compact_commands(nested) == [
        "bgp 1", " ipv4-family vpn-instance A", "  import-route direct", "  import-route static",
        " ipv4-family vpn-instance B", "  import-route direct"]


def test_counts_come_from_the_unified_diff_not_its_headers() -> None:
    report = _report()
    found = [counts(report.devices[n]) for n in (ACC, AGG_X, AGG_D, CORE2)]
    assert found == [(3, 1), (1, 0), (0, 0), (1, 1)]


def test_the_plan_names_batches_canary_and_the_pairs_kept_apart(network: Network) -> None:
    report = _report()
    assert kept_apart(network, report.batches) == [(CORE1, CORE2)]
    assert plan_lines(report, network) == [
        f"plan: 5 device(s) in 4 batch(es), canary {ACC}",
        f"  batch 1 (canary): {ACC}",
        f"  batch 2: {AGG_X}, {AGG_D}",
        f"  batch 3: {CORE1}",
        f"  batch 4: {CORE2}",
        f"  kept apart: {CORE1} / {CORE2}",
        f"  {OVERLAP}",
    ]
    assert plan_json(report, network) == {
        "batches": [
            {"batch": 1, "canary": True, "devices": [ACC]},
            {"batch": 2, "canary": False, "devices": [AGG_X, AGG_D]},
            {"batch": 3, "canary": False, "devices": [CORE1]},
            {"batch": 4, "canary": False, "devices": [CORE2]},
        ],
        "canary": ACC,
        "kept_apart": [[CORE1, CORE2]],
        "overlap": OVERLAP,
    }
    without = RunReport("r", "n", False, "t", batches=[[AGG_X, AGG_D], [CORE1]])
    assert plan_json(without, network)["canary"] is None
    first = ["plan: 3 device(s) in 2 batch(es)", f"  batch 1: {AGG_X}, {AGG_D}"]
    assert plan_lines(without, network)[:2] == first
    assert plan_lines(RunReport("r", "n", False, "t"), network) == ["plan: nothing to push"]
    single = RunReport("r", "n", False, "t", batches=[[ACC]])
    assert plan_lines(single, network) == [f"plan: 1 device(s) in 1 batch(es), canary {ACC}",
                                           f"  batch 1 (canary): {ACC}"]
    assert plan_json(single, network)["overlap"] == ""
    cores = RunReport("r", "n", False, "t", batches=[[CORE1], [CORE2]])  # a core is never the canary
    assert plan_lines(cores, network)[:3] == ["plan: 2 device(s) in 2 batch(es)", f"  batch 1: {CORE1}",
                                              f"  batch 2: {CORE2}"]


def test_rows_say_drift_not_dry_run_and_the_summary_counts_each_status() -> None:
    rows = {r["device"]: r for r in device_rows(_report())}
    assert rows[ACC] == {"device": ACC, "status": "drift", "batch": "", "added": 3, "removed": 1,
                         "held": 0, "seconds": 0, "reason": ""}
    assert (rows[AGG_X]["held"], rows[CORE1]["status"], rows[AGG_D]["status"]) == (1, "failed", "unchanged")
    assert summary_line(_report()) == "1 unchanged, 3 drift, 1 failed in 2.5s"


def test_diff_text_lists_changed_devices_with_held_lines() -> None:
    text = diff_text(_report())
    assert text.startswith(f"=== {ACC}: 8 command(s)\ninterface ge0-0-1\n no description old\n")
    held = "--- held back (never undone by govnet): 1\nundo vlan 10\n"
    assert f"=== {AGG_X}: 1 command(s)\nntp server 1\n{held}" in text
    assert AGG_D not in text and CORE1 not in text


def test_report_json_carries_the_plan_and_what_the_twin_does_not_model(network: Network) -> None:
    report = _report()
    data = json.loads(report_json(report, network))
    assert data["plan"] == plan_json(report, network) and data["devices"][CORE1]["status"] == "failed"
    assert "not_modelled_in_twin" not in data
    gaps = TwinGaps({"NTP": [AGG_X, CORE2]}, ["GOVNET_HWTACACS_KEY"])
    text = report_json(report, network, gaps)
    assert json.loads(text)["not_modelled_in_twin"] == {
        "features": {"NTP": [AGG_X, CORE2]}, "secrets": ["GOVNET_HWTACACS_KEY"]
    }
    assert text.startswith('{\n "batches": [') and list(json.loads(text)) == sorted(json.loads(text))


def test_a_halt_names_each_half_changed_pair_and_how_to_resume(network: Network) -> None:
    report = _report()
    assert half_changed(report, network) == {} and resume_lines(report, network) == []
    report.halted = f"{CORE1} failed"
    report.devices[CORE2].status = "changed"
    assert half_changed(report, network) == {"kf-core-pair": {CORE1: "failed", CORE2: "changed"}}
    assert resume_lines(report, network) == [f"kf-core-pair: HALF CHANGED ({CORE1} failed, {CORE2} changed)",
                                             RESUME]
    report.devices[CORE1].status = "changed"  # both changed: the pair is whole again
    assert resume_lines(report, network) == [RESUME]
    report.devices[CORE1].status = report.devices[CORE2].status = "untouched"  # neither: whole, not changed
    assert half_changed(report, network) == {}


def test_a_pushed_device_shows_its_wall_time_not_its_phases_added_to_it() -> None:
    report = RunReport("r", "n", True, "t", seconds=9.0)
    report.devices["a"] = DeviceReport("a", "changed", 1, timings={
        "diff": 1.0, "commit": 2.0, "converge": 0.5, "verify": 3.0, "confirm": 0.25, "total": 6.75})
    report.devices["b"] = DeviceReport("b", "dry-run", None, timings={"diff": 1.5})
    rows = {row["device"]: row["seconds"] for row in device_rows(report)}
    assert rows == {"a": 6.75, "b": 1.5}  # summing a's phases with its total gave 13.5
