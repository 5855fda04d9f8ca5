"""The SNMP poller at scale against simulated SNMPv3 agents (snmpsim), set up by the run itself.

``run_scale(work)`` (``make bench ONLY=scale``): 1,000 agents sharing one data file, polled by one
poller and then by two shards; ``prometheus-snmp-exporter`` on 100 of the same agents as the
anchor; then the province: every managed device of the 126-district generated inventory
(``benchmarks/generate.py``) simulated with its own data, polled by separate shard processes,
and every redundancy group judged by the shipped recording rules in a real Prometheus scraping
the shards. A shard process: ``python benchmarks/bench_scale.py --shard I/N --first-port P
(--agents A | --inventory DIR) [--cycles C] [--serve]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from benchmarks import bench_monitor, snmpsim_agents  # noqa: E402
from benchmarks.common import cpu_pressure  # noqa: E402
from benchmarks.generate import generate  # noqa: E402
from benchmarks.prometheus_rules import judge_with_rules  # noqa: E402
from govnet.inventory import load_network  # noqa: E402
from govnet.monitor.exporter import exposition, make_registry, serve  # noqa: E402
from govnet.monitor.health import judge  # noqa: E402
from govnet.monitor.plan import DevicePlan, LinkEnd, Peer, Plan, build_plan, shard_of  # noqa: E402
from govnet.monitor.poller import Poller  # noqa: E402
from govnet.monitor.snapshot import Snapshot  # noqa: E402
from govnet.monitor.transport import SnmpClient  # noqa: E402

AGENTS, FIRST_PORT = 1000, 31000
ANCHOR_AGENTS = 100
"""A tenth of the agents: 25 left the anchor moving 3.5-5.6 ms per device-cycle between runs."""
PROVINCE_DISTRICTS, PROVINCE_FIRST_PORT = 126, 12000
"""Province endpoints stay below the kernel's ephemeral range (32768-60999 by default)."""
AGENTS_PER_SIMULATOR, PROVINCE_SHARDS, PROVINCE_CYCLES = 1024, 4, 2

SCALE_DOC = f"""govnet's poller against simulated SNMPv3 agents (authPriv SHA/AES on 127.0.0.1), set up by the
run itself: snmpsim 1.2.2 in its own venv (``build/snmpsim-venv``, with pysmi and cryptography;
``benchmarks/snmpsim_v3.py`` puts snmpsim's request hook back under the name pysnmp >= 7.1.26
calls, so SNMPv3 requests are answered and each endpoint serves its own data file). The run
waits until every endpoint has answered an SNMPv3 GET. Each shard is a separate poller process;
CPU is its user+system time over the warm cycles (discovery cycle excluded), peak its VmHWM.

* 1,000 agents: one simulator process on core 1 (4 engine IDs x 250 endpoints), all agents
  shaped like a twin aggregation node (3 links, 2 BGP and 2 OSPF peers; data written from the
  twin's shape, not recorded); pollers pinned to core 0, one for all, then two shards at once;
  5 warm cycles. The anchor is prometheus-snmp-exporter 0.21 (the twin section's module: 11
  columns walked) scraping {ANCHOR_AGENTS} of the same agents in parallel, 10 cycles.
* Province: every managed device of {PROVINCE_DISTRICTS} generated districts
  (``benchmarks/generate.py``), each agent answering with its own data written from the poll plan
  (its link ends up under its planned names, BGP/OSPF/LDP peers up, one HA row per VRRP group with
  the group's active member master; vendor and hardware tables empty), {AGENTS_PER_SIMULATOR}
  agents per simulator process, simulators and {PROVINCE_SHARDS} shard pollers sharing both cores;
  {PROVINCE_CYCLES} warm cycles. Each shard then serves its metrics and a real Prometheus with the
  shipped rules.yml (one hashmod job per shard, as prometheus-shards.yml) judges every redundancy
  group from the shards' member observations.

The cycle wall is the simulators' (single-threaded Python answering every request); the poller's
own cost is its CPU. cpu_pressure is the kernel's PSI "some" avg60 (%) when the shard finished:
the machine is shared with other jobs.
"""


def sim_plan(first_port: int, agents: int, shard: tuple[int, int]) -> Plan:
    """The shard's share of ``agents`` agents shaped like :func:`snmpsim_agents.snmprec` (no
    model groups: the network is empty)."""
    from ipaddress import IPv4Address

    network = load_network(ROOT / "inventory").subset([])
    devices = []
    for i in range(agents):
        name = f"sim-{i:04d}"
        if shard_of(name, shard[1]) != shard[0]:
            continue
        links = tuple(LinkEnd(name, n, n, f"peer-{n}", f"{name}--{n}") for n in snmpsim_agents.LINKS)
        bgp = tuple(Peer(name, f"c{k}", IPv4Address(a)) for k, a in enumerate(snmpsim_agents.BGP_PEERS))
        ospf = tuple(Peer(name, f"c{k}", IPv4Address(a)) for k, a in enumerate(snmpsim_agents.OSPF_PEERS))
        devices.append(DevicePlan(name, "aggregation", "frr", "127.0.0.1", first_port + i, links, bgp, ospf))
    return Plan(network=network, devices=tuple(devices))


def province_simulators(agents: int, most: int = AGENTS_PER_SIMULATOR) -> tuple[int, int]:
    """(simulator processes, endpoints per simulator but the last few) for ``agents`` agents,
    at most ``most`` per simulator."""
    simulators = -(-agents // most)
    return simulators, -(-agents // simulators)


def province_ports(names: Sequence[str], first_port: int, most: int = AGENTS_PER_SIMULATOR) -> dict[str, int]:
    """Each device's endpoint: simulator k serves ports first_port + k * per.. (contiguous), and
    consecutive names go to different simulators: a poller works through its shard in name
    order, and in-flight requests piled on one simulator would outwait the poller's timeout."""
    simulators, per = province_simulators(len(names), most)
    return {name: first_port + (i % simulators) * per + i // simulators for i, name in enumerate(names)}


def province_plan(
    inventory: Path, first_port: int, shard: tuple[int, int], most: int = AGENTS_PER_SIMULATOR
) -> Plan:
    """The shard's share of every managed device of ``inventory``, each on its own endpoint
    (:func:`province_ports`)."""
    network = load_network(inventory)
    names = sorted(network.devices)
    return build_plan(
        network,
        shard=shard,
        hosts=dict.fromkeys(names, "127.0.0.1"),
        ports=province_ports(names, first_port, most),
    )


def poll_shard(plan: Plan, cycles: int) -> tuple[dict[str, object], Snapshot]:
    """Discovery, then ``cycles`` warm cycles: the shard's row and its last snapshot."""

    async def run_cycles() -> tuple[float, float, list[float], Snapshot]:
        client = SnmpClient(snmpsim_agents.CREDENTIALS, timeout=5.0, retries=1)
        poller = Poller(plan, client, concurrency=64)
        try:
            t0 = time.perf_counter()
            await poller.cycle()  # engine and ifIndex discovery
            discovery = time.perf_counter() - t0
            c1 = time.process_time()
            walls = []
            for _ in range(cycles):
                snap = await poller.cycle()
                walls.append(snap.duration_s)
            cpu = time.process_time() - c1
        finally:
            client.close()
        return discovery, cpu, walls, snap

    discovery, cpu, walls, snap = asyncio.run(run_cycles())
    hwm = next(ln for ln in Path("/proc/self/status").read_text().splitlines() if ln.startswith("VmHWM:"))
    devices = max(len(plan.devices), 1)
    judged = Counter(h.state for h in judge(plan, snap))
    row: dict[str, object] = {
        "devices": len(plan.devices),
        "answered": sum(1 for d in snap.devices.values() if d.up),
        "cycles": len(walls),
        "discovery_cycle_s": round(discovery, 1),
        "cycle_wall_s_median": round(sorted(walls)[len(walls) // 2], 2),
        "cycle_wall_s_max": round(max(walls), 2),
        "cpu_s_per_cycle": round(cpu / len(walls), 3),
        "cpu_ms_per_device_cycle": round(cpu / (devices * len(walls)) * 1000, 3),
        "peak_mib": round(int(hwm.split()[1]) / 1024),
        "groups_judged_in_shard": ", ".join(f"{n} {s}" for s, n in sorted(judged.items())) or "0",
        "cpu_pressure": cpu_pressure(),
    }
    return row, snap


def _shards(
    argv: list[str], shards: int, serve_metrics: bool, cores: str | None
) -> list[subprocess.Popen[str]]:
    pin = ["taskset", "-c", cores] if cores else []
    base = [*pin, sys.executable, str(Path(__file__).resolve()), *argv]
    return [
        subprocess.Popen(
            [*base, "--shard", f"{i}/{shards}", *(["--serve"] if serve_metrics else [])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(shards)
    ]


def _rows(procs: list[subprocess.Popen[str]]) -> list[dict[str, object]]:
    """Each shard's JSON row (its first stdout line); a shard that exits without one fails."""
    rows = []
    for proc in procs:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"scale poller (pid {proc.pid}) exited with {proc.wait()} and no row")
        rows.append(json.loads(line))
    return rows


def _stop_all(procs: Sequence[subprocess.Popen[Any]]) -> None:
    """SIGTERM every process first (they stop in parallel), then wait for each."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        snmpsim_agents.stop(proc)


def _anchor() -> dict[str, object]:
    """prometheus-snmp-exporter scraping ANCHOR_AGENTS of the 1,000 agents in parallel (10 s per
    request: the simulator answers slower than the twin); a failed scrape is the row's note."""
    row: dict[str, object] = {
        "run": f"{ANCHOR_AGENTS} of the {AGENTS} agents",
        "poller": "prometheus-snmp-exporter 0.21 (anchor)",
    }
    hosts = [f"127.0.0.1:{FIRST_PORT + i}" for i in range(ANCHOR_AGENTS)]
    user, auth, priv = snmpsim_agents.USER, snmpsim_agents.AUTH_KEY, snmpsim_agents.PRIV_KEY
    with tempfile.TemporaryDirectory(prefix="govnet-bench-anchor-") as tmp:
        try:
            anchor = bench_monitor.bench_snmp_exporter(hosts, user, auth, priv, Path(tmp), timeout="10s")
        except OSError as exc:  # urllib's HTTPError (a failed scrape) included
            return {**row, "note": f"not measured: {exc}", "cpu_pressure": cpu_pressure()}
    keep = ("devices", "cycles", "cycle_wall_s_median", "cycle_wall_s_max", "cpu_ms_per_device_cycle")
    return {**row, **{k: anchor[k] for k in keep}, "cpu_pressure": cpu_pressure()}


def run_thousand(work: Path) -> list[dict[str, object]]:
    """1,000 shared-data agents on core 1: one poller, then two shards, on core 0; the anchor."""
    sim_dir = snmpsim_agents.data_dir()
    sim = snmpsim_agents.start(sim_dir, FIRST_PORT, AGENTS, cores="1")
    rows: list[dict[str, object]] = []
    try:
        ready = snmpsim_agents.wait_answering([sim])
        print(f"scale: {AGENTS} agents answered SNMPv3 after {ready:.0f} s", file=sys.stderr)
        for shards in (1, 2):
            procs = _shards(["--agents", str(AGENTS), "--first-port", str(FIRST_PORT)], shards, False, "0")
            try:
                rows += [
                    {"run": f"{AGENTS} agents", "poller": f"govnet shard {i}/{shards}", **row}
                    for i, row in enumerate(_rows(procs))
                ]
            finally:
                _stop_all(procs)
        rows.append(_anchor())
    finally:
        snmpsim_agents.stop(sim)
        shutil.rmtree(sim_dir, ignore_errors=True)
    return rows


def run_province(
    work: Path,
    districts: int = PROVINCE_DISTRICTS,
    shards: int = PROVINCE_SHARDS,
    cycles: int = PROVINCE_CYCLES,
    most: int = AGENTS_PER_SIMULATOR,
) -> list[dict[str, object]]:
    """Every managed device of the generated province simulated, polled by shard processes,
    every group judged by the recording rules."""
    inventory = generate(districts, work / "province")
    whole = province_plan(inventory, PROVINCE_FIRST_PORT, (0, 1), most)
    data = {dev.port: snmpsim_agents.device_snmprec(whole.network, dev) for dev in whole.devices}
    agents = len(data)
    base = snmpsim_agents.data_dir()
    sims = []
    rows: list[dict[str, object]] = []
    try:
        simulators, per = province_simulators(agents, most)
        for k in range(simulators):
            first = PROVINCE_FIRST_PORT + k * per
            count = sum(1 for port in data if first <= port < first + per)
            sims.append(
                snmpsim_agents.start(
                    base / f"sim-{k}",
                    first,
                    count,
                    cores="0,1",
                    data=[data[port] for port in range(first, first + count)],
                )
            )
        ready = snmpsim_agents.wait_answering(sims)
        print(f"scale: {agents} province agents answered SNMPv3 after {ready:.0f} s", file=sys.stderr)
        argv = ["--inventory", str(inventory), "--first-port", str(PROVINCE_FIRST_PORT), "--most", str(most)]
        procs = _shards([*argv, "--cycles", str(cycles)], shards, True, None)
        try:
            shard_rows = _rows(procs)
            ports_served = [int(str(r.pop("metrics_port"))) for r in shard_rows]
            verdict = judge_with_rules(ports_served, len(whole.network.groups), work / "prometheus")
        finally:
            _stop_all(procs)
        run = f"province: {agents} agents, {len(sims)} simulators"
        rows += [
            {"run": run, "poller": f"govnet shard {i}/{shards}", **row} for i, row in enumerate(shard_rows)
        ]
        rows.append({"run": run, "poller": "Prometheus + rules.yml over the shards", **verdict})
    finally:
        _stop_all(sims)
        shutil.rmtree(base, ignore_errors=True)
    return rows


def run_scale(work: Path) -> list[dict[str, object]]:
    """The 1,000-agent run, then the province (needs root: snmpsim drops to nobody; 2 cores)."""
    if os.geteuid() != 0 or len(os.sched_getaffinity(0)) < 2:
        print("bench_scale: skipped (needs root and 2 cores)")
        return []
    return run_thousand(work) + run_province(work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shard", required=True, help="I/N")
    parser.add_argument("--first-port", type=int, required=True)
    parser.add_argument("--agents", type=int, help="shared-data agents (sim-0000..)")
    parser.add_argument("--inventory", type=Path, help="a generated inventory: one agent per device")
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--most", type=int, default=AGENTS_PER_SIMULATOR, help="agents per simulator")
    parser.add_argument("--serve", action="store_true", help="then serve /metrics until stdin closes")
    args = parser.parse_args()
    index, total = (int(x) for x in args.shard.split("/"))
    if args.inventory is not None:
        plan = province_plan(args.inventory, args.first_port, (index, total), args.most)
    else:
        plan = sim_plan(args.first_port, args.agents, (index, total))
    row, snap = poll_shard(plan, args.cycles)
    server = None
    if args.serve:  # govnet's own exporter, as `govnet monitor --listen` serves it
        c0, t0 = time.process_time(), time.perf_counter()
        registry = make_registry(plan, lambda: snap)
        row["exporter_start_s"] = round(time.perf_counter() - t0, 2)
        c1 = time.process_time()
        body = exposition(registry)
        row["scrape_cpu_s"] = round(time.process_time() - c1, 2)
        row["scrape_mib"] = round(len(body) / 2**20, 1)
        row["exporter_cpu_s"] = round(time.process_time() - c0, 2)
        server = serve(registry, "127.0.0.1", 0)
        row["metrics_port"] = server.server_address[1]
    print(json.dumps(row), flush=True)
    if server is not None:
        sys.stdin.read()  # serve until the parent closes our stdin (or stops us)
        server.shutdown()


if __name__ == "__main__":
    main()
