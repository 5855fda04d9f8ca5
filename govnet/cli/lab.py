"""`govnet lab ...`: boot, inspect, break and tear down the lab twin.

Each command takes only the options it uses: ``lab up`` reads the inventory (``-i``); the others
work on the running twin's state in ``--workdir``. Errors go through the CLI's one wrapper.
"""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from govnet.cli.common import CONTEXT, guarded, inventory_option

DEFAULT_WORKDIR = Path(
    "/var/tmp/govnet-lab"
)  # govnet.lab.state.DEFAULT_WORKDIR (not imported: --help stays fast)

lab_app = typer.Typer(
    help="The lab twin: the district network booted in network namespaces with FRR, snmpd and sshd.\n\n"
    "Example: sudo govnet lab up --provisioned && govnet lab status --wait 90\n\n"
    "Exit codes: 0 ok, 1 not converged (status --wait), 2 bad input or a lab error, 3 internal error.",
    no_args_is_help=True,
    context_settings=CONTEXT,
)
fault_app = typer.Typer(
    help="Inject real faults into the running twin, and heal them.\n\n"
    "Example: govnet lab fault link-down kf-core-1 kf-agg-xinhe; govnet lab fault restart kf-core-1",
    no_args_is_help=True,
    context_settings=CONTEXT,
)
lab_app.add_typer(fault_app, name="fault")

WorkdirOpt = Annotated[
    Path,
    typer.Option(
        "--workdir", envvar="GOVNET_LAB_WORKDIR", metavar="DIR", help="Lab state, configs and secrets.env."
    ),
]


class StatusFormat(StrEnum):
    text = "text"
    json = "json"


def _echo(message: str) -> None:
    typer.echo(message)


@lab_app.command()
@guarded
def up(
    inventory: Path | None = inventory_option(),
    access: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help="access sites in total, round-robin over subdistricts (default: one per subdistrict)",
        ),
    ] = None,
    provisioned: Annotated[
        bool, typer.Option(metavar="", help="boot with the intended FRR/nftables configs")
    ] = False,
    devices: Annotated[
        str | None,
        typer.Option(
            metavar="NAME,...", help="comma-separated device names to boot instead of the default selection"
        ),
    ] = None,
    workdir: WorkdirOpt = DEFAULT_WORKDIR,
) -> None:
    """Boot the twin: one namespace per device, a veth pair per link, FRR, snmpd, sshd (needs root).

    Example: sudo govnet lab up --provisioned --devices kf-core-1,kf-core-2

    Exit codes: 0 up, 2 bad input or a lab error (not root, packages missing, resources taken),
    3 internal error.
    """
    from govnet.cli.common import default_inventory
    from govnet.lab.up import lab_up

    names = [d.strip() for d in devices.split(",") if d.strip()] if devices else None
    lab_up(
        inventory or default_inventory(),
        workdir,
        access=access,
        provisioned=provisioned,
        devices=names,
        echo=_echo,
    )


@lab_app.command()
@guarded
def status(
    fmt: Annotated[
        StatusFormat, typer.Option("--format", "-f", metavar="text|json", help="Output format.")
    ] = StatusFormat.text,
    workdir: WorkdirOpt = DEFAULT_WORKDIR,
    wait: Annotated[
        float,
        typer.Option(
            "--wait",
            metavar="SECONDS",
            help="Poll up to SECONDS until every agent answers and every session is up.",
        ),
    ] = 0.0,
) -> None:
    """Each device: daemons, SSH port, management IP, SNMP, OSPF Full and BGP Established.

    Example: govnet lab status --wait 90; govnet lab status -f json

    Exit codes: 0 ok, 1 not converged within --wait, 2 no lab state, 3 internal error.
    """
    from govnet.lab.status import converged, format_status, lab_status

    deadline = time.monotonic() + wait
    result = lab_status(workdir)
    while not converged(result) and time.monotonic() < deadline:
        time.sleep(2)
        result = lab_status(workdir)
    typer.echo(result.to_json() if fmt is StatusFormat.json else format_status(result))
    if wait and not converged(result):
        raise typer.Exit(1)


@lab_app.command()
@guarded
def down(
    workdir: WorkdirOpt = DEFAULT_WORKDIR,
    abandoned: Annotated[bool, typer.Option(
        "--abandoned",
        help="Instead: remove every registered lab that nothing runs any more (its `lab up` and all "
             "its daemons gone, as after the host's processes were killed); live labs are left alone.",
    )] = False,
) -> None:
    """Remove everything the twin made: namespaces, links, bridge, processes, runtime files.

    Example: sudo govnet lab down
    Example: sudo govnet lab down --abandoned

    Exit codes: 0 removed (or nothing to remove), 2 a lab error, 3 internal error.
    """
    from govnet.lab.down import lab_down, reap_abandoned

    if abandoned:
        reaped = reap_abandoned(echo=_echo)
        _echo(f"{len(reaped)} abandoned lab(s) removed")
        return
    lab_down(workdir, echo=_echo)


@fault_app.command("link-down")
@guarded
def fault_link_down(a: str, b: str, workdir: WorkdirOpt = DEFAULT_WORKDIR) -> None:
    """Take the link(s) between devices A and B down at both ends.

    Example: govnet lab fault link-down kf-core-1 kf-agg-xinhe

    Exit codes: 0 done, 2 no such device/link/daemon or no lab, 3 internal error.
    """
    from govnet.lab import faults

    faults.link_down(workdir, a, b, echo=_echo)


@fault_app.command("link-up")
@guarded
def fault_link_up(a: str, b: str, workdir: WorkdirOpt = DEFAULT_WORKDIR) -> None:
    """Bring the link(s) between devices A and B back up.

    Example: govnet lab fault link-up kf-core-1 kf-agg-xinhe

    Exit codes: 0 done, 2 no such device/link/daemon or no lab, 3 internal error.
    """
    from govnet.lab import faults

    faults.link_up(workdir, a, b, echo=_echo)


@fault_app.command("kill")
@guarded
def fault_kill(device: str, daemon: str, workdir: WorkdirOpt = DEFAULT_WORKDIR) -> None:
    """SIGKILL one daemon (zebra, ospfd, bgpd, ldpd, staticd, snmpd, keepalived) of a device.

    Example: govnet lab fault kill kf-core-1 bgpd

    Exit codes: 0 done, 2 no such device/link/daemon or no lab, 3 internal error.
    """
    from govnet.lab import faults

    faults.kill_daemon(workdir, device, daemon, echo=_echo)


@fault_app.command("loss")
@guarded
def fault_loss(device: str, interface: str, percent: int, workdir: WorkdirOpt = DEFAULT_WORKDIR) -> None:
    """Drop PERCENT % of packets on an interface (inventory or kernel name); 0 removes it.

    Example: govnet lab fault loss kf-core-1 GE1/0/1 20

    Exit codes: 0 done, 2 no such device/link/daemon or no lab, 3 internal error.
    """
    from govnet.lab import faults

    faults.packet_loss(workdir, device, interface, percent, echo=_echo)


@fault_app.command("restart")
@guarded
def fault_restart(device: str, workdir: WorkdirOpt = DEFAULT_WORKDIR) -> None:
    """Restart a router as a reboot does: SSH sessions cut and its port closed, every daemon
    stopped, interfaces down, then everything up again with the saved config (`write memory`'s),
    so an unwritten (unconfirmed) change is lost. Links cut by link-down stay down.

    Example: govnet lab fault restart kf-agg-dongfenglu

    Exit codes: 0 restarted (saved config lines FRR rejects are printed as warnings, as by lab up),
    2 no such router or no lab, 3 internal error.
    """
    from govnet.lab import faults

    for line in faults.restart(workdir, device, echo=_echo):
        typer.echo(f"warning: {device}: {line}", err=True)


@fault_app.command("heal")
@guarded
def fault_heal(workdir: WorkdirOpt = DEFAULT_WORKDIR) -> None:
    """Undo every fault: links up, killed daemons restarted with their config, loss removed.

    Example: govnet lab fault heal

    Exit codes: 0 done, 2 no such device/link/daemon or no lab, 3 internal error.
    """
    from govnet.lab import faults

    faults.heal(workdir, echo=_echo)
