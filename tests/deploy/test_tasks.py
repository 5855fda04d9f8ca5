"""LKG state files and run reports: exact paths, modes, texts and messages (mutation tests)."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path

import pytest

from govnet.deploy.driver import ConfigDiff, DeployError
from govnet.deploy.lkg import STATE_ENV, LkgStore, PendingCommit, default_state_dir, pending_commits
from govnet.deploy.rollout import DeviceReport, RunReport, StopFlag, _outcome, _record, _stoppable
from govnet.deploy.tasks import PushOutcome

# -- where the state lives -----------------------------------------------------------------


def test_state_dir_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(STATE_ENV, str(tmp_path / "st"))
    assert default_state_dir() == tmp_path / "st"


def test_state_dir_for_root_is_var_lib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STATE_ENV, "")  # set but empty: ignored
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert default_state_dir() == Path("/var/lib/govnet/deploy")


def test_state_dir_for_a_user_is_xdg_state_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(STATE_ENV, raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert default_state_dir() == tmp_path / "xdg" / "govnet" / "deploy"
    monkeypatch.setenv("XDG_STATE_HOME", "")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_state_dir() == tmp_path / "home" / ".local" / "state" / "govnet" / "deploy"


# -- LKG and pending files --------------------------------------------------------------------


def test_files_are_named_after_the_device(tmp_path: Path) -> None:
    state = LkgStore(tmp_path, "kf-core-1")
    assert state.device == "kf-core-1"
    assert state.lkg_path == tmp_path / "kf-core-1.lkg"
    assert state.pending_path == tmp_path / "kf-core-1.pending.json"


def test_save_creates_missing_parents_and_keeps_utf8(tmp_path: Path) -> None:
    state = LkgStore(tmp_path / "a" / "b", "r1")
    state.save_lkg("description 开福区\n")
    assert state.lkg_path.read_bytes() == "description 开福区\n".encode()
    assert state.lkg() == "description 开福区\n"


def test_a_temp_file_left_by_a_killed_run_is_replaced_not_left_behind(tmp_path: Path) -> None:
    (tmp_path / "r1.lkg.tmp").write_text("half a config")
    state = LkgStore(tmp_path, "r1")
    state.save_lkg("hostname r1\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r1.lkg"]


def test_nothing_saved_reads_as_none(tmp_path: Path) -> None:
    state = LkgStore(tmp_path, "r1")
    assert state.lkg() is None and state.pending() is None
    state.clear_pending()  # nothing to clear: not an error
    assert not state.pending_path.exists()


def test_pending_round_trip_and_clear(tmp_path: Path) -> None:
    state = LkgStore(tmp_path, "r1")
    state.mark_pending(PendingCommit("r1", "frr", 12.5, "run7", "lab", "127.0.0.1:2201", 90.0))
    assert json.loads(state.pending_path.read_text()) == {
        "device": "r1",
        "platform": "frr",
        "deadline": 12.5,
        "run_id": "run7",
        "target": "lab",
        "address": "127.0.0.1:2201",
        "window": 90.0,
    }
    assert state.pending() == PendingCommit("r1", "frr", 12.5, "run7", "lab", "127.0.0.1:2201", 90.0)
    state.clear_pending()
    assert not state.pending_path.exists()
    assert pending_commits(tmp_path) == []


def test_unwritable_state_names_device_and_path(tmp_path: Path) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("a file where the state directory should be")
    state = LkgStore(blocker, "r1")
    with pytest.raises(DeployError) as err:
        state.save_lkg("hostname r1\n")
    assert str(err.value) == f"r1: cannot write {blocker / 'r1.lkg'}: File exists"


def test_unreadable_pending_record_names_the_file(tmp_path: Path) -> None:
    state = LkgStore(tmp_path, "r1")
    state.pending_path.write_text("{not json")
    with pytest.raises(DeployError) as err:
        state.pending()
    assert str(err.value).startswith(f"{state.pending_path}: unreadable pending-commit record: ")
    assert "line 1 column 2" in str(err.value)


# -- run reports -------------------------------------------------------------------------------


def test_record_copies_every_field_of_the_outcome() -> None:
    report = RunReport("r1", "net", True, "2026-11-28T00:00:00Z")
    diff = ConfigDiff("a", ("vlan batch 100",), "+vlan batch 100\n", held=("undo x",))
    _record(report, PushOutcome("a", "changed", diff, "why", {"push": 1.5}), 3)
    _record(report, PushOutcome("b", "failed", None, "down"), None)
    assert report.devices["a"] == DeviceReport(
        "a", "changed", 3, "why", ["vlan batch 100"], "+vlan batch 100\n", {"push": 1.5}, ["undo x"]
    )
    assert report.devices["b"] == DeviceReport("b", "failed", None, "down", [], "", {}, [])


def test_report_json_is_sorted_with_one_space_indent() -> None:
    report = RunReport("r1", "net", False, "t")
    assert report.to_json() == (
        '{\n "batches": [],\n "commit": false,\n "devices": {},\n "halted": "",\n'
        ' "network": "net",\n "recovered": [],\n "recovery_failed": {},\n "run_id": "r1",\n'
        ' "seconds": 0.0,\n "started": "t",\n "target": "production"\n}'
    )


def test_report_status_views() -> None:
    report = RunReport("r1", "net", True, "t")
    for name, status in (("c", "changed"), ("a", "changed"), ("b", "unchanged")):
        report.devices[name] = DeviceReport(name, status)
    assert report.by_status("changed") == ["a", "c"]
    assert report.drift and not report.failed
    report.devices["a"].status = "unchanged"
    report.devices["c"].status = "rolled-back"
    assert report.failed and not report.drift
    report.devices["c"].status = "dry-run"
    assert report.drift and not report.failed
    report.devices["c"].status = "failed"
    assert report.failed
    quiet = RunReport("r2", "net", True, "t", halted="stopped by SIGINT")
    assert quiet.failed and not quiet.drift


def test_report_file_is_private_and_named_by_time_and_run(tmp_path: Path) -> None:
    report = RunReport("ab12", "net", True, "2026-11-28T01:02:03Z")
    path = report.write(tmp_path)
    assert path == tmp_path / "reports" / "2026-11-28T010203Z-ab12.json"
    assert path.read_text() == report.to_json() + "\n"
    assert (path.stat().st_mode & 0o777) == 0o600
    assert (path.parent.stat().st_mode & 0o777) == 0o700


def test_a_task_result_that_is_no_outcome_becomes_a_failure() -> None:
    class Result:  # nornir's per-host MultiResult: a list of results with .result
        def __init__(self, result: object) -> None:
            self.result = result

    done = PushOutcome("a", "changed")
    assert _outcome([Result(done)], "a") is done
    assert _outcome([], "a") == PushOutcome("a", "failed", None, "no result")
    assert _outcome([Result(None)], "a") == PushOutcome("a", "failed", None, "no result")
    assert _outcome([Result(OSError("reset"))], "a") == PushOutcome("a", "failed", None, "OSError: reset")


def test_stop_flag_records_the_signal_name() -> None:
    flag = StopFlag()
    assert flag.signal == "" and not flag.event.is_set()
    flag(signal.SIGTERM, None)
    assert flag.signal == "SIGTERM" and flag.event.is_set()


def test_stop_flag_says_what_it_finishes_at_once_and_again_on_a_second_signal() -> None:
    said: list[str] = []
    flag = StopFlag(said.append)
    flag.in_flight = ["kf-core-1", "kf-agg-xinhe"]
    flag(signal.SIGINT, None)
    flag(signal.SIGINT, None)
    assert said == [
        "SIGINT: finishing kf-core-1, kf-agg-xinhe (each device confirmed or rolled back), then stopping; "
        "the report says what each device was left at",
        "SIGINT: still finishing kf-core-1, kf-agg-xinhe; govnet stops right after (it never leaves a "
        "device half-committed)",
    ]
    flag.in_flight = []
    flag(signal.SIGTERM, None)
    assert said[-1].startswith("SIGTERM: still finishing the diff in progress;")


def test_stoppable_installs_and_restores_handlers_in_the_main_thread() -> None:
    before = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    flag = StopFlag()
    with _stoppable(flag):
        assert signal.getsignal(signal.SIGINT) is flag and signal.getsignal(signal.SIGTERM) is flag
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_stoppable_leaves_handlers_alone_in_a_worker_thread() -> None:
    before = signal.getsignal(signal.SIGINT)
    seen: list[object] = []

    def worker() -> None:
        with _stoppable(StopFlag()):
            seen.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [before]


def test_reports_folder_is_created_with_its_parents_and_reused(tmp_path: Path) -> None:
    state_dir = tmp_path / "never" / "made"
    first = RunReport("r1", "net", True, "t1").write(state_dir)
    second = RunReport("r2", "net", True, "t2").write(state_dir)
    assert sorted(p.name for p in (state_dir / "reports").iterdir()) == [first.name, second.name]
