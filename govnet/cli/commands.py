"""Mount the stage commands (render, check, lab) on the main app."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add every stage's command to ``app``."""
    from govnet.cli.check import check_cmd
    from govnet.cli.lab import lab_app
    from govnet.cli.render import render_cmd

    app.command("render")(render_cmd)
    app.command("check")(check_cmd)
    app.add_typer(lab_app, name="lab")
    app.command("monitor")(__import__("govnet.cli.monitor", fromlist=["monitor_cmd"]).monitor_cmd)
    app.command("status")(__import__("govnet.cli.status", fromlist=["status_cmd"]).status_cmd)
    __import__("govnet.cli.deploy", fromlist=["register_deploy"]).register_deploy(app)
    __import__("govnet.cli.backup", fromlist=["register_backup"]).register_backup(app)
    app.add_typer(__import__("govnet.cli.hostkeys", fromlist=["hostkeys_app"]).hostkeys_app, name="hostkeys")
