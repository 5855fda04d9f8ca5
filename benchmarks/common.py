"""Shared benchmark plumbing: run a measurement in a fresh interpreter, report time and peak RSS."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MEASURE = r"""
import json, sys, time
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
exec(compile({code!r}, "<bench>", "exec"))
elapsed = time.perf_counter() - t0
# VmHWM, not ru_maxrss: ru_maxrss survives fork+exec and would report the parent's peak
hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM:")][0]
peak = int(hwm.split()[1]) / 1024
print(json.dumps({{"seconds": elapsed, "peak_mib": peak}}))
"""


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_mib: float


def measure(code: str, repeat: int = 3) -> Measurement:
    """Best of ``repeat`` runs of ``code`` in a fresh interpreter (imports excluded from timing)."""
    best: Measurement | None = None
    for _ in range(repeat):
        out = (
            subprocess.run(
                [sys.executable, "-c", MEASURE.format(root=str(ROOT), code=code)],
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        data = json.loads(out)
        m = Measurement(data["seconds"], data["peak_mib"])
        if best is None or m.seconds < best.seconds:
            best = m
    assert best is not None
    return best


def cpu_pressure() -> str:
    """The kernel's CPU pressure (PSI "some" avg60, %): how long runnable tasks waited for a CPU
    over the last minute; other work on a shared machine shows here (empty where PSI is off)."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return ""
    return next((f.split("=")[1] for f in line.split() if f.startswith("avg60=")), "")


def tree_pss_kib(root: int) -> int:
    """Summed PSS (shared pages counted once) of ``root`` and every process below it, in KiB."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    total = 0
    for pid in tree:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        total += next((int(ln.split()[1]) for ln in rollup.splitlines() if ln.startswith("Pss:")), 0)
    return total


def run_sampled(argv: list[str], interval: float = 0.2) -> tuple[str, float]:
    """Run ``argv`` (check=True); its stdout and the peak summed PSS of its process tree, in MiB.

    A pool's workers share the parent's pages until they write them, so neither one process's
    high-water mark nor the sum of their RSS says what the machine holds; PSS does.
    """
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_pss_kib(proc.pid))
            stop.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, argv, out, err)
    return out, peak / 1024
