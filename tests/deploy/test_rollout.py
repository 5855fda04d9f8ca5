"""``deploy`` / ``recover`` / ``recover_network`` end to end over FAKE in-process drivers.

The real Nornir inventory, connection plugin, ``push_config`` and ``verify`` run; only the SSH
session is the :class:`tests.rollout_support.FakeFleet`. Exact statuses, batches, halted texts,
echoed lines and what was done to each device (mutation tests of the orchestration).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from emulation import (
    PASSWORD,
    USERNAME,
    Vrp8Device,
    commit_then_die,
    driver_target,
    emulated_network,
    flash_dir,
)
from emulation.protocols import healthy
from rollout_support import FakeFleet, extras_of

from govnet.deploy import connection, rollout
from govnet.deploy.lkg import LkgStore, PendingCommit, pending_commits
from govnet.deploy.lock import LockHeld
from govnet.deploy.nornir_setup import DeployTarget
from govnet.deploy.rollout import DeployOptions, DeviceReport, RunReport, deploy, recover_network
from govnet.deploy.verify import expectations
from govnet.model import Network

CORE1, CORE2 = "kf-core-1", "kf-core-2"
AGG_D, AGG_X = "kf-agg-dongfenglu", "kf-agg-xinhe"
ACC = "kf-acc-dongfenglu-c01"
DEVICES = (CORE1, CORE2, AGG_D, AGG_X, ACC)
OUTSIDE = "kf-agg-hongshan"
"""In the model but not in the run's inventory (not in ``lab_ports``)."""
NTP = "ntp server 10.0.0.1"
NET = "kaifu-extranet"
TARGET = DeployTarget(lab=True, lab_ports={name: 2201 + i for i, name in enumerate(DEVICES)})
RUN_ID = "01234567"
STARTED = "2026-11-30T00:53:20Z"
SECONDS = 3.46
ACTIONS_DIFF = ["open", "replace", "compare", "discard"]
CONVERGE = ["replace", "compare", "discard"]
"""After the commit, the device is diffed again (push means converged)."""
ACTIONS_PUSH = ["replace", "compare", "commit 120", *CONVERGE, "confirm"]
ROLLED_BACK = ["replace", "compare", "commit 120", *CONVERGE, "rollback"]


@pytest.fixture
def fleet(network: Network, monkeypatch: pytest.MonkeyPatch) -> FakeFleet:
    """The five devices on fake drivers; run id and clock pinned."""
    fleet = FakeFleet(network)
    for name in DEVICES:
        fleet.running[name] = f"hostname {name}\n"
    monkeypatch.setattr(connection, "driver_class", fleet.driver_class)
    monkeypatch.setattr(rollout, "uuid", SimpleNamespace(uuid4=lambda: uuid.UUID(RUN_ID + "89abcdef" * 3)))
    clock = itertools.count(100.0, 3.456)
    moment = time.gmtime(1796000000)
    monkeypatch.setattr(
        rollout,
        "time",
        SimpleNamespace(monotonic=lambda: next(clock), gmtime=lambda: moment, strftime=time.strftime),
    )
    return fleet


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture(autouse=True)
def _handlers_restored() -> Iterator[None]:
    before = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    yield
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def intended(*changed: str) -> dict[str, str]:
    """Every device's config: ``changed`` ones gain the NTP line, the others are as running."""
    return {n: f"hostname {n}\n" + (f"{NTP}\n" if n in changed else "") for n in DEVICES}


def run(
    fleet: FakeFleet, state: Path, configs: dict[str, str], **options: Any
) -> tuple[RunReport, list[str]]:
    echoed: list[str] = []
    options.setdefault("commit", True)
    options.setdefault("verify_timeout", 0.0)
    opts = DeployOptions(state_dir=state, **options)
    report = deploy(fleet.network, configs, TARGET, opts, echo=echoed.append)
    return report, echoed


def statuses(report: RunReport) -> dict[str, tuple[str, int | None]]:
    return {n: (d.status, d.batch) for n, d in sorted(report.devices.items())}


def reasons(report: RunReport) -> dict[str, str]:
    return {n: d.reason for n, d in sorted(report.devices.items()) if d.reason}


def down_text(fleet: FakeFleet, device: str, peers: set[str] | None = None) -> str:
    """``verify failed: ...`` for ``device`` when its adjacencies to ``peers`` (all: None) are down."""
    parts = []
    links, ospf, bgp = fleet.adjacencies(device)
    for kind, table in (("ospf", ospf), ("bgp", bgp), ("links", links)):
        missing = sorted(k for k, peer in table.items() if peers is None or peer in peers)
        if missing:
            parts.append(f"{kind} not up: {', '.join(missing)}")
    return "verify failed: " + "; ".join(parts)


def pending(device: str, run_id: str) -> PendingCommit:
    """The record a lab run's FRR driver leaves for ``device`` (its twin address and platform)."""
    return PendingCommit(device, "frr", 1.0, run_id, "lab", f"127.0.0.1:{TARGET.lab_ports.get(device, 22)}")


# -- dry run ---------------------------------------------------------------------------------------


def test_dry_run_diffs_every_device_and_touches_nothing(fleet: FakeFleet, state: Path) -> None:
    state.mkdir()
    lock = state / f"{NET}.lock"
    lock.write_text(f"someone@elsewhere pid {os.getpid()} since t\n")
    LkgStore(state, CORE2).mark_pending(pending(CORE2, "dead"))
    fleet.held[AGG_D] = ("undo vlan 10",)
    configs = {**intended(CORE1, CORE2, AGG_D, AGG_X), OUTSIDE: "hostname x\n"}
    report, echoed = run(fleet, state, configs, commit=False)
    data = json.loads(report.to_json())
    for device in data["devices"].values():
        assert sorted(device.pop("timings")) == ["diff"]
    change = {"batch": None, "commands": [NTP], "reason": "", "status": "dry-run", "unified": f"+{NTP}\n"}
    assert data == {
        "batches": [[AGG_X], [AGG_D], [CORE1], [CORE2]],  # the plan a commit would follow
        "commit": False,
        "halted": "",
        "network": NET,
        "recovered": [],
        "recovery_failed": {},
        "target": "lab",
        "run_id": RUN_ID,
        "seconds": SECONDS,
        "started": STARTED,
        "devices": {
            CORE1: {"device": CORE1, "held": [], **change},
            CORE2: {"device": CORE2, "held": [], **change},
            AGG_D: {"device": AGG_D, "held": ["undo vlan 10"], **change},
            AGG_X: {"device": AGG_X, "held": [], **change},
            ACC: {
                "device": ACC,
                "held": [],
                "batch": None,
                "commands": [],
                "reason": "",
                "status": "unchanged",
                "unified": "",
            },
        },
    }
    assert echoed == []
    for name in DEVICES:
        assert fleet.actions(name) == [*ACTIONS_DIFF, "close"]
    assert lock.read_text() == f"someone@elsewhere pid {os.getpid()} since t\n"
    assert pending_commits(state) == [pending(CORE2, "dead")]
    assert report.drift and not report.failed


def test_dry_run_merges_when_asked(fleet: FakeFleet, state: Path) -> None:
    report, _ = run(fleet, state, intended(CORE1), replace=False, commit=False)
    assert fleet.actions(CORE1) == ["open", "merge", "compare", "discard", "close"]
    assert statuses(report)[CORE1] == ("dry-run", None)
    assert not state.exists()  # no lock, no recovery, no state written


# -- commit: batches, canary, verify, confirm ---------------------------------------------------


def test_commit_pushes_canary_first_then_safe_batches(fleet: FakeFleet, state: Path) -> None:
    """Canary: the least critical device (the access site); the aggregation nodes together; the
    cores last, one at a time."""
    report, echoed = run(fleet, state, intended(*DEVICES), batch_size=2, revert_in=300)
    assert report.batches == [[ACC], [AGG_X, AGG_D], [CORE1], [CORE2]]
    assert statuses(report) == {
        ACC: ("changed", 1),
        AGG_D: ("changed", 2),
        AGG_X: ("changed", 2),
        CORE1: ("changed", 3),
        CORE2: ("changed", 4),
    }
    assert echoed == [f"batch 1/4: {ACC}", f"batch 2/4: {AGG_X}, {AGG_D}", f"batch 3/4: {CORE1}",
                      f"batch 4/4: {CORE2}"]
    commits = fleet.order("commit")
    assert commits[0] == ACC and set(commits[1:3]) == {AGG_X, AGG_D} and commits[3:] == [CORE1, CORE2]
    for name in DEVICES:
        pushed = ["replace", "compare", "commit 300", *CONVERGE, "confirm"]
        assert fleet.actions(name) == [*ACTIONS_DIFF, *pushed, "close"]
        assert fleet.running[name] == f"hostname {name}\n{NTP}\n"
        assert fleet.locked[name] is True
    data = json.loads(report.to_json())
    assert {n: sorted(d.pop("timings")) for n, d in data["devices"].items()} == {
        n: ["commit", "converge", "diff", "total", "verify"] for n in DEVICES
    }
    assert data["devices"][AGG_D] == {
        "batch": 2,
        "commands": [NTP],
        "device": AGG_D,
        "held": [],
        "reason": "",
        "status": "changed",
        "unified": f"+{NTP}\n",
    }
    assert (
        data["commit"],
        data["halted"],
        data["recovered"],
        data["run_id"],
        data["seconds"],
        data["started"],
    ) == (True, "", [], RUN_ID, SECONDS, STARTED)
    assert not (state / f"{NET}.lock").exists()
    assert pending_commits(state) == []
    target = fleet.targets[CORE1]
    assert (target.platform, target.hostname, target.port, target.state_dir) == (
        "frr",
        "127.0.0.1",
        2201,
        state,
    )
    assert extras_of(target) == {"run_id": RUN_ID, "secrets": "SecretValues"}
    assert not report.failed and report.drift


def test_without_canary_the_first_batch_is_full(fleet: FakeFleet, state: Path) -> None:
    report, echoed = run(
        fleet, state, intended(CORE1, CORE2, AGG_D, AGG_X), batch_size=2, canary=False, verify_timeout=100.0
    )
    assert report.batches == [[AGG_X, AGG_D], [CORE1], [CORE2]]
    assert echoed == [f"batch 1/3: {AGG_X}, {AGG_D}", f"batch 2/3: {CORE1}", f"batch 3/3: {CORE2}"]
    assert fleet.actions(CORE2)[4:7] == ["replace", "compare", "commit 130"]  # window outlasts verify


def test_default_batches_hold_four(fleet: FakeFleet, state: Path) -> None:
    report, _ = run(fleet, state, intended(*DEVICES))
    assert report.batches == [[ACC], [AGG_X, AGG_D], [CORE1], [CORE2]]
    assert fleet.actions(ACC) == [*ACTIONS_DIFF, *ACTIONS_PUSH, "close"]


def test_devices_outside_the_run_are_ignored(fleet: FakeFleet, state: Path) -> None:
    report, echoed = run(fleet, state, {CORE1: f"hostname {CORE1}\n{NTP}\n", OUTSIDE: "hostname x\n"})
    assert statuses(report) == {CORE1: ("changed", 1)}
    assert echoed == [f"batch 1/1: {CORE1}"]
    assert [d for d, _ in fleet.events if d != CORE1] == []


def test_nothing_to_change_runs_no_batch(fleet: FakeFleet, state: Path) -> None:
    report, echoed = run(fleet, state, intended())
    assert report.batches == [] and echoed == [] and report.halted == ""
    assert fleet.order("commit") == []
    assert not report.drift


# -- failures, rollback, max_failures --------------------------------------------------------------


def test_verify_failure_rolls_back_that_device_and_halts_the_rollout(fleet: FakeFleet, state: Path) -> None:
    fleet.fault(AGG_X, "verify")
    report, echoed = run(fleet, state, intended(CORE1, CORE2, AGG_D, AGG_X), batch_size=2)
    why = down_text(fleet, AGG_X)
    halted = "1 failure(s) reached --max-failures 1"
    assert report.halted == halted
    assert statuses(report) == {
        ACC: ("unchanged", None),
        AGG_D: ("untouched", None),
        AGG_X: ("rolled-back", 1),
        CORE1: ("untouched", None),
        CORE2: ("untouched", None),
    }
    assert reasons(report) == {AGG_X: why}
    assert echoed == [
        f"batch 1/4: {AGG_X}",
        f"  {AGG_X}: rolled-back: {why}",
        f"halted before batch 2: {halted}",
    ]
    assert fleet.actions(AGG_X) == [*ACTIONS_DIFF, *ROLLED_BACK, "close"]
    assert fleet.running[AGG_X] == f"hostname {AGG_X}\n"
    assert fleet.order("commit") == [AGG_X]
    assert pending_commits(state) == [] and not (state / f"{NET}.lock").exists()
    assert report.failed


def test_failures_add_up_across_batches(fleet: FakeFleet, state: Path) -> None:
    fleet.fault(ACC, "reject")
    fleet.fault(AGG_D, "verify")
    report, echoed = run(fleet, state, intended(*DEVICES), batch_size=2, max_failures=2)
    rejected = f"{ACC}: rejected '{NTP}': Error: Unrecognized command"
    halted = "2 failure(s) reached --max-failures 2"
    assert statuses(report) == {
        ACC: ("rolled-back", 1),
        AGG_D: ("rolled-back", 2),
        AGG_X: ("changed", 2),
        CORE1: ("untouched", None),
        CORE2: ("untouched", None),
    }
    assert reasons(report) == {ACC: rejected, AGG_D: down_text(fleet, AGG_D)}
    assert echoed == [
        f"batch 1/4: {ACC}",
        f"  {ACC}: rolled-back: {rejected}",
        f"batch 2/4: {AGG_X}, {AGG_D}",
        f"  {AGG_D}: rolled-back: {down_text(fleet, AGG_D)}",
        f"halted before batch 3: {halted}",
    ]
    assert report.halted == halted


def test_a_refused_line_is_a_failed_push_rolled_back_with_the_device_words(
    fleet: FakeFleet, state: Path
) -> None:
    """FRR answered ``% Unknown command`` for one line: the device is diffed again after the
    commit, the line is still missing, so the push is rolled back, never reported changed."""
    fleet.fault(ACC, "refuse")
    report, echoed = run(fleet, state, intended(ACC))
    why = (f"not converged: 1 line(s) still differ after the push: {NTP}; "
           f"the device said {NTP!r}: % Unknown command.")
    others = {n: ("unchanged", None) for n in DEVICES if n != ACC}
    assert statuses(report) == {**others, ACC: ("rolled-back", 1)}
    assert reasons(report) == {ACC: why}
    assert echoed == [f"batch 1/1: {ACC}", f"  {ACC}: rolled-back: {why}"]
    assert fleet.actions(ACC) == [*ACTIONS_DIFF, *ROLLED_BACK, "close"]
    assert fleet.running[ACC] == f"hostname {ACC}\n" and report.failed
    assert pending_commits(state) == []


def test_a_failed_rollback_is_a_failure_too(fleet: FakeFleet, state: Path) -> None:
    fleet.fault(CORE1, "confirm", "rollback")
    report, echoed = run(fleet, state, intended(CORE1, CORE2))
    why = (
        f"confirm failed: {CORE1}: confirm timed out; ROLLBACK FAILED: {CORE1}: no last-known-good config"
        " (pending commit kept for --recover)"
    )
    assert statuses(report)[CORE1] == ("failed", 1) and statuses(report)[CORE2] == ("untouched", None)
    assert echoed[1:] == [
        f"  {CORE1}: failed: {why}",
        "halted before batch 2: 1 failure(s) reached --max-failures 1",
    ]
    assert [p.device for p in pending_commits(state)] == [CORE1]


def test_max_failures_zero_never_halts(fleet: FakeFleet, state: Path) -> None:
    fleet.fault(CORE1, "reject")
    fleet.fault(AGG_X, "open")
    report, echoed = run(fleet, state, intended(CORE1, CORE2, AGG_D, AGG_X), max_failures=0)
    assert report.halted == ""
    assert statuses(report) == {
        ACC: ("unchanged", None),
        AGG_D: ("changed", 1),
        AGG_X: ("failed", None),
        CORE1: ("rolled-back", 2),
        CORE2: ("changed", 3),
    }
    assert echoed[-1] == f"batch 3/3: {CORE2}"


def test_failures_while_diffing_count_before_the_first_batch(fleet: FakeFleet, state: Path) -> None:
    fleet.fault(AGG_X, "open")
    report, echoed = run(fleet, state, intended(CORE1, CORE2, AGG_D, AGG_X))
    halted = "1 failure(s) reached --max-failures 1"
    assert report.halted == halted and report.batches == [[AGG_D], [CORE1], [CORE2]]
    assert statuses(report) == {
        ACC: ("unchanged", None),
        AGG_D: ("untouched", None),
        AGG_X: ("failed", None),
        CORE1: ("untouched", None),
        CORE2: ("untouched", None),
    }
    assert reasons(report) == {AGG_X: f"{AGG_X}: cannot open SSH to 127.0.0.1: refused"}
    assert echoed == [f"halted before batch 1: {halted}"]
    assert fleet.order("commit") == []


def test_a_driver_crash_is_one_line_and_counts(fleet: FakeFleet, state: Path) -> None:
    fleet.fault(AGG_X, "crash")
    fleet.fault(ACC, "open")
    fleet.fault(AGG_D, "verify")
    report, echoed = run(fleet, state, intended(CORE1, CORE2, AGG_D, AGG_X), max_failures=3)
    assert reasons(report) == {
        AGG_X: "RuntimeError: driver bug",
        ACC: f"{ACC}: cannot open SSH to 127.0.0.1: refused",
        AGG_D: down_text(fleet, AGG_D),
    }
    assert statuses(report)[AGG_X] == ("failed", None)
    assert report.halted == "3 failure(s) reached --max-failures 3"
    assert echoed[-1] == "halted before batch 2: 3 failure(s) reached --max-failures 3"


# -- what verify expects: settled neighbours ---------------------------------------------------------


def test_an_unchanged_neighbour_must_be_up_after_the_change(fleet: FakeFleet, state: Path) -> None:
    fleet.down[AGG_D] = {ACC}
    report, _ = run(fleet, state, intended(AGG_D))
    assert statuses(report)[AGG_D] == ("rolled-back", 1)
    assert reasons(report) == {AGG_D: down_text(fleet, AGG_D, {ACC})}


def test_a_neighbour_changed_in_an_earlier_batch_must_be_up(fleet: FakeFleet, state: Path) -> None:
    fleet.down[CORE1] = {AGG_D}
    report, _ = run(fleet, state, intended(CORE1, AGG_D), max_failures=0)
    assert statuses(report)[CORE1] == ("rolled-back", 2)
    assert reasons(report) == {CORE1: down_text(fleet, CORE1, {AGG_D})}


def test_neighbours_not_yet_settled_are_not_expected(fleet: FakeFleet, state: Path) -> None:
    fleet.fault(AGG_X, "reject")
    fleet.fault(ACC, "open")
    fleet.down[AGG_D] = {CORE1, CORE2, ACC}  # later batches, unreachable
    fleet.down[CORE1] = {AGG_X}  # rolled back in an earlier batch
    report, _ = run(fleet, state, intended(CORE1, CORE2, AGG_D, AGG_X), max_failures=0, batch_size=1)
    assert statuses(report) == {
        ACC: ("failed", None),
        AGG_D: ("changed", 2),
        AGG_X: ("rolled-back", 1),
        CORE1: ("changed", 3),
        CORE2: ("changed", 4),
    }


# -- waves: batches overlap where the model allows --------------------------------------------------

X1, X2 = "kf-acc-xinhe-c01", "kf-acc-xinhe-c02"
WIDE = (*DEVICES, X1, X2)
WIDE_TARGET = DeployTarget(lab=True, lab_ports={name: 2201 + i for i, name in enumerate(WIDE)})
WAVES = [[ACC], [X1, X2, AGG_X], [AGG_D], [CORE1], [CORE2]]
"""Batches of 3: the canary; the xinhe sites with their node; kf-agg-dongfenglu (its site, the
canary, is done); the cores one at a time."""


def run_wide(fleet: FakeFleet, state: Path, **options: Any) -> tuple[RunReport, list[str]]:
    """Every device of :data:`WIDE` gains the NTP line, in batches of 3. A device's failure line
    echoed by the rollout is logged as its ``reported`` event (something to wait for)."""
    echoed: list[str] = []

    def echo(line: str) -> None:
        echoed.append(line)
        for name in WIDE:
            if line.startswith(f"  {name}: "):
                fleet.log(name, "reported")
    for name in WIDE:
        fleet.running[name] = f"hostname {name}\n"
    configs = {n: f"hostname {n}\n{NTP}\n" for n in WIDE}
    opts = DeployOptions(state_dir=state, commit=True, verify_timeout=0.0, batch_size=3, **options)
    return deploy(fleet.network, configs, WIDE_TARGET, opts, echo=echo), echoed


def test_a_device_starts_when_its_earlier_neighbours_are_done_not_when_its_batch_before_is(
    fleet: FakeFleet, state: Path
) -> None:
    """kf-acc-xinhe-c01 holds until kf-agg-dongfenglu (batch 3) has committed: it only can if
    batch 3 starts while batch 2 is still in flight."""
    fleet.waits[X1] = (AGG_D, "commit 120")
    report, echoed = run_wide(fleet, state)
    assert report.batches == WAVES and fleet.waited == {X1: True}
    assert statuses(report) == {ACC: ("changed", 1), X1: ("changed", 2), X2: ("changed", 2),
                                AGG_X: ("changed", 2), AGG_D: ("changed", 3), CORE1: ("changed", 4),
                                CORE2: ("changed", 5)}
    assert echoed == [f"batch 1/5: {ACC}", f"batch 2/5: {X1}, {X2}, {AGG_X}", f"batch 3/5: {AGG_D}",
                      f"batch 4/5: {CORE1}", f"batch 5/5: {CORE2}"]
    assert X1 in fleet.together[AGG_D]  # two batches in flight together
    assert fleet.together[AGG_D] <= {X1, X2, AGG_X}  # never the canary, never a core


def test_waves_keep_the_canary_first_and_critical_devices_alone(fleet: FakeFleet, state: Path) -> None:
    report, _ = run_wide(fleet, state)
    events = [(d, a.split()[0]) for d, a in fleet.events]
    canary_done = events.index((ACC, "confirm"))
    assert [d for d, a in events[:canary_done] if a == "commit"] == [ACC]  # nothing before its confirm
    assert fleet.together[ACC] == frozenset()
    for core in (CORE1, CORE2):
        assert fleet.together[core] == frozenset()  # nothing in flight when a core commits
        done = events.index((core, "confirm"))
        started = events.index((core, "commit"))
        assert [d for d, a in events[started:done] if a == "commit"] == [core]  # nothing starts meanwhile
    assert events.index((CORE1, "confirm")) < events.index((CORE2, "commit"))  # the pair one at a time
    assert max(events.index((n, "confirm")) for n in WIDE if n not in (CORE1, CORE2)) < events.index(
        (CORE1, "commit"))
    assert report.by_status("changed") == sorted(WIDE)


def test_a_failure_halts_what_has_not_started_and_the_devices_in_flight_finish(
    fleet: FakeFleet, state: Path
) -> None:
    """kf-acc-xinhe-c02 fails verify while kf-acc-xinhe-c01 and kf-agg-xinhe are in flight (held
    until the rollout has reported the failure): both finish (confirmed), nothing else starts."""
    fleet.fault(X2, "verify")
    fleet.waits[X1] = (X2, "reported")
    fleet.waits[AGG_X] = (X2, "reported")
    report, echoed = run_wide(fleet, state)
    halted = "1 failure(s) reached --max-failures 1"
    assert fleet.waited == {X1: True, AGG_X: True} and report.halted == halted
    assert statuses(report) == {ACC: ("changed", 1), X1: ("changed", 2), X2: ("rolled-back", 2),
                                AGG_X: ("changed", 2), AGG_D: ("untouched", None),
                                CORE1: ("untouched", None), CORE2: ("untouched", None)}
    assert echoed == [f"batch 1/5: {ACC}", f"batch 2/5: {X1}, {X2}, {AGG_X}",
                      f"  {X2}: rolled-back: {down_text(fleet, X2)}",
                      f"halted before batch 3: {halted}"]
    commits = fleet.order("commit")
    assert commits[0] == ACC and sorted(commits[1:]) == sorted([X1, X2, AGG_X]) and fleet.flying == set()
    assert pending_commits(state) == [] and not (state / f"{NET}.lock").exists()


# -- signals ---------------------------------------------------------------------------------------


def test_sigint_finishes_the_batch_in_flight_then_stops(fleet: FakeFleet, state: Path) -> None:
    fleet.fault(AGG_X, "sigint")
    fleet.fault(AGG_D, "verify")
    report, echoed = run(fleet, state, intended(*DEVICES), batch_size=2, max_failures=5)
    assert report.halted == "stopped by SIGINT"
    assert statuses(report) == {
        ACC: ("changed", 1),
        AGG_D: ("rolled-back", 2),
        AGG_X: ("changed", 2),
        CORE1: ("untouched", None),
        CORE2: ("untouched", None),
    }
    assert echoed[-1] == "halted before batch 3: stopped by SIGINT"
    assert fleet.actions(AGG_X)[-2:] == ["confirm", "close"]
    assert pending_commits(state) == [] and not (state / f"{NET}.lock").exists()


def test_sigterm_in_the_last_batch_is_reported(fleet: FakeFleet, state: Path) -> None:
    fleet.fault(CORE1, "sigterm")
    report, echoed = run(fleet, state, intended(CORE1, AGG_X))
    assert report.halted == "stopped by SIGTERM after the last batch"
    assert statuses(report)[CORE1] == ("changed", 2)
    assert echoed == [
        f"batch 1/2: {AGG_X}",
        f"batch 2/2: {CORE1}",
        f"SIGTERM: finishing {CORE1} (each device confirmed or rolled back), then stopping; "
        "the report says what each device was left at",
    ]
    assert report.failed


def test_sigint_wins_over_max_failures(fleet: FakeFleet, state: Path) -> None:
    fleet.fault(CORE1, "sigint", "verify")
    report, echoed = run(fleet, state, intended(CORE1, CORE2))
    assert report.halted == "stopped by SIGINT"
    assert echoed[-1] == "halted before batch 2: stopped by SIGINT"


# -- the lock ----------------------------------------------------------------------------------------


def test_a_second_deploy_is_refused_and_touches_nothing(fleet: FakeFleet, state: Path) -> None:
    state.mkdir()
    holder = f"someone@{os.uname().nodename} pid {os.getpid()} since t"
    (state / f"{NET}.lock").write_text(holder + "\n")
    with pytest.raises(LockHeld) as err:
        run(fleet, state, intended(CORE1))
    assert (
        str(err.value)
        == f"a deploy to {NET} is already running ({holder}); lock file {state / f'{NET}.lock'}"
    )
    assert fleet.events == []


# -- pending commits of a killed run -----------------------------------------------------------------


def _killed_run(fleet: FakeFleet, state: Path) -> None:
    """Pending records as a killed run leaves them; CORE2 half-changed, AGG_X cannot be restored."""
    for device, run_id in ((ACC, ""), (OUTSIDE, "dead0001"), (AGG_X, "dead0001"), (CORE2, "dead0001")):
        LkgStore(state, device).mark_pending(pending(device, run_id))
    fleet.lkg[CORE2] = f"hostname {CORE2}\n"
    fleet.running[CORE2] = f"hostname {CORE2}\nhalf applied\n"
    fleet.fault(AGG_X, "rollback")


RECOVER_ECHO = [
    f"{ACC}: unconfirmed commit from run ? (lab, 127.0.0.1:2205): restoring",
    f"{AGG_X}: unconfirmed commit from run dead0001 (lab, 127.0.0.1:2204): restoring",
    f"{AGG_X}: restore failed: {AGG_X}: no last-known-good config",
    f"{CORE2}: unconfirmed commit from run dead0001 (lab, 127.0.0.1:2202): restoring",
]


def test_a_failed_recovery_halts_the_deploy_before_any_push(fleet: FakeFleet, state: Path) -> None:
    _killed_run(fleet, state)
    report, echoed = run(fleet, state, intended(CORE2), max_failures=0)
    assert report.recovered == [ACC, CORE2]
    assert report.recovery_failed == {AGG_X: f"restore failed: {AGG_X}: no last-known-good config"}
    assert report.halted == f"1 pending commit(s) not recovered ({AGG_X}): nothing pushed"
    assert report.failed and report.devices == {} and report.batches == []
    assert echoed == RECOVER_ECHO
    assert fleet.actions(CORE2) == ["open", "rollback", "close"]  # restored, then nothing else
    assert fleet.actions(AGG_X) == ["open", "rollback", "close"]
    assert [p.device for p in pending_commits(state)] == [OUTSIDE, AGG_X]


def test_pending_commits_of_a_killed_run_are_restored_first(fleet: FakeFleet, state: Path) -> None:
    for device in (ACC, CORE2):
        LkgStore(state, device).mark_pending(pending(device, "dead0001"))
    fleet.lkg[CORE2] = f"hostname {CORE2}\n"
    fleet.running[CORE2] = f"hostname {CORE2}\nhalf applied\n"
    report, echoed = run(fleet, state, intended(CORE2), max_failures=0)
    assert report.recovered == [ACC, CORE2] and report.recovery_failed == {}
    first = RECOVER_ECHO[0].replace("run ?", "run dead0001")
    assert echoed == [first, RECOVER_ECHO[3], f"batch 1/1: {CORE2}"]
    assert fleet.actions(CORE2) == ["open", "rollback", "close", *ACTIONS_DIFF, *ACTIONS_PUSH, "close"]
    assert report.devices[CORE2].commands == [NTP]  # diffed against the restored config
    assert pending_commits(state) == []


def test_recover_network_restores_under_the_lock(fleet: FakeFleet, state: Path) -> None:
    _killed_run(fleet, state)
    echoed: list[str] = []
    recovery = recover_network(fleet.network, TARGET, DeployOptions(state_dir=state), echo=echoed.append)
    assert recovery.restored == [ACC, CORE2]
    assert recovery.failed == {AGG_X: f"restore failed: {AGG_X}: no last-known-good config"}
    assert echoed == RECOVER_ECHO
    assert fleet.locked_restores == [True, True, True]
    assert fleet.running[CORE2] == f"hostname {CORE2}\n"
    assert extras_of(fleet.targets[CORE2]) == {"run_id": "recover", "secrets": "SecretValues"}
    assert fleet.actions(CORE1) == []
    assert not (state / f"{NET}.lock").exists()


@pytest.mark.parametrize(
    ("record", "why"),
    [
        (PendingCommit(CORE2, "frr", 1.0, "r", "production", "127.0.0.1:2202"),
         "recorded for the production target, not lab"),
        (PendingCommit(CORE2, "frr", 1.0, "r", "lab", "10.240.0.2:22"),
         "at 10.240.0.2:22, not 127.0.0.1:2202"),
        (PendingCommit(CORE2, "huawei_vrpv8", 1.0, "r", "lab", "127.0.0.1:2202"),
         "platform huawei_vrpv8, not frr"),
        (PendingCommit(CORE2, "frr", 1.0, "r"),
         "the record names no target or address (written by an older govnet)"),
    ],
)
def test_recovery_refuses_a_record_that_is_not_this_device(
    fleet: FakeFleet, state: Path, record: PendingCommit, why: str
) -> None:
    LkgStore(state, CORE2).mark_pending(record)
    fleet.running[CORE2] = f"hostname {CORE2}\nsomething\n"
    echoed: list[str] = []
    recovery = recover_network(fleet.network, TARGET, DeployOptions(state_dir=state), echo=echoed.append)
    path = state / f"{CORE2}.pending.json"
    expected = (f"refusing the pending-commit record {path}: {why}; "
                "check the device by hand, then remove the record")
    assert recovery.restored == [] and recovery.failed == {CORE2: expected}
    assert echoed == [f"{CORE2}: {expected}"]
    assert fleet.events == [] and fleet.running[CORE2] == f"hostname {CORE2}\nsomething\n"
    assert pending_commits(state) == [record]


def test_recover_network_is_refused_while_a_deploy_runs(fleet: FakeFleet, state: Path) -> None:
    _killed_run(fleet, state)
    (state / f"{NET}.lock").write_text(f"x@{os.uname().nodename} pid {os.getpid()} since t\n")
    with pytest.raises(LockHeld):
        recover_network(fleet.network, TARGET, DeployOptions(state_dir=state), echo=print)
    assert fleet.events == []


# -- defaults --------------------------------------------------------------------------------------------


def test_option_and_report_defaults() -> None:
    opts = DeployOptions(state_dir=Path("/s"))
    assert (
        opts.commit,
        opts.batch_size,
        opts.max_failures,
        opts.replace,
        opts.verify_timeout,
        opts.revert_in,
        opts.workers,
        opts.canary,
    ) == (False, 4, 1, True, 60.0, None, 16, True)
    assert DeviceReport("a", "changed") == DeviceReport("a", "changed", None, "", [], "", {}, [])


def test_every_session_is_closed_failed_ones_too(fleet: FakeFleet, state: Path) -> None:
    fleet.fault(CORE2, "crash")
    report, _ = run(fleet, state, intended(CORE1, CORE2), commit=False)
    assert statuses(report)[CORE2] == ("failed", None)
    assert fleet.actions(CORE2) == ["open", "replace", "compare", "close"]
    assert fleet.actions(CORE1) == [*ACTIONS_DIFF, "close"]


@pytest.mark.parametrize(("workers", "concurrent"), [(1, False), (2, True)])
def test_workers_bound_the_sessions_in_flight(
    fleet: FakeFleet, state: Path, workers: int, concurrent: bool
) -> None:
    fleet.gate = threading.Barrier(2, timeout=1.0)
    report, _ = run(fleet, state, intended(CORE1, CORE2), commit=False, workers=workers)
    assert statuses(report) == {
        **{n: ("unchanged", None) for n in (ACC, AGG_D, AGG_X)},
        CORE1: ("dry-run", None),
        CORE2: ("dry-run", None),
    }
    assert fleet.met is concurrent


def _relabelled(network: Network) -> Network:
    """``network`` with CORE2 on another lab platform (so not the inventory on disk)."""
    devices = dict(network.devices)
    devices[CORE2] = dataclasses.replace(devices[CORE2], lab_platform="nftables")
    return dataclasses.replace(network, devices=devices)


def test_deploy_reaches_devices_as_the_given_model_says(fleet: FakeFleet, state: Path) -> None:
    opts = DeployOptions(state_dir=state, verify_timeout=0.0)
    report = deploy(_relabelled(fleet.network), intended(CORE2), TARGET, opts, echo=lambda _: None)
    assert statuses(report)[CORE2] == ("dry-run", None)
    assert (fleet.targets[CORE2].platform, fleet.targets[CORE1].platform) == ("nftables", "frr")


def test_recover_network_reaches_devices_as_the_given_model_says(fleet: FakeFleet, state: Path) -> None:
    _killed_run(fleet, state)
    relabelled = dataclasses.replace(pending(CORE2, "dead0001"), platform="nftables")
    LkgStore(state, CORE2).mark_pending(relabelled)
    recovery = recover_network(
        _relabelled(fleet.network), TARGET, DeployOptions(state_dir=state), echo=lambda _: None
    )
    assert recovery.restored == [ACC, CORE2]
    assert (fleet.targets[CORE2].platform, fleet.targets[ACC].platform) == ("nftables", "frr")


# -- over real drivers and EMULATED Huawei CE switches (tests/emulation; not real gear) ------------

CE_BASE = """\
!Software Version V200R020C10SPC600
#
sysname {name}
#
vlan batch 10 20
#
interface MEth0/0/0
 ip address 10.240.0.9 255.252.0.0
#
stelnet server enable
ssh user netadmin
ssh user netadmin service-type stelnet
#
return
"""


@pytest.fixture
def ce_pair(
    network: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Network, DeployTarget, dict[str, Vrp8Device]]]:
    """The core pair as EMULATED CE switches over SSH, reached through the real govnet driver."""
    monkeypatch.delenv("GOVNET_SECRETS", raising=False)
    monkeypatch.setenv("GOVNET_SSH_USER", USERNAME)
    monkeypatch.setenv("GOVNET_SSH_PASSWORD", PASSWORD)
    monkeypatch.setattr(rollout, "uuid", SimpleNamespace(uuid4=lambda: uuid.UUID(RUN_ID + "89abcdef" * 3)))
    devices = dict(network.devices)
    for name in (CORE1, CORE2):
        devices[name] = dataclasses.replace(devices[name], lab_platform="huawei_vrpv8")
    model = dataclasses.replace(network, devices=devices)
    with emulated_network() as net:
        ces = {
            name: Vrp8Device(name, CE_BASE.format(name=name), flash_dir(tmp_path, name), time_scale=0.02)
            for name in (CORE1, CORE2)
        }
        for ce in ces.values():
            net.add(ce)
        yield model, DeployTarget(lab=True, lab_ports={n: d.port for n, d in ces.items()}), ces


def test_emulated_core_pair_gets_the_change_one_switch_at_a_time(
    ce_pair: tuple[Network, DeployTarget, dict[str, Vrp8Device]], state: Path
) -> None:
    model, target, ces = ce_pair
    for ce in ces.values():  # each shows its model peers and links up: verified, then confirmed
        ce.protocols = healthy(expectations(model, ce.name, lab=True))
    echoed: list[str] = []
    opts = DeployOptions(commit=True, replace=False, state_dir=state, verify_timeout=0.0)
    report = deploy(
        model, {CORE1: "vlan batch 30\n", CORE2: "vlan batch 30\n"}, target, opts, echo=echoed.append
    )
    assert report.batches == [[CORE1], [CORE2]]
    assert echoed == [f"batch 1/2: {CORE1}", f"batch 2/2: {CORE2}"]
    assert statuses(report) == {CORE1: ("changed", 1), CORE2: ("changed", 2)}
    assert reasons(report) == {}  # verified from their display output: no "not verified" note
    assert all(report.devices[n].timings.get("verify") is not None for n in (CORE1, CORE2))
    for ce in ces.values():
        assert "vlan batch 10 20 30" in ce.running_lines()
        assert f"commit trial 300 label govnet-{RUN_ID}" in ce.log
        assert ce.trial is None
    assert pending_commits(state) == [] and not (state / f"{NET}.lock").exists()


def test_emulated_switch_left_mid_trial_by_a_killed_run_is_restored(
    ce_pair: tuple[Network, DeployTarget, dict[str, Vrp8Device]], state: Path
) -> None:
    model, target, ces = ce_pair
    before = ces[CORE1].running_lines()
    killed = dataclasses.replace(driver_target(ces[CORE1], CORE1, "huawei_vrpv8"), state_dir=state,
                                 target_kind="lab")
    commit_then_die(killed, "vlan batch 99\n")
    assert ces[CORE1].trial is not None
    echoed: list[str] = []
    recovery = recover_network(model, target, DeployOptions(state_dir=state), echo=echoed.append)
    assert (recovery.restored, recovery.failed) == ([CORE1], {})
    address = f"127.0.0.1:{ces[CORE1].port}"
    assert echoed == [f"{CORE1}: unconfirmed commit from run killed (lab, {address}): restoring"]
    assert ces[CORE1].trial is None and ces[CORE1].running_lines() == before
    assert pending_commits(state) == []


# -- a push that would cut the management path --------------------------------------------------


def test_a_config_cutting_the_management_path_is_refused_and_never_sent(
    fleet: FakeFleet, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict[str, str]] = []

    def refusals(network: Network, configs: dict[str, str], *, lab: bool) -> dict[str, str]:
        seen.append(dict(configs))
        return {AGG_X: "intended config cuts the management path: no service-manage snmp permit"}

    monkeypatch.setattr(rollout, "management_refusals", refusals)
    report, _ = run(fleet, state, intended(AGG_D, AGG_X), max_failures=2)
    assert seen and set(seen[0]) == set(DEVICES)  # every intended config was judged
    assert report.devices[AGG_X].status == "failed"
    assert report.devices[AGG_X].reason.startswith("refused: intended config cuts the management path")
    assert fleet.actions(AGG_X) == []  # never opened, never diffed, never pushed
    assert report.devices[AGG_D].status == "changed"


def test_a_refused_config_counts_as_a_failure_for_max_failures(
    fleet: FakeFleet, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rollout, "management_refusals", lambda _n, _c, *, lab: {ACC: "refused here"})
    report, _ = run(fleet, state, intended(AGG_D, ACC))  # max_failures 1: the refusal halts the rollout
    assert report.devices[ACC].status == "failed" and fleet.actions(ACC) == []
    assert report.devices[AGG_D].status == "untouched" and report.halted


def test_a_merge_snippet_is_not_judged_as_a_whole_config(
    fleet: FakeFleet, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rollout, "management_refusals",
                        lambda _n, configs, *, lab: dict.fromkeys(configs, "refused"))
    report, _ = run(fleet, state, intended(AGG_D), replace=False)
    assert report.devices[AGG_D].status == "changed"  # remediation's holds guard a merge instead
