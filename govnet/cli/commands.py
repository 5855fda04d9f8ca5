"""Mount the stage commands (render, check, lab, monitor, status, deploy, backup, hostkeys) on the app."""

from __future__ import annotations

import typer

from govnet.cli.backup import register_backup
from govnet.cli.check import check_cmd
from govnet.cli.deploy import register_deploy
from govnet.cli.hostkeys import hostkeys_app
from govnet.cli.lab import lab_app
from govnet.cli.monitor import monitor_cmd
from govnet.cli.render import render_cmd
from govnet.cli.status import status_cmd
from govnet.cli.verify import verify_cmd


def register(app: typer.Typer) -> None:
    """Add every stage's command to ``app``."""
    app.command("render")(render_cmd)
    app.command("check")(check_cmd)
    app.add_typer(lab_app, name="lab")
    app.command("monitor")(monitor_cmd)
    app.command("status")(status_cmd)
    app.command("verify")(verify_cmd)
    register_deploy(app)
    register_backup(app)
    app.add_typer(hostkeys_app, name="hostkeys")
