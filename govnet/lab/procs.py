"""Running commands and handling daemon processes by PID."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from govnet.lab.errors import CommandError

DEVNULL = subprocess.DEVNULL


def run(
    argv: list[str],
    *,
    check: bool = True,
    env: dict[str, str] | None = None,
    input_text: str | None = None,
    timeout: float = 30.0,
    log: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command; output goes to `log` (daemons keep no pipe open) or is captured."""
    full_env = {**os.environ, **env} if env else None
    if log is not None:
        with log.open("a", encoding="utf-8") as fh:
            proc = subprocess.run(
                argv, stdin=DEVNULL if input_text is None else None, input=input_text,
                stdout=fh, stderr=subprocess.STDOUT, text=True, env=full_env, timeout=timeout,
                check=False, encoding="utf-8",
            )
        output = ""
    else:
        proc = subprocess.run(
            argv, input=input_text, capture_output=True, text=True, env=full_env,
            timeout=timeout, check=False, encoding="utf-8",
        )
        output = (proc.stdout or "") + (proc.stderr or "")
    if check and proc.returncode != 0:
        raise CommandError(argv, proc.returncode, output if log is None else f"see {log}")
    return proc


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state first), or None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()


def pid_alive(pid: int) -> bool:
    """True if a non-zombie process with this PID exists."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def process_start(pid: int) -> int:
    """When the process started (clock ticks since boot), to tell a PID from its reuse; 0 if gone."""
    fields = _stat_fields(pid)
    return int(fields[19]) if fields is not None else 0


def same_process(pid: int, started: int) -> bool:
    """True if `pid` is alive and is still the process that started at `started`."""
    return pid > 0 and pid_alive(pid) and process_start(pid) == started


def read_pidfile(path: Path) -> int | None:
    """The PID written in a pidfile, or None."""
    try:
        return int(path.read_text(encoding="utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return None


def wait_pidfile(path: Path, timeout: float = 10.0) -> int | None:
    """Wait until a pidfile names a live process."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = read_pidfile(path)
        if pid is not None and pid_alive(pid):
            return pid
        time.sleep(0.05)
    return None


def children(pid: int) -> list[int]:
    """All descendants of a process (read from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def terminate(pids: list[int], timeout: float = 3.0) -> None:
    """SIGTERM the given PIDs, then SIGKILL what is left after `timeout`."""
    live = [p for p in pids if p > 1 and pid_alive(p)]
    for pid in live:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while live and time.monotonic() < deadline:
        time.sleep(0.05)
        live = [p for p in live if pid_alive(p)]
    for pid in live:
        _signal(pid, signal.SIGKILL)
    deadline = time.monotonic() + 1.0
    while live and time.monotonic() < deadline:
        time.sleep(0.02)
        live = [p for p in live if pid_alive(p)]


def kill(pid: int) -> None:
    """SIGKILL one process (a simulated crash)."""
    _signal(pid, signal.SIGKILL)


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
