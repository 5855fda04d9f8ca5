"""SNMP poll cycle over the default twin (36 devices, SNMPv3 authPriv SHA/AES): govnet's poller
vs Debian's prometheus-snmp-exporter 0.21 (the anchor) scraping every device in parallel.

snmp_exporter's module asks the 11 columns a NOC asks (sysUpTime, ifAdminStatus, ifOperStatus,
ifInDiscards, ifInErrors, ifOutErrors, ifHCInOctets, ifHCOutOctets, ifHighSpeed, bgpPeerState,
ospfNbrState) by walking them; govnet GETs the rows the model names and more per row (ifLastChange,
ifOutDiscards, bgpPeerFsmEstablishedTime, ospf and LDP sessions; ifAlias every 10th cycle).
CPU is the poller process's user+system time (govnet: this process, in-process poller, discovery
cycle excluded; snmp_exporter: the exporter's /proc counters), per device per cycle; wall is the
time of one full-district cycle. Needs root (boots the twin) and the lab lock:
``flock /tmp/govnet-lab.lock .venv/bin/python benchmarks/bench_monitor.py``.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CYCLES = 10
COLUMNS = {
    "ifAdminStatus": "1.3.6.1.2.1.2.2.1.7",
    "ifOperStatus": "1.3.6.1.2.1.2.2.1.8",
    "ifInDiscards": "1.3.6.1.2.1.2.2.1.13",
    "ifInErrors": "1.3.6.1.2.1.2.2.1.14",
    "ifOutErrors": "1.3.6.1.2.1.2.2.1.20",
    "ifHCInOctets": "1.3.6.1.2.1.31.1.1.1.6",
    "ifHCOutOctets": "1.3.6.1.2.1.31.1.1.1.10",
    "ifHighSpeed": "1.3.6.1.2.1.31.1.1.1.15",
}
BGP_PEER_STATE = "1.3.6.1.2.1.15.3.1.2"
OSPF_NBR_STATE = "1.3.6.1.2.1.14.10.1.6"
SYS_UPTIME = "1.3.6.1.2.1.1.3"


def snmp_exporter_module(user: str, auth: str, priv: str, timeout: str = "2s") -> dict[str, object]:
    """The snmp.yml module for 0.21 (auth inside the module) walking the same 11 columns."""
    metrics: list[dict[str, object]] = [{"name": "sysUpTime", "oid": SYS_UPTIME, "type": "gauge"}]
    metrics += [
        {
            "name": name,
            "oid": oid,
            "type": "counter" if "Octets" in name or "Err" in name or "Disc" in name else "gauge",
            "indexes": [{"labelname": "ifIndex", "type": "gauge"}],
        }
        for name, oid in COLUMNS.items()
    ]
    metrics.append(
        {
            "name": "bgpPeerState",
            "oid": BGP_PEER_STATE,
            "type": "gauge",
            "indexes": [{"labelname": "bgpPeerRemoteAddr", "type": "InetAddressIPv4"}],
        }
    )
    metrics.append(
        {
            "name": "ospfNbrState",
            "oid": OSPF_NBR_STATE,
            "type": "gauge",
            "indexes": [
                {"labelname": "ospfNbrIpAddr", "type": "InetAddressIPv4"},
                {"labelname": "ospfNbrAddressLessIndex", "type": "gauge"},
            ],
        }
    )
    return {
        "govnet": {
            "get": [SYS_UPTIME + ".0"],
            "walk": [*COLUMNS.values(), BGP_PEER_STATE, OSPF_NBR_STATE],
            "metrics": metrics,
            "version": 3,
            "max_repetitions": 25,
            "retries": 1,
            "timeout": timeout,
            "auth": {
                "username": user,
                "security_level": "authPriv",
                "password": auth,
                "auth_protocol": "SHA",
                "priv_protocol": "AES",
                "priv_password": priv,
            },
        }
    }


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def bench_snmp_exporter(
    hosts: list[str], user: str, auth: str, priv: str, work: Path, timeout: str = "2s"
) -> dict[str, object]:
    """Scrape every host in parallel CYCLES times (after one warm-up cycle); ``timeout`` per
    SNMP request (the scale run's simulators answer slower than the twin's agents)."""
    conf = work / "snmp.yml"
    fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(snmp_exporter_module(user, auth, priv, timeout), fh)  # JSON is YAML
    port = _port()
    proc = subprocess.Popen(
        [
            "prometheus-snmp-exporter",
            f"--config.file={conf}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=error",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

        def scrape(host: str) -> int:
            url = f"http://127.0.0.1:{port}/snmp?module=govnet&target={host}"
            with urllib.request.urlopen(url, timeout=30) as resp:
                body = resp.read().decode()
            return sum(1 for ln in body.splitlines() if ln.startswith(("if", "bgp", "ospf", "sysUpTime")))

        with ThreadPoolExecutor(len(hosts)) as pool:
            samples = sum(pool.map(scrape, hosts))  # warm-up (engine discovery)
            cpu0 = _cpu_seconds(proc.pid)
            walls = []
            for _ in range(CYCLES):
                t0 = time.perf_counter()
                list(pool.map(scrape, hosts))
                walls.append(time.perf_counter() - t0)
            cpu = _cpu_seconds(proc.pid) - cpu0
    finally:
        proc.terminate()
        proc.wait(10)
        conf.unlink()
    return _row("prometheus-snmp-exporter 0.21 (anchor)", len(hosts), cpu, walls, samples)


def bench_govnet(
    network: object, devices: list[str], creds: object, *, pysnmp: bool = False
) -> dict[str, object]:
    """govnet's poller with its bytes-level client (or, ``pysnmp``, pysnmp 7's low-level one)."""
    from govnet.monitor.plan import build_plan
    from govnet.monitor.poller import Poller
    from govnet.monitor.snmp import PysnmpClient
    from govnet.monitor.transport import SnmpClient

    plan = build_plan(network, devices=devices, lab=True)  # type: ignore[arg-type]
    client_type = PysnmpClient if pysnmp else SnmpClient

    async def cycles() -> tuple[float, list[float], int]:
        client = client_type(creds, timeout=2.0, retries=1)  # type: ignore[arg-type]
        poller = Poller(plan, client)
        try:
            await poller.cycle()  # discovery
            cpu0 = time.process_time()
            walls = []
            for _ in range(CYCLES):
                snap = await poller.cycle()
                walls.append(snap.duration_s)
            cpu = time.process_time() - cpu0
        finally:
            client.close()
        answered = sum(1 for d in snap.devices.values() if d.up)
        return cpu, walls, answered

    cpu, walls, answered = asyncio.run(cycles())
    name = "govnet poller, pysnmp 7 low-level client" if pysnmp else "govnet monitor poller"
    return _row(name, len(plan.devices), cpu, walls, answered)


def _row(name: str, devices: int, cpu: float, walls: list[float], note: int) -> dict[str, object]:
    return {
        "poller": name,
        "devices": devices,
        "cycles": len(walls),
        "cpu_ms_per_device_cycle": round(cpu / (devices * len(walls)) * 1000, 2),
        "cycle_wall_s_median": round(sorted(walls)[len(walls) // 2], 3),
        "cycle_wall_s_max": round(max(walls), 3),
        "check": note,
    }


def measure(workdir: Path) -> list[dict[str, object]]:
    """Both pollers against the running twin in ``workdir``."""
    from govnet.inventory import load_network
    from govnet.lab.credentials import read_credentials
    from govnet.lab.state import load_state

    state = load_state(workdir)
    assert state is not None
    creds = read_credentials(workdir)
    devices = list(state.lab_topology().devices)
    network = load_network(ROOT / "inventory")
    hosts = [str(network.devices[d].mgmt_ip.ip) for d in devices]
    with tempfile.TemporaryDirectory(prefix="govnet-bench-snmp-") as tmp:
        anchor = bench_snmp_exporter(
            hosts, creds.snmp_user, creds.snmp_auth_key, creds.snmp_priv_key, Path(tmp)
        )
    rows = [anchor, bench_govnet(network, devices, creds), bench_govnet(network, devices, creds, pysnmp=True)]
    for row in rows[1:]:
        row["cpu_ratio_vs_anchor"] = round(
            float(str(row["cpu_ms_per_device_cycle"]))
            / max(float(str(anchor["cpu_ms_per_device_cycle"])), 1e-9),
            2,
        )
    return rows


def run(work: Path) -> list[dict[str, object]]:
    """Boot the default twin provisioned, wait for convergence, measure, tear it down."""
    if os.geteuid() != 0:
        print("bench_monitor: skipped (needs root)")
        return []
    from govnet.lab.down import lab_down
    from govnet.lab.status import converged, lab_status
    from govnet.lab.up import lab_up

    workdir = work / "lab-monitor"
    try:
        lab_up(ROOT / "inventory", workdir, provisioned=True, echo=lambda _m: None)
        deadline = time.monotonic() + 120
        while not converged(lab_status(workdir)) and time.monotonic() < deadline:
            time.sleep(2)
        time.sleep(5)  # LDP sessions settle after BGP
        return measure(workdir)
    finally:
        lab_down(workdir, echo=lambda _m: None)


if __name__ == "__main__":
    if len(sys.argv) > 1:  # an already running twin: bench_monitor.py WORKDIR
        rows = measure(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory(prefix="govnet-bench-") as tmp:
            rows = run(Path(tmp))
    for row in rows:
        print(json.dumps(row))

