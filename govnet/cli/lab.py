"""`govnet lab ...`: boot, inspect, break and tear down the lab twin."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from govnet.errors import GovnetError
from govnet.lab import faults
from govnet.lab.down import lab_down
from govnet.lab.errors import LabError
from govnet.lab.state import DEFAULT_WORKDIR
from govnet.lab.status import converged, format_status, lab_status
from govnet.lab.up import lab_up

lab_app = typer.Typer(
    help="The lab twin: the district network booted in network namespaces with FRR, snmpd and sshd.",
    no_args_is_help=True,
)
fault_app = typer.Typer(help="Inject real faults into the running twin, and heal them.", no_args_is_help=True)
lab_app.add_typer(fault_app, name="fault")


def _default_inventory() -> Path:
    return Path(os.environ.get("GOVNET_INVENTORY", "inventory"))


InventoryOpt = Annotated[
    Path,
    typer.Option("--inventory", help="inventory directory [default: $GOVNET_INVENTORY or ./inventory]",
                 default_factory=_default_inventory, show_default=False),
]
WorkdirOpt = Annotated[
    Path,
    typer.Option("--workdir", envvar="GOVNET_LAB_WORKDIR", help="lab state, configs and secrets.env"),
]


def _echo(message: str) -> None:
    typer.echo(message)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn lab and inventory errors into a message on stderr and exit code 2."""
    try:
        yield
    except (LabError, GovnetError) as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        typer.secho("interrupted; run `govnet lab down` to remove what was started", err=True)
        raise typer.Exit(130) from None


@lab_app.command()
def up(
    inventory: InventoryOpt,
    access: Annotated[int | None, typer.Option(help="access sites in total, round-robin over subdistricts "
                                                     "[default: one per subdistrict]")] = None,
    provisioned: Annotated[bool, typer.Option(help="boot with the intended FRR/nftables configs")] = False,
    devices: Annotated[str | None, typer.Option(help="comma-separated device names to boot instead "
                                                      "of the default selection")] = None,
    workdir: WorkdirOpt = DEFAULT_WORKDIR,
) -> None:
    """Boot the twin: one namespace per device, a veth pair per link, FRR, snmpd, sshd."""
    with user_errors():
        names = [d.strip() for d in devices.split(",") if d.strip()] if devices else None
        lab_up(inventory, workdir, access=access, provisioned=provisioned, devices=names, echo=_echo)


@lab_app.command()
def status(
    inventory: InventoryOpt,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    workdir: WorkdirOpt = DEFAULT_WORKDIR,
    wait: Annotated[
        float,
        typer.Option("--wait", help="poll up to SECONDS until every agent answers and every session is up"),
    ] = 0.0,
) -> None:
    """Each device: daemons, SSH port, management IP, SNMP, OSPF Full and BGP Established."""
    with user_errors():
        deadline = time.monotonic() + wait
        result = lab_status(workdir)
        while not converged(result) and time.monotonic() < deadline:
            time.sleep(2)
            result = lab_status(workdir)
        typer.echo(json.dumps(result, indent=1) if as_json else format_status(result))
        if wait and not converged(result):
            raise typer.Exit(1)


@lab_app.command()
def down(inventory: InventoryOpt, workdir: WorkdirOpt = DEFAULT_WORKDIR) -> None:
    """Remove everything the twin made: namespaces, links, bridge, processes, runtime files."""
    with user_errors():
        lab_down(workdir, echo=_echo)


@fault_app.command("link-down")
def fault_link_down(a: str, b: str, inventory: InventoryOpt, workdir: WorkdirOpt = DEFAULT_WORKDIR) -> None:
    """Take the link(s) between devices A and B down at both ends."""
    with user_errors():
        faults.link_down(workdir, a, b, echo=_echo)


@fault_app.command("link-up")
def fault_link_up(a: str, b: str, inventory: InventoryOpt, workdir: WorkdirOpt = DEFAULT_WORKDIR) -> None:
    """Bring the link(s) between devices A and B back up."""
    with user_errors():
        faults.link_up(workdir, a, b, echo=_echo)


@fault_app.command("kill")
def fault_kill(device: str, daemon: str, inventory: InventoryOpt,
               workdir: WorkdirOpt = DEFAULT_WORKDIR) -> None:
    """SIGKILL one daemon (zebra, ospfd, bgpd, ldpd, staticd, snmpd) of a device."""
    with user_errors():
        faults.kill_daemon(workdir, device, daemon, echo=_echo)


@fault_app.command("loss")
def fault_loss(device: str, interface: str, percent: int, inventory: InventoryOpt,
               workdir: WorkdirOpt = DEFAULT_WORKDIR) -> None:
    """Drop PERCENT % of packets on an interface (inventory or kernel name); 0 removes it."""
    with user_errors():
        faults.packet_loss(workdir, device, interface, percent, echo=_echo)


@fault_app.command("heal")
def fault_heal(inventory: InventoryOpt, workdir: WorkdirOpt = DEFAULT_WORKDIR) -> None:
    """Undo every fault: links up, killed daemons restarted with their config, loss removed."""
    with user_errors():
        faults.heal(workdir, echo=_echo)
