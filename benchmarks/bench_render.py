"""Render + check (the CI gate), district to province: the pool and ``--changed`` against the floor.

Four runs per scale, each in a fresh interpreter, inventory loading excluded (see the table above):
the anchor is the floor of any template-lint script (the same templates rendered in a plain Jinja2
loop, then each config parsed once by hier_config, no rule evaluated, one process); ``serial`` is
govnet's previous path (``render_network`` through Nornir, then ``run_checks``: every rule of the
spec in one process); ``pooled`` is ``check_network`` (render, parse and per-device rules in a
process pool over both cores, cross and intent rules in the parent on compact facts); ``changed``
is ``check_network`` with the ``--changed`` cache after one access site was removed from one
district (the cache warmed by a previous run). ``peak_mib`` is the peak summed PSS of the process
tree (workers included, shared pages counted once, sampled every 0.2 s). Ratios: against the
anchor and against the serial path, measured in the same run; ``same`` says the pooled and
incremental reports equal the serial one (JSON, timings aside). ``cpu_pressure_avg60`` is the
kernel's CPU pressure right after the run (% of the last minute runnable tasks waited for a CPU:
other work on the shared machine; 0 on a quiet one).
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.common import MEASURE, ROOT, cpu_pressure, run_sampled
from benchmarks.generate import generate

SETUP = """
import sys as _sys
from govnet.inventory import load_network
net = load_network({path!r})
import time as _t
_t0 = _t.perf_counter()
"""

DIGEST = """
from govnet.check.report import to_json as _to_json
import hashlib as _h
_json = _to_json(report)
print("__digest__", _h.sha256(_json[: _json.rindex('"timings"')].encode()).hexdigest())
"""

SERIAL = (
    SETUP
    + """
from govnet.render import render_network
from govnet.check import intended_from_rendered, run_checks
configs = render_network(net)
report = run_checks(net, intended_from_rendered(configs))
_elapsed = _t.perf_counter() - _t0
"""
    + DIGEST
)

POOLED = (
    SETUP
    + """
from govnet.check.pool import check_network
report, _ = check_network(net, workers={workers})
_elapsed = _t.perf_counter() - _t0
"""
    + DIGEST
)

CHANGED = (
    SETUP
    + """
from pathlib import Path as _P
from govnet.check.cache import FileCache
from govnet.check.pool import check_network
cache = FileCache(_P({cache!r}))
report, _ = check_network(net, workers={workers}, cache=cache)
_elapsed = _t.perf_counter() - _t0
print("__hits__", cache.hits, len(net.devices))
"""
    + DIGEST
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


def _timed(code: str, repeat: int) -> tuple[float, float, dict[str, str]]:
    """Best of ``repeat``: seconds, peak tree PSS (MiB) and the ``__key__ value`` lines printed."""
    best: tuple[float, float, dict[str, str]] = (float("inf"), 0.0, {})
    for _ in range(repeat):
        out, peak = run_sampled([sys.executable, "-c", MEASURE.format(root=str(ROOT), code=code + TIMED)])
        marks = {ln.split()[0]: ln.split(None, 1)[1] for ln in out.splitlines() if ln.startswith("__")}
        seconds = float(marks["__timed__"])
        marks["__pressure__"] = cpu_pressure()
        if seconds < best[0]:
            best = (seconds, peak, marks)
    return best


def one_site_edit(inventory: Path) -> Path:
    """Remove the last community site of one subdistrict in the middle district; its file."""
    districts = sorted((inventory / "districts").glob("*.yaml"))
    district = districts[len(districts) // 2]
    text = district.read_text(encoding="utf-8")
    old = 'communities: "1-8", departments: [court]}'
    assert old in text, district
    district.write_text(text.replace(old, 'communities: "1-7", departments: [court]}', 1), encoding="utf-8")
    return district


def _row(districts: int, run: str, measured: tuple[float, float, dict[str, str]]) -> dict[str, object]:
    seconds, peak, _ = measured
    return {"districts": districts, "run": run, "seconds": round(seconds, 2), "peak_mib": round(peak)}


def run(work: Path, scales: tuple[int, ...] = (1, 10, 126), workers: int = 2) -> list[dict[str, object]]:
    """Measure the anchor, the serial path, the pool and (largest scale) ``--changed`` at each scale."""
    rows: list[dict[str, object]] = []
    for districts in scales:
        inv = work / f"inv-{districts}"
        generate(districts, inv)
        repeat = 3 if districts <= 10 else 1
        anchor = _timed(ANCHOR.format(path=str(inv)), repeat)
        serial = _timed(SERIAL.format(path=str(inv)), repeat)
        pooled = _timed(POOLED.format(path=str(inv), workers=workers), repeat)
        measured = [("anchor: bare Jinja2 + hier_config, one process", anchor, None)]
        measured.append(("govnet serial: render_network + run_checks, one process", serial, True))
        same = pooled[2]["__digest__"] == serial[2]["__digest__"]
        measured.append((f"govnet pooled: check_network, {workers} workers", pooled, same))
        if districts == max(scales):
            cache = work / f"cache-{districts}"
            _timed(CHANGED.format(path=str(inv), workers=workers, cache=str(cache)), 1)  # warm the cache
            one_site_edit(inv)
            changed = _timed(CHANGED.format(path=str(inv), workers=workers, cache=str(cache)), 1)
            full = _timed(SERIAL.format(path=str(inv)), 1)
            hits, devices = changed[2]["__hits__"].split()
            label = f"govnet --changed: one site removed, {int(devices) - int(hits)} devices re-checked"
            measured.append((label, changed, changed[2]["__digest__"] == full[2]["__digest__"]))
        for label, value, equal in measured:
            row = _row(districts, label, value)
            row["vs_anchor"] = round(value[0] / anchor[0], 2)
            row["vs_serial"] = round(value[0] / serial[0], 2)
            row["same_report"] = "" if equal is None else ("yes" if equal else "NO")
            row["cpu_pressure_avg60"] = value[2]["__pressure__"]
            rows.append(row)
            print(row, flush=True)
    return rows
