"""Lab twin boot: default size (the anchor) vs every community site (``--access 102``).

Boot time is ``govnet lab up --provisioned`` until every daemon is started; "converged" adds the
wait until kf-core-1 has every BGP session Established. Memory is the summed PSS (shared pages
counted once) of every process the twin started (FRR daemons, snmpd, sshd), after convergence.
Ratio = the 102-site twin / the default twin, measured in the same run. Needs root.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pss_mib(pids: list[int]) -> float:
    """Summed proportional set size: shared FRR/snmpd pages counted once across processes."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _bgp_established(device: str) -> bool:
    from govnet.lab.frr import vtysh

    try:
        data = json.loads(vtysh(device, "show bgp ipv4 unicast summary json") or "{}")
    except (ValueError, RuntimeError):
        return False
    peers = data.get("peers", {})
    return bool(peers) and all(p.get("state") == "Established" for p in peers.values())


def _boot(access: int | None, workdir: Path) -> dict[str, object]:
    from govnet.lab.down import lab_down
    from govnet.lab.up import lab_up

    try:
        started = time.perf_counter()
        state = lab_up(ROOT / "inventory", workdir, access=access, provisioned=True, echo=lambda _m: None)
        booted = time.perf_counter() - started
        deadline = time.monotonic() + 180
        while not _bgp_established("kf-core-1") and time.monotonic() < deadline:
            time.sleep(1)
        converged = time.perf_counter() - started
        pids = [p.pid for p in state.processes]
        nodes = [n for n in state.lab_topology().nodes if not n.stub]
        return {
            "access_sites": access if access is not None else "default",
            "devices": len(nodes),
            "processes": len(pids),
            "boot_s": round(booted, 1),
            "converged_s": round(converged, 1),
            "pss_mib": round(_pss_mib(pids)),
        }
    finally:
        lab_down(workdir, echo=lambda _m: None)


def run(work: Path) -> list[dict[str, object]]:
    """Boot both twins one after the other; rows for RESULTS.md."""
    if os.geteuid() != 0:
        print("bench_lab: skipped (needs root)")
        return []
    anchor = _boot(None, work / "lab-default")
    print(anchor, flush=True)
    full = _boot(102, work / "lab-102")
    print(full, flush=True)
    for key in ("boot_s", "converged_s", "pss_mib"):
        full[f"{key}_ratio"] = round(float(str(full[key])) / max(float(str(anchor[key])), 1e-9), 2)
    return [anchor, full]
