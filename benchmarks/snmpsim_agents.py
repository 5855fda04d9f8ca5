"""Simulated SNMPv3 agents for the poller's scale runs: snmpsim 1.2.2 in its own venv.

``ensure_venv()`` builds ``build/snmpsim-venv`` (snmpsim 1.2.2 with the ``pysmi`` and
``cryptography`` it needs beside it); ``start()`` writes one data file shaped like a twin
aggregation node (3 links, 2 BGP and 2 OSPF peers, every value the poller asks for) and serves it
from one snmpsim process: ``engines`` SNMPv3 engine IDs, each on a share of the UDP endpoints
127.0.0.1:first_port.., user ``simuser`` (SHA/AES, keys ``simauthkey1``/``simprivkey1``), pinned
to one core. ``benchmarks/snmpsim_v3.py`` makes snmpsim answer SNMPv3 on pysnmp >= 7.1.26.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIM_VENV = ROOT / "build" / "snmpsim-venv"
SIM_PACKAGES = ("snmpsim==1.2.2", "pysmi", "cryptography")
USER, AUTH_KEY, PRIV_KEY = "simuser", "simauthkey1", "simprivkey1"
LINKS = ("ge0-0-1", "ge0-0-2", "ge1-0-1")
BGP_PEERS = ("10.0.0.9", "10.0.0.10")
OSPF_PEERS = ("10.1.0.1", "10.1.0.5")


def ensure_venv() -> Path:
    """The simulator's python, installing its venv on first use (idempotent)."""
    python = SIM_VENV / "bin" / "python"
    stamp = SIM_VENV / ".installed"
    if not stamp.exists() or stamp.read_text() != "\n".join(SIM_PACKAGES):
        # snmpsim drops root to nobody, who must still read the interpreter's standard library:
        # the system python's, world-readable (an interpreter installed under /root is not)
        base = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
        subprocess.run([base, "-m", "venv", "--clear", str(SIM_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *SIM_PACKAGES], check=True)
        stamp.write_text("\n".join(SIM_PACKAGES))
    return python


def _oid_key(line: str) -> tuple[int, ...]:
    return tuple(int(x) for x in line.split("|", 1)[0].split("."))


def snmprec() -> str:
    """The agent's data (snmprec: ``OID|type|value``, in OID order)."""
    rows = ["1.3.6.1.2.1.1.3.0|67|8640000", "1.3.6.1.2.1.1.5.0|4|sim-aggregation"]
    for index, name in enumerate(LINKS, start=1):
        rows += [
            f"1.3.6.1.2.1.2.2.1.2.{index}|4|{name}",
            f"1.3.6.1.2.1.2.2.1.7.{index}|2|1",
            f"1.3.6.1.2.1.2.2.1.8.{index}|2|1",
            f"1.3.6.1.2.1.2.2.1.9.{index}|67|1200",
            *(f"1.3.6.1.2.1.2.2.1.{column}.{index}|65|{index}" for column in (13, 14, 19, 20)),
            f"1.3.6.1.2.1.31.1.1.1.1.{index}|4|{name}",
            f"1.3.6.1.2.1.31.1.1.1.6.{index}|70|{123456789 * index}",
            f"1.3.6.1.2.1.31.1.1.1.10.{index}|70|{987654321 * index}",
            f"1.3.6.1.2.1.31.1.1.1.15.{index}|66|10000",
            f"1.3.6.1.2.1.31.1.1.1.18.{index}|4|link {index} to peer-{name}",
        ]
    for peer in BGP_PEERS:
        rows += [f"1.3.6.1.2.1.15.3.1.2.{peer}|2|6", f"1.3.6.1.2.1.15.3.1.16.{peer}|66|86400"]
    rows += [f"1.3.6.1.2.1.14.10.1.6.{peer}.0|2|8" for peer in OSPF_PEERS]
    return "\n".join(sorted(rows, key=_oid_key)) + "\n"


def start(
    work: Path, first_port: int, agents: int, engines: int = 4, core: int = 1
) -> subprocess.Popen[bytes]:
    """snmpsim serving ``agents`` endpoints from ``first_port`` on, pinned to ``core``; waits until
    the last endpoint answers SNMPv3."""
    python = ensure_venv()
    data = work / "snmpsim-data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "self.snmprec").write_text(snmprec(), encoding="utf-8")
    argv = ["taskset", "-c", str(core), str(python), str(ROOT / "benchmarks" / "snmpsim_v3.py")]
    argv += [f"--cache-dir={work / 'snmpsim-cache'}", "--logging-method=null"]
    argv += ["--process-user=nobody", "--process-group=nogroup"]
    per_engine = -(-agents // engines)
    for engine in range(engines):
        ports = range(
            first_port + engine * per_engine, min(first_port + agents, first_port + (engine + 1) * per_engine)
        )
        argv += [
            f"--v3-engine-id=80001f8880{engine + 1:02x}000000000000{engine + 1:02x}",
            f"--data-dir={data}",
        ]
        argv += [f"--v3-user={USER}", f"--v3-auth-key={AUTH_KEY}", "--v3-auth-proto=SHA"]
        argv += [f"--v3-priv-key={PRIV_KEY}", "--v3-priv-proto=AES"]
        argv += [f"--agent-udpv4-endpoint=127.0.0.1:{port}" for port in ports]
    (work / "snmpsim-cache").mkdir(parents=True, exist_ok=True)
    subprocess.run(["chown", "-R", "nobody:nogroup", str(work / "snmpsim-cache")], check=False)
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_answering(first_port + agents - 1, proc)
    except BaseException:
        stop(proc)
        raise
    return proc


def _wait_answering(port: int, proc: subprocess.Popen[bytes], timeout: float = 600.0) -> None:
    import asyncio

    from govnet.credentials import Credentials
    from govnet.monitor.oids import SYS_UPTIME
    from govnet.monitor.snmp import SnmpTarget
    from govnet.monitor.transport import SnmpClient

    creds = Credentials(snmp_user=USER, snmp_auth_key=AUTH_KEY, snmp_priv_key=PRIV_KEY)

    async def ask() -> bool:
        client = SnmpClient(creds, timeout=1.0, retries=0)
        client.add_target(SnmpTarget("probe", "127.0.0.1", port))
        try:
            return bool(await client.get("probe", [SYS_UPTIME]))
        except Exception:
            return False
        finally:
            client.close()

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"snmpsim exited with {proc.returncode}")
        if asyncio.run(ask()):
            return
        time.sleep(0.5)
    raise RuntimeError(f"snmpsim did not answer SNMPv3 on 127.0.0.1:{port} within {timeout:.0f} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the simulator this module started."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
