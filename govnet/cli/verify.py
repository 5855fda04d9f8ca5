"""``govnet verify``: the post-change checks, read-only, on demand (before and after a window).

Every selected device is observed through its platform's display commands (``show ... json`` on
the twin) and compared to what the model says: OSPF neighbours Full, BGP/VPNv4 peers
Established, LDP sessions Operational, links up, and on the twin's edge devices the nftables
tables and VRRP groups. Nothing is changed on any device.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from govnet.cli.common import filter_option, guarded, inventory_option
from govnet.cli.deploy import DEFAULT_WORKDIR, LabOpt, ReportFormat, WorkdirOpt, prepare_target, target_state

EXIT_MISSING = 1
FILTER_OPTION = filter_option()

FormatOpt = Annotated[ReportFormat, typer.Option("-f", "--format", help="text or json.")]


def verify_devices(network: Any, names: list[str], target: Any, lab: bool,
                   management: Any = None) -> dict[str, Any]:
    """One read-only check per device (no waiting: what it shows now), by name: ``ok``,
    ``missing`` (kind -> names) and ``note``; a device that cannot be reached is missing its
    ``session``, with the reason."""
    from nornir.core.filter import F

    from govnet.deploy.connection import prepare_hosts
    from govnet.deploy.nornir_setup import build_nornir
    from govnet.deploy.secrets import SecretValues
    from govnet.deploy.tasks import verify_device

    nr = build_nornir(network, target).filter(F(name__any=names))
    secrets = SecretValues.from_credentials(target.credentials())
    prepare_hosts(nr, state_dir=target_state(None, network, lab), secrets=secrets, run_id="verify", lab=lab)
    results = nr.run(task=verify_device, network=network, lab=lab, timeout=0.0, management=management)
    reports: dict[str, Any] = {}
    for name in sorted(names):
        outcome = results[name][0]
        report = outcome.result
        if outcome.exception is not None or report is None:
            reason = str(outcome.exception or "no result").strip().splitlines() or ["no result"]
            reports[name] = {"ok": False, "missing": {"session": [reason[-1]]}, "note": ""}
        else:
            reports[name] = {"ok": report.ok, "missing": report.missing, "note": report.note}
    return reports


@guarded
def verify_cmd(
    inventory: Path | None = inventory_option(),
    lab: LabOpt = False,
    workdir: WorkdirOpt = DEFAULT_WORKDIR,
    filter_: list[str] = FILTER_OPTION,
    fmt: FormatOpt = ReportFormat.text,
    management: bool = typer.Option(
        False, "--management", help="Also log in afresh over SSH and GET sysUpTime.0 over SNMPv3 as the "
        "poller does (the management path; what deploy checks before every confirm)."),
) -> None:
    """Check every selected device against the model, read-only: OSPF Full, BGP and VPNv4
    Established, LDP Operational, links up (and the twin's edge tables and VRRP groups).

    Example: govnet verify --lab; govnet verify --filter role=core -f json

    Exit codes: 0 every device is as the model says; 1 a session, link or role is missing (each
    named); 2 bad input or no credentials; 3 internal error.
    """
    network, names, target, _configs = prepare_target(inventory, lab, workdir, filter_)
    probe = None
    if management:
        from govnet.deploy.verify import target_probe

        probe = target_probe(network, target)
    reports = verify_devices(network, names, target, lab, probe)
    if fmt is ReportFormat.json:
        typer.echo(json.dumps({"devices": reports, "ok": all(r["ok"] for r in reports.values())}, indent=2))
    else:
        for name, report in reports.items():
            if report["ok"]:
                typer.echo(f"{name}: {report.get('note') or 'ok'}")
            for kind, missing in report["missing"].items():
                for item in missing:
                    typer.echo(f"{name}: {kind} not up: {item}")
        bad = sum(not r["ok"] for r in reports.values())
        typer.echo(f"{len(reports) - bad}/{len(reports)} device(s) as the model says")
    if not all(r["ok"] for r in reports.values()):
        raise typer.Exit(EXIT_MISSING)
