"""Lab and production never share deploy state: per-target directories, records that name their
target, and a recovery that refuses a record which is not about the device it would touch."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from govnet.cli import app
from govnet.deploy.lkg import LkgStore, PendingCommit, pending_commits, target_state_dir

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
NET = "kaifu-extranet"
AGG = "kf-agg-shaping"


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVNET_SECRETS", raising=False)
    monkeypatch.delenv("GOVNET_STATE_DIR", raising=False)
    monkeypatch.setenv("GOVNET_SSH_USER", "netadmin")
    monkeypatch.setenv("GOVNET_SSH_PASSWORD", "not-a-real-password")


def test_each_target_and_network_has_its_own_directory(tmp_path: Path) -> None:
    lab, prod = target_state_dir(tmp_path, NET, lab=True), target_state_dir(tmp_path, NET, lab=False)
    assert (lab, prod) == (tmp_path / "lab" / NET, tmp_path / "production" / NET)
    assert target_state_dir(tmp_path, "other", lab=False) == tmp_path / "production" / "other"


def _recover(root: Path) -> tuple[int, str]:
    args = ["deploy", "-i", str(ROOT / "inventory"), "--recover", "--state-dir", str(root)]
    result = runner.invoke(app, args)
    return result.exit_code, result.output


def test_a_lab_run_killed_mid_commit_is_invisible_to_a_production_recovery(tmp_path: Path) -> None:
    lab_dir = target_state_dir(tmp_path, NET, lab=True)
    record = PendingCommit(AGG, "frr", 1.0, "dead0001", "lab", "127.0.0.1:2207")
    LkgStore(lab_dir, AGG).mark_pending(record)
    LkgStore(lab_dir, AGG).save_lkg("hostname kf-agg-shaping\n")
    code, output = _recover(tmp_path)
    assert (code, output.strip().splitlines()[-1]) == (0, "restored 0 device(s): -")
    assert pending_commits(lab_dir) == [record]  # the lab's record untouched
    assert not (target_state_dir(tmp_path, NET, lab=False) / f"{AGG}.pending.json").exists()


def test_a_lab_record_in_the_production_directory_is_refused_not_restored(tmp_path: Path) -> None:
    """The old shared layout: a lab record where production looks. Never acted on (no SSH)."""
    prod_dir = target_state_dir(tmp_path, NET, lab=False)
    record = PendingCommit(AGG, "frr", 1.0, "dead0001", "lab", "127.0.0.1:2207")
    LkgStore(prod_dir, AGG).mark_pending(record)
    code, output = _recover(tmp_path)
    path = prod_dir / f"{AGG}.pending.json"
    assert code == 1
    assert (f"{AGG}: refusing the pending-commit record {path}: recorded for the lab target, not "
            "production; at 127.0.0.1:2207, not 10.") in output
    assert f"NOT RESTORED {AGG}: refusing" in output and "restoring" not in output
    assert pending_commits(prod_dir) == [record]


def test_a_record_from_an_older_govnet_is_refused(tmp_path: Path) -> None:
    prod_dir = target_state_dir(tmp_path, NET, lab=False)
    (prod_dir).mkdir(parents=True)
    (prod_dir / f"{AGG}.pending.json").write_text(
        '{"device": "kf-agg-shaping", "platform": "frr", "deadline": 1.0, "run_id": "x"}')
    code, output = _recover(tmp_path)
    assert code == 1 and "the record names no target or address (written by an older govnet)" in output


def test_break_lock_removes_only_the_named_stale_holder_of_this_target(tmp_path: Path) -> None:
    """``govnet deploy --break-lock HOLDER``: the production lock of a dead host, named as the
    refusal names it; a wrong name breaks nothing; the lab's lock is another target's."""
    import os
    import time

    prod = target_state_dir(tmp_path, NET, lab=False)
    prod.mkdir(parents=True)
    lock = prod / f"{NET}.lock"
    lock.write_text("ops@noc-old pid 4711 since 2026-12-06T20:00:00Z\n", encoding="utf-8")
    old = time.time() - 7200
    os.utime(lock, (old, old))
    base = ["deploy", "-i", str(ROOT / "inventory"), "--state-dir", str(tmp_path), "--break-lock"]
    wrong = runner.invoke(app, [*base, "ops@noc-old pid 4712"])
    assert wrong.exit_code == 2
    assert "held by 'ops@noc-old pid 4711', not 'ops@noc-old pid 4712'" in wrong.output
    assert lock.exists()
    lab = runner.invoke(app, [*base, "ops@noc-old pid 4711", "--lab", "--workdir", str(tmp_path / "no-twin")])
    assert lab.exit_code == 2 and lock.exists()
    done = runner.invoke(app, [*base, "ops@noc-old pid 4711"])
    assert done.exit_code == 0, done.output
    holder = "ops@noc-old pid 4711 since 2026-12-06T20:00:00Z"
    assert done.output.strip() == f"broke the deploy lock of {NET} ({holder})"
    assert not lock.exists()
