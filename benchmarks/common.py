"""Shared benchmark plumbing: run a measurement in a fresh interpreter, report time and peak RSS."""

from __future__ import annotations

import json
import subprocess
import sys
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
