"""`govnet monitor`: poll on an interval, serve the last completed cycle on /metrics."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from govnet.credentials import Credentials
from govnet.errors import GovnetError
from govnet.model import Network
from govnet.monitor.exporter import make_registry, serve
from govnet.monitor.health import GroupHealth, judge
from govnet.monitor.plan import Plan, build_plan
from govnet.monitor.poller import Poller
from govnet.monitor.snapshot import Snapshot
from govnet.monitor.transport import SnmpClient
from govnet.monitor.web.app import NocSite

Echo = Callable[[str], None]


class ListenError(GovnetError):
    """A ``--listen`` that is not HOST:PORT or cannot be bound."""


@dataclass(frozen=True, slots=True)
class MonitorOptions:
    """How the monitor runs (the CLI's options, as values)."""

    listen: str = "127.0.0.1:9469"
    interval: float = 30.0
    shard: tuple[int, int] = (0, 1)
    timeout: float = 1.0
    retries: int = 1
    concurrency: int = 64
    spread: float | None = None
    """Seconds over which device start times are spread; default half the interval."""
    prometheus: str | None = None
    """A Prometheus base URL whose firing alerts the NOC page shows."""


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` -> (host, port).

    >>> parse_listen("127.0.0.1:9469")
    ('127.0.0.1', 9469)
    """
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ListenError(f"--listen {text!r}: expected HOST:PORT, e.g. 127.0.0.1:9469")
    return host.strip("[]") or "0.0.0.0", int(port)


def format_health(groups: list[GroupHealth], snapshot: Snapshot) -> str:
    """One line per redundancy group and a summary of the cycle."""
    up = sum(1 for d in snapshot.devices.values() if d.up)
    lines = [f"polled {len(snapshot.devices)} devices in {snapshot.duration_s:.2f}s ({up} answered)"]
    for dev in sorted(snapshot.devices.values(), key=lambda d: d.name):
        if not dev.up:
            lines.append(f"  unreachable: {dev.name} ({dev.error})")
    for health in groups:
        members = " ".join(f"{m}={s}" for m, s in health.members.items())
        lines.append(
            f"{health.group.name:<28} {health.state:<11} {health.healthy}/{health.expected}  {members}"
        )
    return "\n".join(lines)


async def poll_once(plan: Plan, credentials: Credentials, options: MonitorOptions) -> Snapshot:
    """One cycle over the plan (start times not spread)."""
    client = SnmpClient(credentials, timeout=options.timeout, retries=options.retries)
    try:
        poller = Poller(plan, client, spread=0.0, concurrency=options.concurrency)
        return await poller.cycle()
    finally:
        client.close()


async def _loop(poller: Poller, interval: float, stop: asyncio.Event, echo: Echo) -> None:
    while not stop.is_set():
        start = time.monotonic()
        snap = await poller.cycle()
        down = [n for n, d in snap.devices.items() if not d.up]
        if down:
            echo(f"cycle {snap.cycles_total}: {len(down)} unreachable: {', '.join(sorted(down))}")
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
    once: bool = False,
    echo: Echo = print,
    stop: asyncio.Event | None = None,
) -> Snapshot | None:
    """Poll ``network`` (its shard, ``devices`` only if given). ``once``: one cycle, print the
    health of every group, return the snapshot. Otherwise serve /metrics (and the NOC pages) and poll every
    ``interval`` until interrupted (or ``stop`` is set)."""
    plan = build_plan(network, devices=devices, lab=lab, shard=options.shard, hosts=hosts)
    if once:
        snap = asyncio.run(poll_once(plan, credentials, options))
        echo(format_health(judge(plan, snap), snap))
        return snap
    host, port = parse_listen(options.listen)

    async def main() -> None:
        client = SnmpClient(credentials, timeout=options.timeout, retries=options.retries)
        spread = options.interval / 2 if options.spread is None else options.spread
        poller = Poller(plan, client, spread=spread, concurrency=options.concurrency)
        site = NocSite(
            plan, lambda: poller.snapshot, interval=options.interval, prometheus=options.prometheus
        )
        try:
            server = serve(make_registry(plan, lambda: poller.snapshot), host, port, pages=site.page)
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
