"""``govnet backup``: running configs into a git repository, secrets masked.

Register with ``register_backup(app)``.
"""

from __future__ import annotations

from pathlib import Path

import typer

from govnet.cli.common import guarded, inventory_option
from govnet.cli.deploy import (
    DEFAULT_WORKDIR,
    EXIT_DRIFT,
    FILTER_OPTION,
    LabOpt,
    RepoOpt,
    WorkdirOpt,
    prepare_target,
)


@guarded
def backup_cmd(
    inventory: Path | None = inventory_option(),
    repo: RepoOpt = Path("backups"),
    lab: LabOpt = False,
    workdir: WorkdirOpt = DEFAULT_WORKDIR,
    filter_: list[str] = FILTER_OPTION,
) -> None:
    """Running config of every device into REPO (one commit per run that changed anything), secrets masked.

    Example: govnet backup --repo /var/lib/govnet/backups; govnet backup --lab --repo /tmp/twin-backups

    Exit codes: 0 backed up, 1 a device could not be read, 2 bad input, 3 internal error.
    """
    from govnet.deploy.backup import backup

    network, names, target, _configs = prepare_target(inventory, lab, workdir, filter_)
    report = backup(network, names, repo, target)
    typer.echo(f"backup: {len(report.changed)} changed, {len(report.unchanged)} unchanged, "
               f"{len(report.failed)} unreachable; commit {report.commit or 'none (nothing changed)'}")
    for name, reason in report.failed.items():
        typer.echo(f"  {name}: {reason}", err=True)
    if report.failed:
        raise typer.Exit(EXIT_DRIFT)



def register_backup(app: typer.Typer) -> None:
    """Mount backup on ``app``."""
    app.command("backup")(backup_cmd)
