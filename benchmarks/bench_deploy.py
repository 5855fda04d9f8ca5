"""Provision the default twin's routers from blank: ``govnet deploy --commit`` vs naive serial Nornir.

Both runs start from a freshly booted blank default twin (base config) and end when every
router's BGP sessions are Established. govnet: diff, redundancy-safe batches run as overlapping
waves (canary alone first, ``--batch-size 8`` in flight, cores alone and last), two-pass apply,
push-means-converged diff, verify and confirm per device; "convergence wait" is the longest
verify (waiting for OSPF Full / BGP Established) of each batch, summed, plus the wait after the
run, and its share of the total (waves overlap, so the non-critical batches' part is an upper
bound; the cores' part is exact, they fly alone). Naive: the same rendered configs sent one host
after another with Nornir's ``netmiko_send_config`` (serial runner, no diff, no verify, no
rollback), then a wait until converged. Needs root: ``flock /tmp/govnet-twin.lock make bench
ONLY=deploy`` (or ``benchmarks/bench_deploy.py`` alone). Target: govnet <= 0.50x.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _converged(routers: list[str]) -> bool:
    from govnet.lab.frr import vtysh

    for device in routers:
        try:
            data = json.loads(vtysh(device, "show bgp ipv4 unicast summary json") or "{}")
        except (ValueError, RuntimeError):
            return False
        peers = data.get("peers", {})
        if peers and any(p.get("state") != "Established" for p in peers.values()):
            return False
    return True


def _wait(routers: list[str], timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while not _converged(routers) and time.monotonic() < deadline:
        time.sleep(0.5)


def _twin(workdir: Path) -> tuple[Any, Any, dict[str, str], list[str]]:
    from govnet.cli.deploy import lab_facts
    from govnet.deploy.intended import intended_configs, scope
    from govnet.deploy.nornir_setup import DeployTarget
    from govnet.inventory import load_network
    from govnet.lab.up import lab_up

    lab_up(ROOT / "inventory", workdir, provisioned=False, echo=lambda _m: None)
    options, booted = lab_facts(True, workdir)
    target = DeployTarget.from_options(options)
    network = scope(load_network(ROOT / "inventory"), booted)
    # the routers (vtysh over SSH): what both runs can drive; the edge has its own driver
    routers_only = {n for n, d in network.devices.items() if d.platform_for(lab=True) == "frr"}
    names = sorted(n for n in network.devices if n in target.lab_ports and n in routers_only)
    configs = intended_configs(network, names, lab=True, credentials=target.credentials())
    routers = [n for n in names if network.devices[n].role in ("core", "aggregation")]
    return network, target, configs, routers


def _govnet(workdir: Path, state_dir: Path) -> dict[str, object]:
    from govnet.deploy.rollout import DeployOptions, deploy
    from govnet.lab.down import lab_down

    try:
        network, target, configs, routers = _twin(workdir)
        start = time.perf_counter()
        report = deploy(network, configs, target,
                        DeployOptions(commit=True, batch_size=8, state_dir=state_dir, verify_timeout=120),
                        echo=lambda _m: None)
        pushed = time.perf_counter() - start
        _wait(routers)
        total = time.perf_counter() - start
        waiting = sum(max((report.devices[n].timings.get("verify", 0.0) for n in batch), default=0.0)
                      for batch in report.batches)
        return {
            "run": "govnet deploy --commit (waves, verify, confirm)",
            "devices": len(configs),
            "batches": len(report.batches),
            "changed": len(report.by_status("changed")),
            "failed": len(report.by_status("failed")) + len(report.by_status("rolled-back")),
            "wall_s": round(total, 1),
            "until_pushed_s": round(pushed, 1),
            "convergence_wait_s": round(waiting + (total - pushed), 1),
            "convergence_share": f"{(waiting + total - pushed) / total:.0%}",
        }
    finally:
        lab_down(workdir, echo=lambda _m: None)


def _naive(workdir: Path) -> dict[str, object]:
    from nornir.core.plugins.connections import ConnectionPluginRegister
    from nornir_netmiko.tasks import netmiko_send_config

    from govnet.deploy.nornir_setup import build_nornir
    from govnet.lab.down import lab_down

    try:
        network, target, configs, routers = _twin(workdir)
        ConnectionPluginRegister.auto_register()
        nr = build_nornir(network, target, workers=1)
        nr = nr.filter(filter_func=lambda h: h.name in configs)
        start = time.perf_counter()
        for name in sorted(configs):  # serial: one host after another
            lines = [ln for ln in configs[name].splitlines() if ln.strip() and not ln.startswith("!")]
            nr.filter(name=name).run(task=netmiko_send_config, config_commands=lines)
        pushed = time.perf_counter() - start
        nr.close_connections()
        _wait(routers)
        total = time.perf_counter() - start
        return {
            "run": "naive serial Nornir netmiko_send_config",
            "devices": len(configs),
            "batches": len(configs),
            "changed": len(configs),
            "failed": "not checked",
            "wall_s": round(total, 1),
            "until_pushed_s": round(pushed, 1),
            "convergence_wait_s": round(total - pushed, 1),
            "convergence_share": f"{(total - pushed) / total:.0%}",
        }
    finally:
        lab_down(workdir, echo=lambda _m: None)


def run(work: Path) -> list[dict[str, object]]:
    """Both runs, govnet first; each boots and removes its own blank default twin."""
    rows = [_govnet(work / "lab-govnet", work / "state"), _naive(work / "lab-naive")]
    anchor = float(str(rows[1]["wall_s"])) or 1.0
    for row in rows:
        row["vs_naive"] = f"{float(str(row['wall_s'])) / anchor:.2f}x"
    return rows


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory(prefix="govnet-bench-deploy-") as tmp:
        for row in run(Path(tmp)):
            print(row)
