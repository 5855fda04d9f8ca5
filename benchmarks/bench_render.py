"""Render + check (the CI gate), district to province, against a bare Jinja2 + hier_config anchor.

govnet: ``render_network`` through Nornir + nornir_jinja2, then ``run_checks`` with every rule of
the platform spec (intent, per-config on hier_config trees, cross-device). The anchor is the floor
of any template-lint script: the same templates rendered in a plain Jinja2 loop, then each config
parsed once by hier_config with no rule evaluated. Ratio = govnet / anchor, same run. Inventory
loading is excluded from both (see the table above).
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.generate import generate

SETUP = """
from govnet.inventory import load_network
net = load_network({path!r})
import time as _t
_t0 = _t.perf_counter()
"""

GOVNET = (
    SETUP
    + """
from govnet.render import render_network
from govnet.check import intended_from_rendered, run_checks
configs = render_network(net)
report = run_checks(net, intended_from_rendered(configs))
assert report.exit_code == 0, [f for f in report.findings][:3]
_elapsed = _t.perf_counter() - _t0
"""
)

ANCHOR = (
    SETUP
    + """
from govnet.render import render_network
from hier_config import Platform, get_hconfig
configs = render_network(net, use_nornir=False)
for cfg in configs.values():
    get_hconfig(Platform.GENERIC, "\\n".join(l for l in cfg.text.splitlines() if l.strip() not in ("#", "!")))
_elapsed = _t.perf_counter() - _t0
"""
)

TIMED = "\nprint('__timed__', _elapsed)\n"


def _timed(code: str, repeat: int) -> tuple[float, float]:
    import json
    import subprocess
    import sys

    from benchmarks.common import MEASURE, ROOT

    best = (float("inf"), 0.0)
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", MEASURE.format(root=str(ROOT), code=code + TIMED)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()
        seconds = float(next(ln for ln in out if ln.startswith("__timed__")).split()[1])
        peak = json.loads(out[-1])["peak_mib"]
        best = min(best, (seconds, peak))
    return best


def run(work: Path, scales: tuple[int, ...] = (1, 10, 126)) -> list[dict[str, object]]:
    """Measure render + check at each scale."""
    rows: list[dict[str, object]] = []
    for districts in scales:
        inv = work / f"inv-{districts}"
        if not inv.exists():
            generate(districts, inv)
        repeat = 3 if districts <= 10 else 1
        ours = _timed(GOVNET.format(path=str(inv)), repeat)
        anchor = _timed(ANCHOR.format(path=str(inv)), repeat)
        rows.append(
            {
                "districts": districts,
                "govnet_render_check_s": round(ours[0], 2),
                "govnet_peak_mib": round(ours[1]),
                "anchor_s": round(anchor[0], 2),
                "anchor_peak_mib": round(anchor[1]),
                "ratio": round(ours[0] / anchor[0], 2),
            }
        )
        print(rows[-1], flush=True)
    return rows
