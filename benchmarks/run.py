"""Run every benchmark and rewrite benchmarks/RESULTS.md (``make bench``)."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import bench_cli, bench_deploy, bench_inventory, bench_lab, bench_monitor, bench_render

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def _table(rows: list[dict[str, object]]) -> str:
    if not rows:
        return "(no rows)\n"
    cols = list(dict.fromkeys(k for r in rows for k in r))
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    out += ["| " + " | ".join(str(r.get(c, "")) for c in cols) + " |" for r in rows]
    return "\n".join(out) + "\n"


KEPT_SECTIONS = ("## Mutation testing",)
"""Sections of RESULTS.md produced by other commands (``make mutation``), carried over as they are."""


def _kept_sections() -> list[str]:
    if not RESULTS.exists():
        return []
    text = RESULTS.read_text(encoding="utf-8")
    kept = []
    for title in KEPT_SECTIONS:
        start = text.find(title)
        if start >= 0:
            end = text.find("\n## ", start + len(title))
            kept.append(text[start:] if end < 0 else text[start : end + 1])
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller scales (1x, 10x)")
    args = parser.parse_args()
    scales = (1, 10) if args.quick else (1, 10, 100, 126)
    sections: list[str] = []
    with tempfile.TemporaryDirectory(prefix="govnet-bench-") as tmp:
        work = Path(tmp)
        rows = bench_inventory.run(work, scales)
        sections.append(
            "## Inventory: load + validate + address plan\n\n"
            + (bench_inventory.__doc__ or "")
            + "\n"
            + _table(rows)
        )
        rrows = bench_render.run(work, tuple(s for s in scales if s != 100))
        lrows = [] if args.quick else bench_lab.run(work)
        if lrows:
            sections.append("## Lab twin boot\n\n" + (bench_lab.__doc__ or "") + "\n" + _table(lrows))
        if rrows:
            sections.append("## Render + check\n\n" + (bench_render.__doc__ or "") + "\n" + _table(rrows))
        crows = bench_cli.run(work, 10 if args.quick else 126)
        sections.append("## End to end: the CLI\n\n" + (bench_cli.__doc__ or "") + "\n" + _table(crows))
        mrows = [] if args.quick else bench_monitor.run(work)
        if mrows:
            sections.append("## SNMP poll cycle\n\n" + (bench_monitor.__doc__ or "") + "\n" + _table(mrows))
        drows = [] if args.quick else bench_deploy.run(work)
        if drows:
            title = "## Provision the twin from blank\n\n"
            sections.append(title + (bench_deploy.__doc__ or "") + "\n" + _table(drows))
    kept = _kept_sections()
    header = (
        "# Benchmark results\n\n"
        f"Produced by `make bench` (`python benchmarks/run.py{' --quick' if args.quick else ''}`) on "
        f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}. Times are the best of 3 fresh interpreters (imports excluded); "
        "peak is the process's resident high-water mark (VmHWM). "
        "Ratios compare against the anchor measured in the same run.\n\n"
    )
    RESULTS.write_text(header + "\n".join(sections + kept), encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
