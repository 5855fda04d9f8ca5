"""Simulated SNMPv3 agents for the poller's scale runs: snmpsim 1.2.2 in its own venv.

``ensure_venv()`` builds ``build/snmpsim-venv`` (snmpsim 1.2.2 with the ``pysmi`` and
``cryptography`` it needs beside it, on the system python that the unprivileged user snmpsim
drops to can read). ``start()`` serves agents on UDP endpoints 127.0.0.1:first_port.. from one
snmpsim process: ``engines`` SNMPv3 engine IDs, each on a share of the endpoints, user
``simuser`` (SHA/AES, keys ``simauthkey1``/``simprivkey1``), pinned to the given cores. Every
agent answers from one shared data file shaped like a twin aggregation node (:func:`snmprec`),
or each from its own (:func:`device_snmprec`: what one planned device of the model shows),
selected by the endpoint's transport ID. ``wait_answering()`` GETs sysUpTime over SNMPv3 from
every endpoint until each has answered. ``benchmarks/snmpsim_v3.py`` makes snmpsim answer
SNMPv3 on pysnmp >= 7.1.26.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from govnet.credentials import Credentials
from govnet.model import Network
from govnet.monitor import oids
from govnet.monitor.oids import Oid, oid
from govnet.monitor.plan import DevicePlan
from govnet.monitor.snmp import SnmpTarget
from govnet.monitor.transport import SnmpClient

ROOT = Path(__file__).resolve().parent.parent
SIM_VENV = ROOT / "build" / "snmpsim-venv"
SIM_PACKAGES = ("snmpsim==1.2.2", "pysmi", "cryptography")
USER, AUTH_KEY, PRIV_KEY = "simuser", "simauthkey1", "simprivkey1"
CREDENTIALS = Credentials(snmp_user=USER, snmp_auth_key=AUTH_KEY, snmp_priv_key=PRIV_KEY)
LINKS = ("ge0-0-1", "ge0-0-2", "ge1-0-1")
BGP_PEERS = ("10.0.0.9", "10.0.0.10")
OSPF_PEERS = ("10.1.0.1", "10.1.0.5")
UDP_DOMAIN = "1.3.6.1.6.1.1"
"""snmpUDPDomain: snmpsim numbers a process's UDP endpoints UDP_DOMAIN.0, .1, ... in argument
order and looks for an endpoint's own data file under that transport ID."""
START_SECONDS, START_SECONDS_PER_AGENT = 60.0, 0.05
"""How long agents may take to answer: a base plus a share per agent (index build, bind)."""


def ensure_venv() -> Path:
    """The simulator's python, installing its venv on first use (idempotent)."""
    python = SIM_VENV / "bin" / "python"
    stamp = SIM_VENV / ".installed"
    if not python.exists() or not stamp.exists() or stamp.read_text() != "\n".join(SIM_PACKAGES):
        # snmpsim drops root to nobody, who must still read the interpreter's standard library:
        # the system python's, world-readable (an interpreter installed under /root is not)
        base = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
        subprocess.run([base, "-m", "venv", "--clear", str(SIM_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *SIM_PACKAGES], check=True)
        stamp.write_text("\n".join(SIM_PACKAGES))
    return python


def _oid_key(line: str) -> tuple[int, ...]:
    return oid(line.split("|", 1)[0])


def _rows(rows: list[str]) -> str:
    return "\n".join(sorted(rows, key=_oid_key)) + "\n"


def _dotted(base: Oid, *index: object) -> str:
    return ".".join([*(str(p) for p in base), *(str(p) for p in index)])


def _interface_rows(index: int, name: str, alias: str, up: bool = True) -> list[str]:
    return [
        f"{_dotted(oids.IF_DESCR, index)}|4|{name}",
        f"{_dotted(oids.IF_ADMIN_STATUS, index)}|2|1",
        f"{_dotted(oids.IF_OPER_STATUS, index)}|2|{1 if up else 2}",
        f"{_dotted(oids.IF_LAST_CHANGE, index)}|67|1200",
        *(
            f"{_dotted(column, index)}|65|{index}"
            for column in (oids.IF_IN_DISCARDS, oids.IF_IN_ERRORS, oids.IF_OUT_DISCARDS, oids.IF_OUT_ERRORS)
        ),
        f"{_dotted(oids.IF_NAME, index)}|4|{name}",
        f"{_dotted(oids.IF_HC_IN_OCTETS, index)}|70|{123456789 * index}",
        f"{_dotted(oids.IF_HC_OUT_OCTETS, index)}|70|{987654321 * index}",
        f"{_dotted(oids.IF_HIGH_SPEED, index)}|66|10000",
        f"{_dotted(oids.IF_ALIAS, index)}|4|{alias}",
    ]


def snmprec() -> str:
    """The shared agent's data (snmprec: ``OID|type|value``, in OID order): 3 links, 2 BGP and
    2 OSPF peers, every value the poller asks for."""
    rows = [f"{_dotted(oids.SYS_UPTIME)}|67|8640000", f"{_dotted(oids.SYS_NAME)}|4|sim-aggregation"]
    for index, name in enumerate(LINKS, start=1):
        rows += _interface_rows(index, name, f"link {index} to peer-{name}")
    for peer in BGP_PEERS:
        rows += [
            f"{_dotted(oids.BGP_PEER_STATE, peer)}|2|6",
            f"{_dotted(oids.BGP_PEER_FSM_ESTABLISHED_TIME, peer)}|66|86400",
        ]
    rows += [f"{_dotted(oids.OSPF_NBR_STATE, peer, 0)}|2|8" for peer in OSPF_PEERS]
    return _rows(rows)


def device_snmprec(network: Network, dev: DevicePlan) -> str:
    """What ``dev`` of ``network`` shows in a healthy network: its planned link ends up (ifName as
    planned), its BGP peers established, OSPF neighbours full, LDP sessions operational, and as a
    member of VRRP groups one row per group in its platform's first HA table (master on the
    group's active member, backup on the others). Vendor and hardware tables stay empty."""
    rows = [f"{_dotted(oids.SYS_UPTIME)}|67|8640000", f"{_dotted(oids.SYS_NAME)}|4|{dev.name}"]
    for index, end in enumerate(dev.links, start=1):
        rows += _interface_rows(index, end.ifname, f"to {end.peer} {end.link}")
    for peer in dev.bgp:
        rows += [
            f"{_dotted(oids.BGP_PEER_STATE, peer.address)}|2|6",
            f"{_dotted(oids.BGP_PEER_FSM_ESTABLISHED_TIME, peer.address)}|66|86400",
        ]
    rows += [f"{_dotted(oids.OSPF_NBR_STATE, peer.address, 0)}|2|8" for peer in dev.ospf]
    for peer in dev.ldp:  # mplsLdpSessionState: entity LDP id . entity index . peer LDP id; operational(5)
        rows.append(f"{_dotted(oids.LDP_SESSION_STATE, '192.0.2.1.0.0', 1, peer.address, '0.0')}|2|5")
    if dev.ha_expected and dev.ha_tables:
        table = dev.ha_tables[0]
        backup = 2 if table.master != 2 else 1
        for _segment, group in network.vrrp_groups(dev.name):
            row_index = ["1", str(group.vrid), *(["3"] * (-table.instance - 1))]
            value = table.master if group.active == dev.name else backup
            rows.append(f"{table.oid}.{'.'.join(row_index)}|2|{value}")
    return _rows(rows)


def data_dir() -> Path:
    """A fresh directory in the system's temporary directory that the simulator's unprivileged
    user can reach and read (not inside a benchmark's own temporary directory: root's, mode
    0700, which left every agent silent). The caller removes it."""
    path = Path(tempfile.mkdtemp(prefix="govnet-snmpsim-"))
    path.chmod(0o755)
    return path


def start(
    sim_dir: Path,
    first_port: int,
    agents: int,
    *,
    engines: int = 4,
    cores: str = "1",
    data: Sequence[str] | None = None,
) -> subprocess.Popen[bytes]:
    """One snmpsim process serving ``agents`` endpoints from ``first_port`` on, pinned to
    ``cores`` (taskset list); ``data``: one snmprec text per endpoint (default: all share
    :func:`snmprec`). Does not wait: see :func:`wait_answering`. Its errors go to
    ``sim_dir/snmpsim.log``."""
    python = ensure_venv()
    sim_dir.mkdir(parents=True, exist_ok=True)
    sim_dir.chmod(0o755)
    cache = sim_dir / "cache"
    cache.mkdir(exist_ok=True)
    shutil.chown(cache, "nobody", "nogroup")
    argv = ["taskset", "-c", cores, str(python), str(ROOT / "benchmarks" / "snmpsim_v3.py")]
    argv += [f"--cache-dir={cache}", "--log-level=error"]
    argv += ["--process-user=nobody", "--process-group=nogroup"]
    per_engine = -(-agents // max(1, min(engines, agents)))
    for engine in range(-(-agents // per_engine)):  # snmpsim refuses an engine without endpoints
        first = engine * per_engine
        endpoints = range(first, min(agents, first + per_engine))
        engine_dir = sim_dir / f"engine-{engine}"
        engine_dir.mkdir(exist_ok=True)
        if data is None:
            _write(engine_dir / "self.snmprec", snmprec())
        else:
            for k in endpoints:  # snmpsim's transport ID k counts endpoints across the engines
                _write(engine_dir / f"{UDP_DOMAIN}.{k}" / "127.0.0.1.snmprec", data[k])
        argv += [f"--v3-engine-id=80001f8880{engine + 1:02x}{os.getpid() % 65536:08x}{first_port:06x}"]
        argv += [f"--data-dir={engine_dir}", f"--v3-user={USER}", f"--v3-auth-key={AUTH_KEY}"]
        argv += ["--v3-auth-proto=SHA", f"--v3-priv-key={PRIV_KEY}", "--v3-priv-proto=AES"]
        argv += [f"--agent-udpv4-endpoint=127.0.0.1:{first_port + k}" for k in endpoints]
    log = (sim_dir / "snmpsim.log").open("wb")
    try:
        return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log)
    finally:
        log.close()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o755)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)


def start_timeout(agents: int) -> float:
    """Seconds ``agents`` agents may take to answer, whatever the machine's load."""
    return START_SECONDS + START_SECONDS_PER_AGENT * agents


def endpoints(proc: subprocess.Popen[Any]) -> list[int]:
    """The UDP ports a simulator started by :func:`start` serves, in the order it binds them."""
    flag = "--agent-udpv4-endpoint="
    args = proc.args if isinstance(proc.args, list) else [proc.args]
    return [int(a.rsplit(":", 1)[1]) for a in map(str, args) if a.startswith(flag)]


def wait_answering(procs: Sequence[subprocess.Popen[bytes]], timeout: float | None = None) -> float:
    """Until every endpoint of every simulator has answered an SNMPv3 authPriv GET of sysUpTime;
    the seconds it took. First each simulator's last endpoint (bound last), so a simulator still
    indexing its data costs one probe, not one timeout per endpoint; then every endpoint.
    RuntimeError naming the endpoints that did not answer within ``timeout`` (default
    :func:`start_timeout` of the agent count) or the simulator that exited."""
    ports = [port for proc in procs for port in endpoints(proc)]
    limit = start_timeout(len(ports)) if timeout is None else timeout
    t0 = time.monotonic()
    sentinels = [endpoints(proc)[-1] for proc in procs]
    for phase in (sentinels, ports):
        waiting = sorted(phase)
        while waiting:
            for proc in procs:
                if proc.poll() is not None:
                    served = endpoints(proc)
                    raise RuntimeError(
                        f"snmpsim (pid {proc.pid}, 127.0.0.1:{served[0]}..{served[-1]}) exited with "
                        f"{proc.returncode}"
                    )
            waiting = asyncio.run(_unanswered(waiting))
            if waiting and time.monotonic() - t0 > limit:
                shown = ", ".join(f"127.0.0.1:{p}" for p in waiting[:10])
                more = f" and {len(waiting) - 10} more" if len(waiting) > 10 else ""
                raise RuntimeError(
                    f"{len(waiting)} of {len(phase)} simulated agents probed did not answer an SNMPv3 "
                    f"GET within {limit:.0f} s: {shown}{more}"
                )
            if waiting:
                time.sleep(1.0)
    return time.monotonic() - t0


async def _unanswered(ports: Sequence[int], concurrency: int = 512) -> list[int]:
    client = SnmpClient(CREDENTIALS, timeout=2.0, retries=0)
    limit = asyncio.Semaphore(concurrency)
    for port in ports:
        client.add_target(SnmpTarget(str(port), "127.0.0.1", port))

    async def answers(port: int) -> bool:
        async with limit:
            try:
                return bool(await client.get(str(port), [oids.SYS_UPTIME]))
            except Exception:  # any failure is "not answering yet"
                return False

    try:
        results = await asyncio.gather(*(answers(p) for p in ports))
    finally:
        client.close()
    return [p for p, ok in zip(ports, results, strict=True) if not ok]


def stop(proc: subprocess.Popen[Any]) -> None:
    """Stop a process this benchmark started (by its PID): SIGTERM, then SIGKILL after 10 s."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
