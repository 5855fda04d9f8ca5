"""A real net-snmp agent replaying a recording of a real device (LibreNMS snmprec slices in
tests/fixtures/snmprec/): snmpd answers SNMPv3 authPriv itself and hands the recorded subtrees to
this file run as its ``pass_persist`` program. A replay of a real recording, not the device.

``python snmprec_agent.py FILE PREFIX`` speaks net-snmp's pass_persist protocol on stdin/stdout
for the rows of FILE under PREFIX (GET and GETNEXT; sets are refused).
"""

from __future__ import annotations

import bisect
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "snmprec"
SUBTREES = (
    ".1.3.6.1.2.1.2",
    ".1.3.6.1.2.1.31",
    ".1.3.6.1.2.1.47",
    ".1.3.6.1.2.1.68",
    ".1.3.6.1.2.1.207",
    ".1.3.6.1.4.1.2011",
    ".1.3.6.1.4.1.25506",
)
"""Recorded subtrees served from the recording (snmpd's own MIB modules for them are off)."""
OWN_MODULES_OFF = "-interfaces,ifTable,ifXTable,ifStackTable,entPhysicalTable"
PASS_TYPES = {
    "2": "integer",
    "4": "string",
    "4x": "octet",
    "6": "objectid",
    "64": "ipaddress",
    "65": "counter",
    "66": "gauge",
    "67": "timeticks",
    "70": "counter64",
}


def load(path: Path, prefix: str) -> dict[tuple[int, ...], tuple[str, str]]:
    """The rows of an snmprec file under ``prefix`` (OID tuple -> (type, value))."""
    base = tuple(int(p) for p in prefix.strip(".").split("."))
    rows: dict[tuple[int, ...], tuple[str, str]] = {}
    for line in path.read_text(encoding="utf-8", errors="surrogateescape").splitlines():
        if not line or line.startswith("#"):
            continue
        name, kind, value = line.split("|", 2)
        key = tuple(int(p) for p in name.split("."))
        if key[: len(base)] == base and kind in PASS_TYPES:
            rows[key] = (kind, value)
    return rows


def serve(path: Path, prefix: str) -> None:
    """The pass_persist loop."""
    rows = load(path, prefix)
    keys = sorted(rows)
    out = sys.stdout

    def answer(key: tuple[int, ...]) -> None:
        kind, value = rows[key]
        if kind == "4x":
            value = " ".join(value[i : i + 2] for i in range(0, len(value), 2))
        out.write("." + ".".join(map(str, key)) + f"\n{PASS_TYPES[kind]}\n{value}\n")

    for command in iter(sys.stdin.readline, ""):
        command = command.strip()
        if command == "PING":
            out.write("PONG\n")
        elif command in ("get", "getnext"):
            asked = tuple(int(p) for p in sys.stdin.readline().strip().strip(".").split(".") if p)
            if command == "get":
                answer(asked) if asked in rows else out.write("NONE\n")
            else:
                i = bisect.bisect_right(keys, asked)
                answer(keys[i]) if i < len(keys) else out.write("NONE\n")
        elif command == "set":
            sys.stdin.readline()
            sys.stdin.readline()
            out.write("not-writable\n")
        out.flush()


def free_port() -> int:
    """A UDP port free on loopback right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop_pid(pid: int) -> None:
    """SIGTERM a daemon this test started and wait (up to 5 s) until it is gone."""
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def start_snmpd(workdir: Path, lines: list[str], args: list[str] = []) -> int:  # noqa: B006
    """Start snmpd with the config ``lines`` in ``workdir`` (fresh persistent state, no MIB
    files); its PID once it has written its pidfile."""
    if shutil.which("snmpd") is None:
        raise RuntimeError("snmpd missing (package snmpd, installed by make setup)")
    conf = workdir / "snmpd.conf"
    conf.write_text("\n".join(lines) + "\n")
    persist = workdir / "persist"
    shutil.rmtree(persist, ignore_errors=True)
    persist.mkdir()
    pidfile = workdir / "snmpd.pid"
    pidfile.unlink(missing_ok=True)
    subprocess.run(
        ["snmpd", "-C", "-c", str(conf), "-p", str(pidfile), "-Lf", str(workdir / "log"), "-m", "", *args],
        env={**os.environ, "SNMP_PERSISTENT_DIR": str(persist), "MIBS": ""},
        check=True,
        timeout=30,
    )
    deadline = time.monotonic() + 10
    while not pidfile.exists() or not pidfile.read_text().strip():
        if time.monotonic() > deadline:
            raise RuntimeError(f"snmpd did not start: {(workdir / 'log').read_text()[-500:]}")
        time.sleep(0.05)
    return int(pidfile.read_text())


@dataclass
class ReplayAgent:
    """snmpd on 127.0.0.1:port (SNMPv3 user ``user``, SHA/AES) replaying ``recording``."""

    recording: Path
    port: int
    workdir: Path
    user: tuple[str, str, str]
    pid: int = 0
    extra: list[str] = field(default_factory=list)

    def start(self) -> None:
        name, auth, priv = self.user
        me = Path(__file__).resolve()
        lines = [
            f"agentAddress udp:127.0.0.1:{self.port}",
            f'createUser {name} SHA "{auth}" AES "{priv}"',
            f"rouser {name} priv",
            f"sysName {self.recording.stem}",
            *(f"pass_persist {s} {sys.executable} {me} {self.recording} {s}" for s in SUBTREES),
            *self.extra,
        ]
        self.pid = start_snmpd(self.workdir, lines, ["-I", OWN_MODULES_OFF])

    def stop(self) -> None:
        if self.pid:
            stop_pid(self.pid)
            self.pid = 0


if __name__ == "__main__":
    serve(Path(sys.argv[1]), sys.argv[2])
