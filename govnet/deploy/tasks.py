"""Nornir tasks over the ``govnet`` connection: ``nr.run(task=push_config, config=...)``.

* :func:`backup_config` - the running config as ``govnet backup`` keeps it (read by the
  platform's reader, secrets masked and known values redacted).
* :func:`diff_config` - what a push would change (:class:`ConfigDiff`), touches nothing.
* :func:`push_config` - dry run unless ``commit``; with ``commit``: commit with a confirm window,
  verify, confirm; a refused line, a failed verify or a lost session rolls that device back.
  With a ``management`` probe, verify also needs a fresh SSH login and the poller's SNMPv3 GET
  to succeed before the confirm (the NOC's path to the device was not cut).
* :func:`verify_device` - the model's expectations against what the device shows.

Configs carry ``${secret:NAME}`` references; drivers resolve them only inside the SSH session.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal

from nornir.core.task import Result, Task

from govnet.deploy.backup import device_backup
from govnet.deploy.connection import driver_of
from govnet.deploy.driver import CommitRejected, ConfigDiff, DeployError, DeviceDriver
from govnet.deploy.verify import ManagementProbe, VerifyReport, expectations, observe, verify
from govnet.model import Network
from govnet.platforms import get_platform

Status = Literal["unchanged", "dry-run", "changed", "rolled-back", "failed"]


@dataclass(slots=True)
class PushOutcome:
    """What happened on one device: its status, the diff, the reason, timings (seconds)."""

    device: str
    status: Status
    diff: ConfigDiff | None = None
    reason: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    verify: VerifyReport | None = None


def _platform(task: Task) -> str:
    """The govnet platform of the task's host (the registry name, not its OS family)."""
    return get_platform(str(task.host.data.get("govnet_platform", task.host.platform))).name


def backup_config(task: Task) -> Result:
    """The device's running config as ``govnet backup`` keeps it: prompts, paging and chatter
    gone (its platform's reader), secrets masked (Oxidized style) and known values redacted."""
    return Result(host=task.host, result=device_backup(task).text)


def diff_config(task: Task, config: str, replace: bool = True) -> Result:
    """Intended vs running as the platform's commands and a unified diff; changes nothing."""
    driver = driver_of(task.host, task.nornir.config)
    _load(driver, config, replace)
    diff = driver.compare_config()
    driver.discard_config()
    return Result(host=task.host, result=diff, changed=not diff.empty)


def _load(driver: DeviceDriver, config: str, replace: bool) -> None:
    if replace:
        driver.load_replace_candidate(config)
    else:
        driver.load_merge_candidate(config)


def verify_device(
    task: Task, network: Network, lab: bool = False, settled: Collection[str] | None = None,
    timeout: float = 60.0, management: ManagementProbe | None = None,
) -> Result:
    """OSPF neighbours Full, BGP sessions Established, links up, within ``timeout``; with
    ``management``, also a fresh SSH login and an SNMPv3 GET from the poller's side."""
    driver = driver_of(task.host, task.nornir.config)
    expected = expectations(network, task.host.name, lab=lab, settled=settled)
    report = verify(driver, _platform(task), expected, timeout, management)
    return Result(host=task.host, result=report, failed=not report.ok)


def push_config(
    task: Task,
    config: str,
    network: Network,
    *,
    commit: bool = False,
    replace: bool = True,
    lab: bool = False,
    settled: Collection[str] | None = None,
    revert_in: int | None = None,
    verify_timeout: float = 60.0,
    management: ManagementProbe | None = None,
) -> Result:
    """Diff, and with ``commit``: commit (confirm window), verify, confirm or roll back.

    ``management``: before the confirm, verify also logs in afresh over SSH and GETs
    ``sysUpTime.0`` as the poller does; a failure rolls the device back, the reason named."""
    clock: dict[str, float] = {}
    start = time.monotonic()
    name = task.host.name
    try:
        driver = driver_of(task.host, task.nornir.config)
        _load(driver, config, replace)
        diff = driver.compare_config()
    except DeployError as exc:
        return _result(task, PushOutcome(name, "failed", None, str(exc), {"diff": _since(start)}))
    clock["diff"] = _since(start)
    if diff.empty:
        driver.discard_config()
        return _result(task, PushOutcome(name, "unchanged", diff, "", clock))
    if not commit:
        driver.discard_config()
        return _result(task, PushOutcome(name, "dry-run", diff, "", clock))
    platform = _platform(task)
    expected = expectations(network, name, lab=lab, settled=settled)
    with contextlib.suppress(DeployError):  # nothing observable yet: the model decides alone
        expected = expected.with_seen(observe(driver, platform))
    window = revert_in or get_platform(str(task.host.data.get("govnet_platform"))).confirm_window_s
    window = max(window, int(verify_timeout) + 30)  # never expire while verify still waits
    step = time.monotonic()
    try:
        driver.commit_config(revert_in=window)
    except (CommitRejected, DeployError) as exc:
        clock["commit"] = _since(step)
        return _result(task, _roll_back(driver, PushOutcome(name, "failed", diff, str(exc), clock)))
    clock["commit"] = _since(step)
    step = time.monotonic()
    residual = _residual(driver, config, replace)
    clock["converge"] = _since(step)
    if residual:
        return _result(task, _roll_back(driver, PushOutcome(name, "failed", diff, residual, clock)))
    step = time.monotonic()
    report = verify(driver, platform, expected, verify_timeout, management)
    clock["verify"] = _since(step)
    outcome = PushOutcome(name, "changed", diff, report.note, clock, report)
    if not report.ok:
        outcome.reason = f"verify failed: {report.summary()}"
        return _result(task, _roll_back(driver, outcome))
    try:
        driver.confirm_commit()
    except DeployError as exc:
        outcome.reason = f"confirm failed: {exc}"
        return _result(task, _roll_back(driver, outcome))
    clock["total"] = _since(start)
    return _result(task, outcome)


def _residual(driver: DeviceDriver, config: str, replace: bool) -> str:
    """After a commit, diff again: '' when the device now runs the intended config, else why not
    (the lines still to send, and what the device said about the lines it refused)."""
    try:
        again = driver.residual(config, replace)
    except DeployError as exc:
        return f"not converged: cannot diff after the push: {exc}"
    if again.empty:
        return ""
    shown = "; ".join(again.commands[:3]) + (" ..." if len(again.commands) > 3 else "")
    reason = f"not converged: {len(again.commands)} line(s) still differ after the push: {shown}"
    said = [f"{line!r}: {reply}" for line, reply in getattr(driver, "refused", ())]
    if said:
        reason += "; the device said " + "; ".join(said[:3])
    return reason


def _roll_back(driver: DeviceDriver, outcome: PushOutcome) -> PushOutcome:
    """Restore the last-known-good config; the outcome says whether that worked."""
    step = time.monotonic()
    try:
        driver.rollback()
    except DeployError as exc:
        outcome.status = "failed"
        outcome.reason += f"; ROLLBACK FAILED: {exc} (pending commit kept for --recover)"
    else:
        outcome.status = "rolled-back"
    outcome.timings["rollback"] = _since(step)
    return outcome


def _result(task: Task, outcome: PushOutcome) -> Result:
    return Result(
        host=task.host,
        result=outcome,
        changed=outcome.status == "changed",
        failed=outcome.status in ("failed", "rolled-back"),
    )


def _since(start: float) -> float:
    return round(time.monotonic() - start, 2)
