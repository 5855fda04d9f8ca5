"""Run every benchmark and rewrite benchmarks/RESULTS.md (``make bench``)."""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import (
    bench_cli,
    bench_deploy,
    bench_inventory,
    bench_lab,
    bench_monitor,
    bench_noc,
    bench_render,
    bench_scale,
)

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

TITLES = {
    "inventory": "## Inventory: load + validate + address plan",
    "lab": "## Lab twin boot",
    "render": "## Render + check",
    "cli": "## End to end: the CLI",
    "monitor": "## SNMP poll cycle",
    "scale": "## SNMP poller at scale: simulated agents",
    "deploy": "## Provision the twin from blank",
    "noc": "## NOC page at province scale",
}
"""Section keys for ``--only`` and the RESULTS.md heading each one writes."""


def _existing_sections() -> dict[str, str]:
    """The current RESULTS.md's sections by heading (each with its trailing newline)."""
    if not RESULTS.exists():
        return {}
    text = RESULTS.read_text(encoding="utf-8")
    found: dict[str, str] = {}
    starts = [i for i in range(len(text)) if text.startswith("## ", i) and (i == 0 or text[i - 1] == "\n")]
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(text)
        heading = text[start : text.index("\n", start)]
        found[heading] = text[start:end]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller scales (1x, 10x)")
    parser.add_argument(
        "--only", metavar="KEY,...", default="",
        help=f"run only these sections ({', '.join(TITLES)}); the others are carried over from RESULTS.md",
    )
    args = parser.parse_args()
    only = [k.strip() for k in args.only.split(",") if k.strip()] or list(TITLES)
    unknown = sorted(set(only) - set(TITLES))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(TITLES)}")
    scales = (1, 10) if args.quick else (1, 10, 100, 126)
    fresh: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="govnet-bench-") as tmp:
        work = Path(tmp)
        if "inventory" in only:
            rows = bench_inventory.run(work, scales)
            fresh["inventory"] = (bench_inventory.__doc__ or "") + "\n" + _table(rows)
        if "lab" in only and not args.quick:
            fresh["lab"] = (bench_lab.__doc__ or "") + "\n" + _table(bench_lab.run(work))
        if "render" in only:
            rrows = bench_render.run(work, tuple(s for s in scales if s != 100))
            fresh["render"] = (bench_render.__doc__ or "") + "\n" + _table(rrows)
        if "cli" in only:
            crows = bench_cli.run(work, 10 if args.quick else 126)
            fresh["cli"] = (bench_cli.__doc__ or "") + "\n" + _table(crows)
        if "monitor" in only and not args.quick:
            fresh["monitor"] = (bench_monitor.__doc__ or "") + "\n" + _table(bench_monitor.run(work))
        if "scale" in only and not args.quick:
            try:
                srows = bench_scale.run_scale(work)
                fresh["scale"] = bench_scale.SCALE_DOC + "\n" + _table(srows)
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:  # keep the other sections
                print(f"scale: not measured: {exc}", file=sys.stderr)
        if "deploy" in only and not args.quick:
            fresh["deploy"] = (bench_deploy.__doc__ or "") + "\n" + _table(bench_deploy.run(work))
        if "noc" in only:
            nrows = bench_noc.run(work, 10 if args.quick else 126)
            fresh["noc"] = (bench_noc.__doc__ or "") + "\n" + _table(nrows)
    existing = _existing_sections()
    today = time.strftime("%Y-%m-%d")
    command = "python benchmarks/run.py" + (" --quick" if args.quick else "")
    command += f" --only {','.join(only)}" if args.only else ""
    sections: list[str] = []
    for key, title in TITLES.items():
        if key in fresh:
            sections.append(f"{title}\n\nMeasured {today} by `{command}`.\n\n" + fresh[key])
        elif title in existing:
            sections.append(existing[title].rstrip("\n") + "\n")  # carried over (its own date inside)
    sections += [existing[t].rstrip("\n") + "\n" for t in KEPT_SECTIONS if t in existing]
    header = (
        "# Benchmark results\n\n"
        f"Produced by `make bench` (`python benchmarks/run.py`, or `--only SECTIONS` for some); last "
        f"written by `{command}` on {today}, {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}. Times are the best of 3 fresh interpreters (imports excluded); "
        "peak is the process's resident high-water mark (VmHWM). "
        "Ratios compare against the anchor measured in the same run. Each section says when and by "
        "which command it was measured; sections a run does not measure are carried over as they "
        "were.\n\n"
    )
    RESULTS.write_text(header + "\n".join(sections), encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
