"""``govnet status``: the district's health from a running ``govnet monitor`` (its ``/api/state``),
or from one poll cycle when none answers; exit 0 healthy, 1 degraded or unknown, 2 down.

Register with ``app.command("status")(status_cmd)``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from govnet.cli.common import guarded, inventory_option, load_network_or_exit, state
from govnet.cli.monitor import LAB_OPTION, TIMEOUT_OPTION, WORKDIR_OPTION
from govnet.errors import GovnetError

INVENTORY_OPTION = inventory_option()
URL_OPTION = typer.Option(
    "http://127.0.0.1:9469", "--url", metavar="URL", help="The running govnet monitor to ask first."
)
FORMAT_OPTION = typer.Option("text", "--format", "-f", metavar="text|json", help="Output format.")
DISTRICT_OPTION = typer.Option(None, "--district", metavar="NAME", help="The district to detail.")
POLL_OPTION = typer.Option(False, "--poll", metavar="", help="Do not ask a monitor: poll one cycle.")


def _one_cycle(
    inventory: Path | None, lab: bool, workdir: Path, timeout: float, district: str | None
) -> dict[str, Any]:
    from govnet.credentials import load_credentials
    from govnet.monitor.plan import build_plan
    from govnet.monitor.status import poll_state

    network = load_network_or_exit(inventory)
    devices: list[str] | None = None
    if lab:
        from govnet.lab.status import monitor_options

        facts = monitor_options(workdir)
        devices = facts["devices"]
        credentials = load_credentials(facts["secrets_file"], environ={})
    else:
        credentials = load_credentials(state().secrets)
    return poll_state(build_plan(network, devices=devices, lab=lab), credentials, timeout, district)


@guarded
def status_cmd(
    inventory: Path | None = INVENTORY_OPTION,
    lab: bool = LAB_OPTION,
    workdir: Path = WORKDIR_OPTION,
    url: str = URL_OPTION,
    fmt: str = FORMAT_OPTION,
    district: str | None = DISTRICT_OPTION,
    poll: bool = POLL_OPTION,
    timeout: float | None = TIMEOUT_OPTION,
) -> None:
    """The district's health at a glance: every redundancy group, every problem and what one more
    failure cuts off, from a running monitor (--url) or, when none answers, one poll cycle.

    Example: govnet status; govnet status --lab -f json; govnet status --poll --district kf

    Exit codes: 0 all healthy, 1 anything degraded or unknown, 2 anything down (or bad input).
    """
    from govnet.monitor.status import fetch_state
    from govnet.monitor.web.summary import exit_code, format_status

    if fmt not in ("text", "json"):
        raise GovnetError(f"-f {fmt}: use text or json")
    data = None if poll else fetch_state(url, district)
    source = f"from {url}"
    if data is None:
        seconds = timeout if timeout is not None else (1.0 if lab else 3.0)  # monitor's defaults
        data = _one_cycle(inventory, lab, workdir, seconds, district)
        source = "one poll cycle"
    if fmt == "json":
        typer.echo(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        typer.echo(format_status(data, source))
    raise typer.Exit(exit_code(data))
