"""End to end as users feel it: ``govnet --help``, ``govnet check`` and ``govnet check --changed``.

Each command is run as a user runs it (a fresh ``govnet`` process: interpreter start, imports,
load + validate, render in memory, every rule of the spec, the JSON report), timed by wall clock,
with the peak summed PSS of its process tree (the pool's workers included). Anchors, same run:
a bare interpreter (``python -c pass``) for ``--help``; ``govnet check --jobs 1`` (the same
check in one process, no pool) for ``check``; for ``--changed``, the full ``check`` after the same
edit (one access site removed from one district; the cache warmed by a ``--changed`` run before
the edit). That warm-up is a row too: a full check that also keeps every outcome and the report's
parts (``govnet/check/splice.py``), against the plain ``check`` of the same run. The edited run
loads and re-checks the edited district alone and splices the others' results from the parts.
Targets: ``--help`` <= 0.3 s, province ``check`` <= 20 s and <= 1 GB, ``--changed`` after a
one-site edit <= 2 s. Best of 3 for ``--help`` and for the province ``check`` and its ``--jobs 1``
anchor (every run's seconds in ``runs_s``; peak: the highest of the three), one run for the others.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.bench_render import one_site_edit
from benchmarks.common import cpu_pressure, run_sampled
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


def _check(inventory: Path, work: Path, *args: str) -> tuple[float, float]:
    """Wall seconds and peak tree PSS (MiB) of ``govnet check`` run from ``work``."""
    argv = [GOVNET, "check", "-i", str(inventory), "-f", "json", "-o", os.devnull, *args]
    cwd = os.getcwd()
    os.chdir(work)  # --changed keeps its cache in ./build/check-cache
    try:
        started = time.perf_counter()
        _, peak = run_sampled(argv)
        return time.perf_counter() - started, peak
    finally:
        os.chdir(cwd)


def _best_check(inventory: Path, work: Path, *args: str, repeat: int = 3) -> tuple[float, float, list[float]]:
    """Best wall seconds of ``repeat`` runs, the highest peak PSS (MiB), and every run's seconds."""
    runs = [_check(inventory, work, *args) for _ in range(repeat)]
    return min(w for w, _ in runs), max(p for _, p in runs), [round(w, 1) for w, _ in runs]


def run(work: Path, districts: int = 126) -> list[dict[str, object]]:
    """Rows: ``--help`` against a bare interpreter; province ``check`` and ``check --changed``."""
    rows: list[dict[str, object]] = []
    bare = _wall([sys.executable, "-c", "pass"], repeat=3)
    helps = _wall([GOVNET, "--help"], repeat=3)
    rows.append({"command": "govnet --help", "districts": "", "wall_s": round(helps, 3), "peak_mib": "",
                 "anchor": "python -c pass", "anchor_s": round(bare, 3), "ratio": round(helps / bare, 1),
                 "target_s": 0.3})
    inventory = generate(districts, work / f"cli-province-{districts}")
    alone, alone_peak, alone_runs = _best_check(inventory, work, "--jobs", "1")
    pooled, pooled_peak, pooled_runs = _best_check(inventory, work)
    rows.append({"command": "govnet check -i <province> -f json", "districts": districts,
                 "wall_s": round(pooled, 1), "peak_mib": round(pooled_peak), "anchor": "--jobs 1",
                 "anchor_s": round(alone, 1), "ratio": round(pooled / alone, 2), "target_s": 20,
                 "cpu_pressure_avg60": cpu_pressure(), "runs_s": " / ".join(map(str, pooled_runs))})
    rows.append({"command": "govnet check -i <province> -f json --jobs 1", "districts": districts,
                 "wall_s": round(alone, 1), "peak_mib": round(alone_peak), "anchor": "", "anchor_s": "",
                 "ratio": "", "target_s": "", "runs_s": " / ".join(map(str, alone_runs))})
    keeping, keeping_peak = _check(inventory, work, "--changed")  # warms the cache: outcomes, parts
    rows.append({"command": "govnet check -i <province> -f json --changed (nothing kept yet)",
                 "districts": districts, "wall_s": round(keeping, 1), "peak_mib": round(keeping_peak),
                 "anchor": "govnet check", "anchor_s": round(pooled, 1), "ratio": round(keeping / pooled, 2),
                 "target_s": "", "cpu_pressure_avg60": cpu_pressure()})
    one_site_edit(inventory)
    changed, changed_peak = _check(inventory, work, "--changed")
    full, _ = _check(inventory, work)
    rows.append({"command": "govnet check -i <province> -f json --changed (one site edited)",
                 "districts": districts, "wall_s": round(changed, 1), "peak_mib": round(changed_peak),
                 "anchor": "full check after the edit", "anchor_s": round(full, 1),
                 "ratio": round(changed / full, 2), "target_s": 2, "cpu_pressure_avg60": cpu_pressure()})
    return rows


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory(prefix="govnet-bench-cli-") as tmp:
        for row in run(Path(tmp), int(sys.argv[1]) if len(sys.argv) > 1 else 126):
            print(row)
