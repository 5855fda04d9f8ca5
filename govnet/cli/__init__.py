"""``govnet``: the command line. Every command takes ``--inventory DIR``."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from govnet.cli.common import fail, guarded, inventory_option, load_network_or_exit
from govnet.inventory.graph import write_graph
from govnet.inventory.plan import plan_csv, plan_json
from govnet.model import Network

app = typer.Typer(
    help="Provision and monitor the district e-government extranet.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main_options(
    secrets: Path | None = typer.Option(
        None,
        "--secrets",
        help="Secrets file of GOVNET_*=value lines, outside the repo, mode 0600 (or $GOVNET_SECRETS).",
    ),
) -> None:
    """Provision and monitor the district e-government extranet."""
    if secrets is not None:
        os.environ["GOVNET_SECRETS"] = str(secrets)


inventory_app = typer.Typer(help="The source of truth: validate, show, draw, plan.", no_args_is_help=True)
app.add_typer(inventory_app, name="inventory")


class ShowFormat(StrEnum):
    table = "table"
    json = "json"


class PlanFormat(StrEnum):
    json = "json"
    csv = "csv"


@inventory_app.command("validate")
def validate_cmd(inventory: Path | None = inventory_option()) -> None:
    """Load and validate the inventory; exit 0 when clean, 2 with the first problem."""
    network = load_network_or_exit(inventory)
    roles: dict[str, int] = {}
    for dev in network.devices.values():
        roles[dev.role] = roles.get(dev.role, 0) + 1
    summary = ", ".join(f"{n} {r}" for r, n in sorted(roles.items()))
    print(
        f"ok: {network.settings.name}: {len(network.devices)} devices ({summary}), "
        f"{len(network.links)} links, {len(network.zones)} zones, {len(network.groups)} redundancy groups"
    )


def inventory_json(network: Network, role: str | None = None) -> dict[str, Any]:
    """The stable JSON shape of ``inventory show``."""
    devices = [d for d in network.devices.values() if role is None or d.role == role]
    names = {d.name for d in devices}
    return {
        "devices": [
            {
                "name": d.name,
                "role": d.role,
                "platform": d.platform,
                "site": d.site,
                "subdistrict": d.subdistrict,
                "mgmt_ip": str(d.mgmt_ip.ip),
                "loopback": str(d.loopback.ip) if d.loopback else None,
            }
            for d in devices
        ],
        "links": [
            {
                "id": lk.id,
                "a": lk.a,
                "a_interface": lk.a_interface,
                "b": lk.b,
                "b_interface": lk.b_interface,
                "subnet": str(lk.subnet),
            }
            for lk in network.links
            if role is None or lk.a in names or lk.b in names
        ],
        "groups": [{"name": g.name, "kind": g.kind, "members": list(g.members)} for g in network.groups],
    }


@inventory_app.command("show")
def show_cmd(
    inventory: Path | None = inventory_option(),
    role: str | None = typer.Option(None, "--role", help="Only devices of this role."),
    fmt: ShowFormat = typer.Option(ShowFormat.table, "--format", help="table or json"),
) -> None:
    """Show devices (and, as json, links and redundancy groups)."""
    network = load_network_or_exit(inventory)
    data = inventory_json(network, role)
    if fmt is ShowFormat.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return
    table = Table(title=f"{network.settings.name}: {len(data['devices'])} devices")
    for col in ("name", "role", "platform", "site", "subdistrict", "mgmt_ip", "loopback"):
        table.add_column(col)
    for d in data["devices"]:
        table.add_row(
            *(
                str(d[c] or "")
                for c in ("name", "role", "platform", "site", "subdistrict", "mgmt_ip", "loopback")
            )
        )
    Console().print(table)


@inventory_app.command("graph")
@guarded
def graph_cmd(
    inventory: Path | None = inventory_option(),
    out: Path = typer.Option(Path("build/topology.svg"), "--out", help="Output file (.svg .png .pdf .dot)"),
    district: str | None = typer.Option(
        None, "--district", help="Only this district (its code), e.g. for a province inventory."
    ),
) -> None:
    """Draw the topology with Graphviz (one district at a time reads best)."""
    network = load_network_or_exit(inventory)
    districts = sorted({d.district for d in network.devices.values()})
    if district is not None:
        if district not in districts:
            raise fail(f"--district {district}: no such district (have: {', '.join(districts[:10])})")
        network = network.subset(n for n, d in network.devices.items() if d.district == district)
    elif len(districts) > 1:
        print(f"note: {len(districts)} districts in one picture; --district CODE draws one", file=sys.stderr)
    path = write_graph(network, out)
    print(f"wrote {path}")


@inventory_app.command("plan")
def plan_cmd(
    inventory: Path | None = inventory_option(),
    fmt: PlanFormat = typer.Option(PlanFormat.csv, "--format", help="csv or json"),
) -> None:
    """Print the deterministic address plan (byte-identical for the same inventory)."""
    network = load_network_or_exit(inventory)
    sys.stdout.write(plan_json(network) if fmt is PlanFormat.json else plan_csv(network))


def _register_stages() -> None:
    """Mount the commands of the other stages."""
    from govnet.cli.commands import register

    register(app)


_register_stages()


def main() -> None:
    """Console-script entry point."""
    app()
