"""``govnet``: the command line. One grammar: ``-i/--inventory``, ``-o/--out``, ``-f/--format``,
``--filter``, ``--secrets``, ``--debug``, ``-h``; every help shows an example and the exit codes.

The modules of this package import only typer and the standard library at import time; each
command imports its stage when it runs, so ``govnet --help`` stays fast.
"""

from __future__ import annotations

import gc
from pathlib import Path

import typer

from govnet import __version__
from govnet.cli.commands import register
from govnet.cli.common import CONTEXT, GovnetGroup, ProcessEnd, State, set_state
from govnet.cli.inventory import inventory_app
from govnet.cli.rules import rules_cmd

app = typer.Typer(
    cls=GovnetGroup,
    help="Provision and monitor the district e-government extranet.\n\n"
    "Example: govnet inventory validate -i inventory && govnet render -o build/intended && govnet check\n\n"
    "Options mean the same everywhere: -i/--inventory, --filter KEY=GLOB, -f/--format text|json (--json is "
    "-f json on every command that reports), --lab connects to the running lab twin (render and check take "
    "--lab-configs for the lab's variant of the configs).\n\n"
    "Exit codes (every command): 0 ok; 1 findings (check), drift (diff, audit), a device failed, was "
    "rolled back or not restored (deploy, play, backup, restore), or not converged (lab status --wait); "
    "2 bad input or refused to start (lock held, no twin, no credentials); 3 internal error (--debug "
    "shows the traceback); 130 interrupted.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings=CONTEXT,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"govnet {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    secrets: Path | None = typer.Option(
        None,
        "--secrets",
        metavar="FILE",
        help="Secrets file of GOVNET_*=value lines, outside the repo, mode 0600 (default: $GOVNET_SECRETS). "
        "Accepted before or after the subcommand.",
        show_default=False,
    ),
    debug: bool = typer.Option(
        False, "--debug", metavar="", help="Show the traceback of an error (also after the subcommand)."
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, metavar="", help="Print the version and exit."
    ),
) -> None:
    """Provision and monitor the district e-government extranet."""
    ctx.obj = State(secrets=secrets, debug=debug)
    set_state(ctx.obj)


app.add_typer(inventory_app, name="inventory")
app.command("rules", context_settings=CONTEXT)(rules_cmd)
register(app)


def main() -> None:
    """Console-script entry point."""
    ProcessEnd.freeze_heap = False
    try:
        app()
    finally:
        if ProcessEnd.freeze_heap:
            gc.freeze()
