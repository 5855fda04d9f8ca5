"""``govnet deploy``: diff every selected device, then (with ``commit``) push in safe batches.

Dry run by default: every device's diff, nothing touched. With ``commit``: batches from the
redundancy groups (:mod:`govnet.deploy.batches`), canary first, run as overlapping waves
(:class:`~govnet.deploy.batches.WaveSchedule`); each device commits with a confirm window, is
verified and confirmed, or rolled back by itself. The rollout halts at ``max_failures``. One
lock per network; SIGINT/SIGTERM finish the devices in flight (each confirmed or rolled back),
start no other, release the lock and write the report. Pending commits
left by a killed run are restored first (or by ``recover``).
"""

from __future__ import annotations

import json
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from nornir.core import Nornir
from nornir.core.task import Result, Task

from govnet.deploy.batches import WaveSchedule, plan_batches
from govnet.deploy.connection import driver_of, prepare_hosts
from govnet.deploy.driver import DeployError
from govnet.deploy.lkg import address_of, default_state_dir, pending_commits, target_kind, target_state_dir
from govnet.deploy.lock import network_lock
from govnet.deploy.management_gate import management_refusals
from govnet.deploy.nornir_setup import DeployTarget, build_nornir
from govnet.deploy.secrets import SecretValues
from govnet.deploy.tasks import PushOutcome, push_config
from govnet.deploy.verify import ManagementProbe
from govnet.model import Network

Echo = Callable[[str], None]


@dataclass(slots=True)
class DeployOptions:
    commit: bool = False
    batch_size: int = 4
    max_failures: int = 1
    replace: bool = True
    verify_timeout: float = 60.0
    revert_in: int | None = None
    state_dir: Path | None = None
    """This target's state directory; None: ``target_state_dir(default_state_dir(), ...)``."""
    workers: int = 16
    """SSH sessions opened and diffed in parallel before a rollout (logins wait mostly on the
    device: 28 twin routers diff in 3.8 s with 16, 5.5-9.2 s with 8; Nornir's own default is 20)."""
    canary: bool = True
    management: ManagementProbe | None = None
    """Before each confirm, a fresh SSH login and the poller's SNMPv3 GET (``govnet deploy``
    builds it from the monitor plan; None: the routing checks alone)."""
    management_gate: bool = True
    """Refuse an intended config that cuts the management path (:mod:`govnet.deploy.management_gate`).
    Off for a restore: it returns a device to a config the device itself printed (verify, the
    confirm window and the management probe still guard it)."""

    def state_for(self, network: Network, target: DeployTarget) -> Path:
        """Where this run keeps LKGs, pending records, the lock and reports (per target)."""
        if self.state_dir is not None:
            return self.state_dir
        return target_state_dir(default_state_dir(), network.settings.name, target.lab)


@dataclass(slots=True)
class DeviceReport:
    device: str
    status: str
    batch: int | None = None
    reason: str = ""
    commands: list[str] = field(default_factory=list)
    unified: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    held: list[str] = field(default_factory=list)
    """Lines the driver's safety rules held back (never undone: management, SSH user, VLANs in use)."""


@dataclass(slots=True)
class RunReport:
    """The run report: per device changed / rolled-back / untouched / ..., diffs and timings."""

    run_id: str
    network: str
    commit: bool
    started: str
    seconds: float = 0.0
    halted: str = ""
    batches: list[list[str]] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    recovery_failed: dict[str, str] = field(default_factory=dict)
    target: str = "production"
    devices: dict[str, DeviceReport] = field(default_factory=dict)

    def by_status(self, status: str) -> list[str]:
        return sorted(n for n, d in self.devices.items() if d.status == status)

    @property
    def failed(self) -> bool:
        return (bool(self.halted) or bool(self.recovery_failed)
                or any(d.status in ("failed", "rolled-back") for d in self.devices.values()))

    @property
    def drift(self) -> bool:
        return any(d.status in ("dry-run", "changed") for d in self.devices.values())

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)

    def write(self, state_dir: Path) -> Path:
        folder = state_dir / "reports"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / f"{self.started.replace(':', '')}-{self.run_id}.json"
        path.write_text(self.to_json() + "\n", encoding="utf-8")
        path.chmod(0o600)
        return path


class StopFlag:
    """Set by SIGINT/SIGTERM: finish the devices in flight, start no other. Says so at once, and
    again on a second signal (the devices still being finished)."""

    def __init__(self, echo: Echo | None = None) -> None:
        self.event = threading.Event()
        self.signal = ""
        self.echo = echo
        self.in_flight: list[str] = []
        """The devices being pushed (each ends confirmed or rolled back)."""

    def __call__(self, signum: int, _frame: FrameType | None) -> None:
        again = self.event.is_set()
        self.signal = signal.Signals(signum).name
        self.event.set()
        if self.echo is None:
            return
        busy = ", ".join(self.in_flight) or "the diff in progress"
        if again:
            self.echo(f"{self.signal}: still finishing {busy}; govnet stops right after (it never "
                      "leaves a device half-committed)")
        else:
            self.echo(f"{self.signal}: finishing {busy} (each device confirmed or rolled back), then "
                      "stopping; the report says what each device was left at")


@contextmanager
def _stoppable(flag: StopFlag) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, flag) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _push_task(task: Task, configs: Mapping[str, str], **kwargs: Any) -> Result:
    try:
        return push_config(task, configs[task.host.name], **kwargs)
    except Exception as exc:  # a driver bug or a dead session: one line in the report
        outcome = PushOutcome(task.host.name, "failed", None, f"{type(exc).__name__}: {exc}")
        return Result(host=task.host, result=outcome, failed=True)


def _outcome(result: Any, name: str) -> PushOutcome:
    """The PushOutcome of a host's task result (an exception becomes a failure)."""
    value = result[0].result if result else None
    if isinstance(value, PushOutcome):
        return value
    return PushOutcome(name, "failed", None, f"{type(value).__name__}: {value}" if value else "no result")


def _record(report: RunReport, outcome: PushOutcome, batch: int | None) -> None:
    diff = outcome.diff
    report.devices[outcome.device] = DeviceReport(
        device=outcome.device,
        status=outcome.status,
        batch=batch,
        reason=outcome.reason,
        commands=list(diff.commands) if diff else [],
        unified=diff.unified if diff else "",
        timings=outcome.timings,
        held=list(diff.held) if diff else [],
    )


def _run(nr: Nornir, names: list[str], configs: Mapping[str, str], **kwargs: Any) -> dict[str, PushOutcome]:
    chosen = set(names)
    subset = nr.filter(filter_func=lambda h: h.name in chosen)
    results = subset.run(task=_push_task, configs=configs, on_failed=True, **kwargs)
    return {name: _outcome(results[name], name) for name in names}


@dataclass(slots=True)
class Recovery:
    """What a recovery did: devices restored, and devices it could not or would not restore."""

    restored: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def recover(nr: Nornir, state_dir: Path, echo: Echo = print, *, lab: bool = False) -> Recovery:
    """Restore the last-known-good config of every device with a pending (unconfirmed) commit.

    A record is acted on only when it names this target (lab or production), the address the
    device is reached on and its platform; any other record is refused, untouched, as a failure.
    """
    done = Recovery()
    kind = target_kind(lab)
    for pending in pending_commits(state_dir):
        if pending.device not in nr.inventory.hosts:
            continue
        host = nr.inventory.hosts[pending.device]
        platform = str(host.data.get("govnet_platform", host.platform))
        why = pending.mismatch(target=kind, address=address_of(host.hostname, host.port), platform=platform)
        if why:
            done.failed[pending.device] = (
                f"refusing the pending-commit record {state_dir / (pending.device + '.pending.json')}: "
                f"{why}; check the device by hand, then remove the record")
            echo(f"{pending.device}: {done.failed[pending.device]}")
            continue
        echo(f"{pending.device}: unconfirmed commit from run {pending.run_id or '?'} "
             f"({pending.target}, {pending.address}): restoring")
        try:
            driver_of(host, nr.config).rollback()
        except DeployError as exc:
            done.failed[pending.device] = f"restore failed: {exc}"
            echo(f"{pending.device}: restore failed: {exc}")
            continue
        finally:
            host.close_connections()
        done.restored.append(pending.device)
    return done


def recover_network(
    network: Network, target: DeployTarget, options: DeployOptions, echo: Echo = print
) -> Recovery:
    """``govnet deploy --recover``: under the target's lock, restore every pending commit."""
    state_dir = options.state_for(network, target)
    nr = build_nornir(network, target, workers=options.workers)
    secrets = SecretValues.from_credentials(target.credentials())
    prepare_hosts(nr, state_dir=state_dir, secrets=secrets, run_id="recover", lab=target.lab)
    try:
        with network_lock(state_dir, network.settings.name):
            return recover(nr, state_dir, echo, lab=target.lab)
    finally:
        nr.close_connections()


def deploy(
    network: Network,
    configs: Mapping[str, str],
    target: DeployTarget,
    options: DeployOptions,
    *,
    echo: Echo = print,
) -> RunReport:
    """Diff (and with ``options.commit`` push) ``configs`` ({device: rendered config})."""
    run_id = uuid.uuid4().hex[:8]
    report = RunReport(run_id, network.settings.name, options.commit,
                       time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), target=target_kind(target.lab))
    start = time.monotonic()
    state_dir = options.state_for(network, target)
    nr = build_nornir(network, target, workers=options.workers)
    secrets = SecretValues.from_credentials(target.credentials())
    prepare_hosts(nr, state_dir=state_dir, secrets=secrets, run_id=run_id, lab=target.lab)
    judged = options.replace and options.management_gate  # a merge snippet is no whole config
    whole = {n: configs[n] for n in configs if n in nr.inventory.hosts} if judged else {}
    refused = management_refusals(network, whole, lab=target.lab)
    for name, reason in refused.items():  # never sent, dry run or not: a push must not cut the NOC off
        _record(report, PushOutcome(name, "failed", None, f"refused: {reason}"), None)
    names = [n for n in configs if n in nr.inventory.hosts and n not in refused]
    flag = StopFlag(echo)
    common = {"network": network, "replace": options.replace, "lab": target.lab}
    try:
        if not options.commit:  # a dry run touches nothing: no lock, no recovery; it plans
            outcomes = _run(nr, names, configs, commit=False, **common)
            for outcome in outcomes.values():
                _record(report, outcome, None)
            todo = [n for n, o in outcomes.items() if o.status == "dry-run"]
            report.batches = plan_batches(network, todo, options.batch_size, options.canary)
            return report
        with network_lock(state_dir, network.settings.name), _stoppable(flag):
            recovery = recover(nr, state_dir, echo, lab=target.lab)
            report.recovered, report.recovery_failed = recovery.restored, recovery.failed
            if recovery.failed:
                report.halted = (f"{len(recovery.failed)} pending commit(s) not recovered "
                                 f"({', '.join(sorted(recovery.failed))}): nothing pushed")
                return report
            diffs = _run(nr, names, configs, commit=False, **common)
            for outcome in diffs.values():
                _record(report, outcome, None)
            _roll_out(nr, network, configs, options, report, diffs, flag, echo, common)
    finally:
        nr.close_connections(on_failed=True)  # a failed or rolled-back device's session too
        report.seconds = round(time.monotonic() - start, 2)
    return report


def _roll_out(
    nr: Nornir, network: Network, configs: Mapping[str, str], options: DeployOptions,
    report: RunReport, diffs: dict[str, PushOutcome], flag: StopFlag, echo: Echo,
    common: dict[str, Any],
) -> None:
    """Push the planned batches as overlapping waves (:class:`WaveSchedule`): each device starts
    as soon as the model allows and ends confirmed or rolled back; a halt starts nothing more."""
    todo = [n for n, o in diffs.items() if o.status == "dry-run"]
    settled = {n for n, o in diffs.items() if o.status == "unchanged"}  # others: only if seen up
    report.batches = plan_batches(network, todo, options.batch_size, options.canary)
    schedule = WaveSchedule.of(network, report.batches, options.batch_size, options.canary)
    failures = sum(1 for d in report.devices.values() if d.status == "failed")  # refused ones too
    flying: dict[Future[dict[str, PushOutcome]], str] = {}
    with ThreadPoolExecutor(max_workers=options.batch_size, thread_name_prefix="push") as pool:
        while True:
            halt = _halt_reason(flag, failures, options.max_failures)
            for name in [] if halt else schedule.ready():
                schedule.start([name])
                flying[pool.submit(_run, nr, [name], configs, commit=True, settled=frozenset(settled),
                                   revert_in=options.revert_in, verify_timeout=options.verify_timeout,
                                   management=options.management, **common)] = name
            flag.in_flight = schedule.in_flight  # before the announcement: a Ctrl-C right after names them
            _echo_started(schedule, echo)
            if not flying:
                break
            done, _ = wait(flying, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: schedule.order.index(flying[f])):
                name = flying.pop(future)
                outcome = future.result()[name]
                _record(report, outcome, schedule.wave[name] + 1)
                schedule.finish(name)
                if outcome.status == "changed":
                    settled.add(name)
                elif outcome.status in ("failed", "rolled-back"):
                    failures += 1
                    echo(f"  {name}: {outcome.status}: {outcome.reason}")
    flag.in_flight = []
    left = schedule.waiting
    if left:
        report.halted = _halt_reason(flag, failures, options.max_failures) or "nothing could start"
        for name in left:
            report.devices[name].status = "untouched"
        echo(f"halted before batch {schedule.wave[left[0]] + 1}: {report.halted}")
    elif flag.event.is_set():
        report.halted = f"stopped by {flag.signal} after the last batch"


def _halt_reason(flag: StopFlag, failures: int, max_failures: int) -> str:
    """Why nothing more may start ('' while the rollout goes on)."""
    if flag.event.is_set():
        return f"stopped by {flag.signal}"
    if max_failures and failures >= max_failures:
        return f"{failures} failure(s) reached --max-failures {max_failures}"
    return ""


def _echo_started(schedule: WaveSchedule, echo: Echo) -> None:
    """``batch k/n: devices`` for the devices that just started, one line per batch (a batch's
    devices may start at different moments: each line names those starting now)."""
    fresh = schedule.started[schedule.echoed:]
    schedule.echoed = len(schedule.started)
    total = len(schedule.batches)
    for wave in sorted({schedule.wave[n] for n in fresh}):
        names = [n for n in fresh if schedule.wave[n] == wave]
        echo(f"batch {wave + 1}/{total}: {', '.join(names)}")
