"""``govnet backup`` and ``govnet restore``: running configs into a git repository (secrets
masked) and a backed-up config back onto its device.

Register with ``register_backup(app)``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from govnet.cli.common import EXIT_INTERRUPTED, guarded, inventory_option
from govnet.cli.deploy import (
    DEFAULT_WORKDIR,
    EXIT_DRIFT,
    FILTER_OPTION,
    FormatOpt,
    JsonOpt,
    LabOpt,
    ReportFormat,
    StateOpt,
    WorkdirOpt,
    prepare_target,
    target_state,
)

RepoOpt = Annotated[
    Path | None,
    typer.Option("--repo", metavar="DIR", show_default=False,
                 help="Git repository of the backups (created if missing); default: the inventory's "
                      "backup_repo (network.yaml), else an error."),
]


@guarded
def backup_cmd(
    inventory: Path | None = inventory_option(),
    repo: RepoOpt = None,
    lab: LabOpt = False,
    workdir: WorkdirOpt = DEFAULT_WORKDIR,
    filter_: list[str] = FILTER_OPTION,
    fmt: FormatOpt = ReportFormat.text,
    json_: JsonOpt = False,
) -> None:
    """Running config of every device into REPO (one commit per run that changed anything), secrets masked.

    A device that cannot be reached is one line (address, port, reason) and keeps its last backup;
    a line a device printed more than once is reported and kept as printed. A locked, read-only or
    full repository fails the run and keeps its previous files and commits.

    Example: govnet backup --repo /var/lib/govnet/backups; govnet backup --lab --repo /tmp/twin-backups

    Exit codes: 0 backed up, 1 a device could not be read, 2 bad input or the repository cannot be
    written, 3 internal error.
    """
    from govnet.deploy.backup import backup, backup_repository

    network, names, target, _configs = prepare_target(inventory, lab, workdir, filter_)
    path = backup_repository(repo, network)
    report = backup(network, names, path, target)
    for name, reason in sorted(report.failed.items()):
        typer.echo(f"{name}: unreachable at {reason}", err=True)
    if json_ or fmt is ReportFormat.json:
        typer.echo(json.dumps(report.to_dict(), indent=1, ensure_ascii=False))
        raise typer.Exit(EXIT_DRIFT if report.failed else 0)
    for name, found in sorted(report.duplicates.items()):
        for dup in found:
            typer.echo(f"{name}: duplicate line {dup.describe()} (kept as printed)")
    reached = len(report.changed) + len(report.unchanged)
    typer.echo(f"backup {path}: {reached} of {reached + len(report.failed)} device(s) read, "
               f"{len(report.changed)} changed, {len(report.unchanged)} unchanged, "
               f"{len(report.failed)} unreachable, {len(report.duplicates)} with duplicate lines; "
               f"commit {report.commit[:12] if report.commit else 'none (nothing changed)'}")
    if report.failed:
        raise typer.Exit(EXIT_DRIFT)


@guarded
def restore_cmd(
    device: Annotated[str, typer.Argument(metavar="DEVICE", help="The device to restore.")],
    from_: Annotated[
        str, typer.Option("--from", metavar="COMMIT", help="The backup commit (default: the latest).")
    ] = "HEAD",
    repo: RepoOpt = None,
    commit: Annotated[
        bool, typer.Option("--commit", metavar="", help="Push (default: dry run, prints the diff).")
    ] = False,
    inventory: Path | None = inventory_option(),
    lab: LabOpt = False,
    workdir: WorkdirOpt = DEFAULT_WORKDIR,
    verify_timeout: Annotated[
        float, typer.Option("--verify-timeout", metavar="SECONDS",
                            help="How long the device may take to verify before it rolls back.")
    ] = 60.0,
    state_dir: StateOpt = None,
    fmt: FormatOpt = ReportFormat.text,
    json_: JsonOpt = False,
) -> None:
    """Put a backed-up config back on DEVICE: dry run by default (the diff), --commit pushes it.

    The push is deploy's: confirm window, verify, confirm or roll back. Masked secrets come back
    from the credentials store; one that cannot is an error naming the line, and nothing is pushed.

    Example: govnet restore kf-core-1 --from 3f2a9c1 --repo /var/lib/govnet/backups --commit

    Exit codes: 0 restored, already as backed up, or dry run; 1 the push failed or was rolled back;
    2 bad input or refused to start (no such backup, an unresolvable secret, lock held, no
    credentials); 3 internal error; 130 interrupted.
    """
    from govnet.cli.common import device_or_error
    from govnet.deploy.backup import backup_repository
    from govnet.deploy.driver import DeployError
    from govnet.deploy.restore import read_backup, restore
    from govnet.deploy.rollout import DeployOptions

    network, names, target, configs = prepare_target(inventory, lab, workdir, [f"name={device}"])
    device_or_error(network, device)
    if device not in names:
        raise DeployError(f"{device}: govnet does not push to it on this target"
                          + (" (not booted in the twin)" if lab else ""))
    saved = read_backup(backup_repository(repo, network), device, from_)
    state = target_state(state_dir, network, lab)
    options = DeployOptions(commit=commit, verify_timeout=verify_timeout, state_dir=state)
    report = restore(network, saved, target, options, intended=lambda: configs().get(device),
                     echo=lambda m: typer.echo(m, err=True))
    path = report.write(state) if report.commit else None
    dev = report.devices[saved.device]
    if json_ or fmt is ReportFormat.json:
        typer.echo(json.dumps({"device": device, "backup": {"commit": saved.commit, "subject": saved.subject},
                               "status": dev.status, "reason": dev.reason, "commands": dev.commands,
                               "unified": dev.unified, "halted": report.halted,
                               "report": str(path) if path else None}, indent=1, ensure_ascii=False))
    else:
        _show_restore(report, saved, path)
    if report.halted.startswith("stopped by SIGINT"):
        raise typer.Exit(EXIT_INTERRUPTED)
    if report.failed:
        raise typer.Exit(EXIT_DRIFT)


def _show_restore(report: Any, saved: Any, path: Path | None) -> None:
    dev = report.devices[saved.device]
    typer.echo(f"restore {saved.device} from backup {saved.commit[:12]} ({saved.subject})")
    if not report.commit and dev.commands:
        typer.echo(f"=== {dev.device}: {len(dev.commands)} command(s) would restore the backup")
        typer.echo("\n".join(dev.commands))
        typer.echo(dev.unified)
    if path is not None:
        typer.echo(f"report: {path}")
    said = {"unchanged": "running config already matches the backup: nothing to restore",
            "dry-run": "dry run: nothing pushed (add --commit to restore)",
            "changed": "restored, verified and confirmed"}
    typer.echo(f"{dev.device}: {dev.status}: {said.get(dev.status, dev.reason)}")


def register_backup(app: typer.Typer) -> None:
    """Mount backup and restore on ``app``."""
    app.command("backup")(backup_cmd)
    app.command("restore")(restore_cmd)
