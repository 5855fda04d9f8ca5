"""`govnet monitor`: poll on an interval, serve the last completed cycle on /metrics."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from govnet.credentials import Credentials
from govnet.errors import GovnetError
from govnet.model import Network
from govnet.monitor.backups import BackupTimes, backup_repo_of
from govnet.monitor.changes import ChangeLog
from govnet.monitor.exporter import make_registry, serve
from govnet.monitor.health import GroupHealth, judge
from govnet.monitor.plan import Plan, build_plan
from govnet.monitor.poller import Poller
from govnet.monitor.report import format_json, problem_lines
from govnet.monitor.snapshot import Snapshot
from govnet.monitor.transport import SnmpClient
from govnet.monitor.web.app import NocSite

Echo = Callable[[str], None]


class ListenError(GovnetError):
    """A ``--listen`` that is not HOST:PORT or cannot be bound."""


class TargetError(GovnetError):
    """A ``--target`` that is not DEVICE=HOST[:PORT] naming a device of the inventory."""


@dataclass(frozen=True, slots=True)
class MonitorOptions:
    """How the monitor runs (the CLI's options, as values)."""

    listen: str = "127.0.0.1:9469"
    interval: float = 30.0
    shard: tuple[int, int] = (0, 1)
    timeout: float = 3.0
    retries: int = 2
    """Per request: a busy chassis answering in 1.5 s is not a timeout; retries wait longer each
    time (timeout x 1, 1.5, 2) and a late answer to an earlier try is taken."""
    role_timeouts: Mapping[str, float] = field(default_factory=dict)
    """Per-role timeout overrides (e.g. ``{"core": 5.0}``)."""
    concurrency: int = 64
    spread: float | None = None
    """Seconds over which device start times are spread; default half the interval."""
    prometheus: str | None = None
    """A Prometheus base URL whose firing alerts the NOC page shows."""
    backup_repo: Path | None = None
    """The backup repository whose commit times are exported (default: the inventory's
    ``backup_repo``)."""
    output: Literal["text", "json"] = "text"
    """What ``--once`` prints."""


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` -> (host, port).

    >>> parse_listen("127.0.0.1:9469")
    ('127.0.0.1', 9469)
    """
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ListenError(f"--listen {text!r}: expected HOST:PORT, e.g. 127.0.0.1:9469")
    return host.strip("[]") or "0.0.0.0", int(port)


def parse_target(text: str, known: Container[str]) -> tuple[str, str, int]:
    """``DEVICE=HOST[:PORT]`` -> (device, host, port): poll that device (one of ``known``) at
    that address, e.g. a simulator or a forwarded port.

    >>> parse_target("kf-core-1=127.0.0.1:16100", {"kf-core-1"})
    ('kf-core-1', '127.0.0.1', 16100)
    >>> parse_target("kf-core-1=10.8.0.1", {"kf-core-1"})
    ('kf-core-1', '10.8.0.1', 161)
    """
    device, sep, address = text.partition("=")
    host, colon, port = address.rpartition(":") if address.count(":") == 1 else (address, "", "")
    if not sep or not (host if colon else address) or (colon and not port.isdigit()):
        raise TargetError(f"--target {text!r}: expected DEVICE=HOST[:PORT], e.g. kf-core-1=127.0.0.1:1161")
    if device not in known:
        raise TargetError(f"--target {text!r}: no device {device!r} in the inventory")
    return device, host if colon else address, int(port) if colon else 161


def format_health(groups: list[GroupHealth], snapshot: Snapshot, plan: Plan | None = None) -> str:
    """One line per redundancy group (with why it is not healthy) and a summary of the cycle
    (unreachable devices, planned interfaces not found, hardware faults)."""
    up = sum(1 for d in snapshot.devices.values() if d.up)
    lines = [f"polled {len(snapshot.devices)} devices in {snapshot.duration_s:.2f}s ({up} answered)"]
    for dev in sorted(snapshot.devices.values(), key=lambda d: d.name):
        if not dev.up:
            lines.append(f"  unreachable: {dev.name} ({dev.error})")
    lines += problem_lines(plan, snapshot) if plan is not None else []
    for health in groups:
        members = " ".join(f"{m}={s}" for m, s in health.members.items())
        why = f"  ({health.reason})" if health.reason else ""
        lines.append(
            f"{health.group.name:<28} {health.state:<11} {health.healthy}/{health.expected}  {members}{why}"
        )
    return "\n".join(lines)


def _client(credentials: Credentials, options: MonitorOptions) -> SnmpClient:
    return SnmpClient(credentials, timeout=options.timeout, retries=options.retries)


async def poll_once(plan: Plan, credentials: Credentials, options: MonitorOptions) -> Snapshot:
    """One cycle over the plan (start times not spread)."""
    client = _client(credentials, options)
    try:
        poller = Poller(plan, client, spread=0.0, concurrency=options.concurrency)
        return await poller.cycle()
    finally:
        client.close()


async def _loop(poller: Poller, interval: float, stop: asyncio.Event, echo: Echo) -> None:
    log = ChangeLog()
    while not stop.is_set():
        start = time.monotonic()
        snap = await poller.cycle()
        down = [n for n, d in snap.devices.items() if not d.up]
        if down:
            echo(f"cycle {snap.cycles_total}: {len(down)} unreachable: {', '.join(sorted(down))}")
        for line in log.changes(snap, judge(poller.plan, snap)):
            echo(f"cycle {snap.cycles_total}: {line}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max(0.0, interval - (time.monotonic() - start)))


def run_monitor(
    network: Network,
    credentials: Credentials,
    options: MonitorOptions,
    *,
    devices: Iterable[str] | None = None,
    lab: bool = False,
    hosts: Mapping[str, str] | None = None,
    ports: Mapping[str, int] | None = None,
    once: bool = False,
    echo: Echo = print,
    stop: asyncio.Event | None = None,
) -> Snapshot | None:
    """Poll ``network`` (its shard, ``devices`` only if given). ``once``: one cycle, print the
    health of every group, return the snapshot. Otherwise serve /metrics (and the NOC pages) and poll every
    ``interval`` until interrupted (or ``stop`` is set)."""
    plan = build_plan(
        network,
        devices=devices,
        lab=lab,
        shard=options.shard,
        hosts=hosts,
        ports=ports,
        timeouts=options.role_timeouts,
    )
    if once:
        snap = asyncio.run(poll_once(plan, credentials, options))
        groups = judge(plan, snap)
        json_out = options.output == "json"
        echo(format_json(plan, snap, groups) if json_out else format_health(groups, snap, plan))
        return snap
    host, port = parse_listen(options.listen)

    async def main() -> None:
        client = _client(credentials, options)
        spread = options.interval / 2 if options.spread is None else options.spread
        poller = Poller(plan, client, spread=spread, concurrency=options.concurrency, log=echo)
        repo = options.backup_repo or backup_repo_of(plan.network)
        backups = BackupTimes(repo, frozenset(d.name for d in plan.devices)) if repo is not None else None
        site = NocSite(
            plan,
            lambda: poller.snapshot,
            interval=options.interval,
            prometheus=options.prometheus,
            backups=backups,
        )
        try:
            registry = make_registry(plan, lambda: poller.snapshot, backups)
            server = serve(registry, host, port, pages=site.page)
        except OSError as exc:
            client.close()
            raise ListenError(f"--listen {options.listen}: {exc.strerror}") from None
        echo(
            f"govnet monitor: {len(plan.devices)} devices, shard {options.shard[0]}/{options.shard[1]}, "
            f"every {options.interval:g}s; scrape http://{host}:{port}/metrics; NOC page http://{host}:{port}/"
        )
        try:
            await _loop(poller, options.interval, stop or asyncio.Event(), echo)
        finally:
            server.shutdown()
            client.close()

    asyncio.run(main())
    return None
