"""End to end as users feel it: ``govnet --help`` and ``govnet check`` on the province inventory.

The command is run as a user runs it (a fresh ``govnet`` process: interpreter start, imports,
load + validate, render in memory, every rule of the spec, the report), timed by wall clock; the
anchor is the same interpreter doing nothing (``python -c pass``) for ``--help``, and the stage
figures above (load + render + check inside one process) for ``check``. Targets (issue 11):
``--help`` <= 0.3 s, province ``check`` <= 60 s. Best of 3 for ``--help``, one run for ``check``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.generate import generate

GOVNET = str(Path(sys.executable).with_name("govnet"))


def _wall(argv: list[str], repeat: int = 1) -> float:
    best = float("inf")
    env = {**os.environ, "NO_COLOR": "1"}
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(argv, check=False, capture_output=True, env=env)
        best = min(best, time.perf_counter() - started)
    return best


def run(work: Path, districts: int = 126) -> list[dict[str, object]]:
    """Rows: ``--help`` against a bare interpreter, and province ``check`` end to end."""
    rows: list[dict[str, object]] = []
    bare = _wall([sys.executable, "-c", "pass"], repeat=3)
    helps = _wall([GOVNET, "--help"], repeat=3)
    rows.append({"command": "govnet --help", "districts": "", "wall_s": round(helps, 3),
                 "anchor_s": round(bare, 3), "ratio": round(helps / bare, 1), "target_s": 0.3})
    inventory = generate(districts, work / f"cli-province-{districts}")
    proc_start = time.perf_counter()
    result = subprocess.run([GOVNET, "check", "-i", str(inventory), "-f", "json", "-o", os.devnull],
                            check=False, capture_output=True, text=True)
    wall = time.perf_counter() - proc_start
    if result.returncode not in (0, 1):
        raise RuntimeError(f"govnet check failed: {result.stderr.strip()[-400:]}")
    rows.append({"command": "govnet check -i <province> -f json", "districts": districts,
                 "wall_s": round(wall, 1), "anchor_s": "", "ratio": "", "target_s": 60})
    return rows


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory(prefix="govnet-bench-cli-") as tmp:
        for row in run(Path(tmp), int(sys.argv[1]) if len(sys.argv) > 1 else 126):
            print(row)
