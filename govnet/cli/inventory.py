"""``govnet inventory validate|show|graph|plan``: the source of truth, checked and shown."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from govnet.cli.common import (
    CONTEXT,
    device_or_error,
    emit_table,
    filter_option,
    guarded,
    inventory_option,
    load_network_or_exit,
)

if TYPE_CHECKING:
    from govnet.model import Device, Network

inventory_app = typer.Typer(
    help="The source of truth: validate, show, draw, plan.\n\n"
    "Example: govnet inventory validate -i inventory",
    no_args_is_help=True,
    context_settings=CONTEXT,
)


class TableFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class PlanFormat(StrEnum):
    csv = "csv"
    json = "json"


class ShowKind(StrEnum):
    devices = "devices"
    links = "links"
    groups = "groups"


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"


@inventory_app.command("validate")
@guarded
def validate_cmd(
    inventory: Path | None = inventory_option(),
    fmt: ValidateFormat = typer.Option(
        ValidateFormat.text,
        "--format",
        "-f",
        metavar="text|json",
        help="json: the problems as a list on stdout.",
    ),
) -> None:
    """Load and validate the inventory: every problem at once, one line each, sorted by file and line.

    Example: govnet inventory validate -i inventory; govnet inventory validate -f json

    Exit codes: 0 clean (prints a summary), 2 with one 'error: file:line: key: problem (fix: ...)' line
    per problem (-f json: the same problems on stdout), 3 internal error.
    """
    from govnet.errors import InventoryErrors, LocatedError
    from govnet.inventory.serialize import errors_json, summary_json

    try:
        network = load_network_or_exit(inventory)
    except LocatedError as exc:
        if fmt is ValidateFormat.text:
            raise
        emit_json(errors_json(exc.errors if isinstance(exc, InventoryErrors) else [exc]))
        raise typer.Exit(2) from None
    summary_data = summary_json(network)
    if fmt is ValidateFormat.json:
        emit_json(summary_data)
        return
    summary = ", ".join(f"{n} {r}" for r, n in summary_data["devices"].items())
    print(
        f"ok: {network.settings.name}: {len(network.devices)} devices ({summary}), "
        f"{len(network.links)} links, {len(network.zones)} zones, {len(network.groups)} redundancy groups"
    )


DEVICE_COLUMNS = ("name", "role", "platform", "model", "site", "subdistrict", "title", "mgmt_ip", "loopback")
LINK_COLUMNS = ("id", "a", "a_interface", "b", "b_interface", "subnet")
GROUP_COLUMNS = ("name", "kind", "members")


FILTER_OPTION = filter_option()


@inventory_app.command("show")
def show_cmd(
    device: str | None = typer.Argument(None, metavar="DEVICE", help="One device: its full render context."),
    inventory: Path | None = inventory_option(),
    role: str | None = typer.Option(
        None, "--role", metavar="ROLE", help="Only devices of this role (same as --filter role=R)."
    ),
    filter_: list[str] = FILTER_OPTION,
    kind: ShowKind = typer.Option(
        ShowKind.devices, "--kind", "-k", metavar="devices|links|groups", help="What to list."
    ),
    fmt: TableFormat = typer.Option(
        TableFormat.table,
        "--format",
        "-f",
        metavar="table|csv|json",
        help="Output format; table is plain columns.",
    ),
) -> None:
    """Show devices (or links, or groups), sorted by role then name; or one device in full.

    Tables are plain columns, never cut to the terminal width, so they grep and pipe well.

    Example: govnet inventory show --role core; govnet inventory show kf-core-1 -f json

    Exit codes: 0 ok, 2 bad input (unknown role, device or filter value), 3 internal error.
    """
    from govnet.inventory.serialize import inventory_json

    network = load_network_or_exit(inventory)
    if device is not None:
        _show_device(network, device_or_error(network, device), fmt)
        return
    filters = [*filter_, *([f"role={role}"] if role else [])]
    names = network.select(filters) if filters else None
    data = inventory_json(network, names)
    if fmt is TableFormat.json:
        emit_json(data)
        return
    rows: list[dict[str, Any]] = data[kind.value]
    if kind is ShowKind.groups:
        rows = [{**g, "members": " ".join(g["members"])} for g in rows]
    columns = {
        ShowKind.devices: DEVICE_COLUMNS,
        ShowKind.links: LINK_COLUMNS,
        ShowKind.groups: GROUP_COLUMNS,
    }[kind]
    emit_table(rows, columns, fmt.value, title=f"{network.settings.name}: {len(rows)} {kind.value}")


def emit_json(data: Any) -> None:
    """Stable, indented JSON on stdout."""
    import json

    json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def _show_device(network: Network, device: Device, fmt: TableFormat) -> None:
    from govnet.inventory.serialize import device_json

    data = device_json(network, device)
    if fmt is TableFormat.json:
        emit_json(data)
        return
    sections = {"interfaces", "vrfs", "bgp_sessions", "site_prefixes", "links", "groups"}
    if fmt is TableFormat.csv:
        emit_table(data["interfaces"], list(data["interfaces"][0]) if data["interfaces"] else ["name"], "csv")
        return
    width = max(len(k) for k in data)
    for key, value in data.items():
        if key not in sections:
            shown = " ".join(map(str, value)) if isinstance(value, list) else "" if value is None else value
            print(f"{key.ljust(width)}  {shown}")
    for key in ("links", "groups"):
        print(f"{key.ljust(width)}  {' '.join(data[key]) or '-'}")
    print(
        f"{'site_prefixes'.ljust(width)}  "
        + (" ".join(f"{z}={p}" for z, p in data["site_prefixes"].items()) or "-")
    )
    for key, columns in (
        ("interfaces", ("name", "ip", "vlan", "vrf", "mtu", "ospf", "ldp", "peer", "peer_interface")),
        ("vrfs", ("name", "zone", "rd", "rt_export", "rt_import")),
        ("bgp_sessions", ("peer", "peer_ip", "local_ip", "asn", "route_reflector_client")),
    ):
        print(f"\n{key} ({len(data[key])})")
        if data[key]:
            rows = [
                {c: (" ".join(r[c]) if isinstance(r[c], list) else r[c]) for c in columns} for r in data[key]
            ]
            emit_table(rows, columns, "table")


@inventory_app.command("graph")
@guarded
def graph_cmd(
    inventory: Path | None = inventory_option(),
    out: Path = typer.Option(
        Path("build/topology.svg"), "--out", "-o", metavar="FILE", help="Output file (.svg .png .pdf .dot)."
    ),
    district: str | None = typer.Option(
        None,
        "--district",
        metavar="CODE",
        help="Only this district (its code), e.g. for a province inventory.",
    ),
    filter_: list[str] = FILTER_OPTION,
) -> None:
    """Draw the topology with Graphviz (one district at a time reads best).

    Example: govnet inventory graph -o build/topology.svg --district kf; ... --filter subdistrict=xinhe

    Exit codes: 0 written, 2 bad input (unknown district, unsupported format, no Graphviz),
    3 internal error.
    """
    from govnet.errors import GovnetError, did_you_mean
    from govnet.inventory.graph import write_graph

    network = load_network_or_exit(inventory)
    districts = sorted({d.district for d in network.devices.values()})
    if district is not None:
        if district not in districts:
            guess = did_you_mean(district, districts)
            raise GovnetError(
                f"--district {district}: no such district (have: {', '.join(districts[:10])})"
                + (f"; {guess}" if guess else "")
            )
        network = network.subset(n for n, d in network.devices.items() if d.district == district)
    elif len(districts) > 1 and not filter_:
        print(f"note: {len(districts)} districts in one picture; --district CODE draws one", file=sys.stderr)
    if filter_:
        network = network.subset(network.select(filter_))
    path = write_graph(network, out)
    print(f"wrote {path}")


@inventory_app.command("plan")
def plan_cmd(
    inventory: Path | None = inventory_option(),
    fmt: PlanFormat = typer.Option(
        PlanFormat.csv, "--format", "-f", metavar="csv|json", help="Output format."
    ),
    filter_: list[str] = FILTER_OPTION,
) -> None:
    """Print the deterministic address plan (byte-identical for the same inventory).

    With --filter: the allocations of the selected devices and of the links between them.

    Example: govnet inventory plan -f csv > plan.csv; govnet inventory plan --filter role=core

    Exit codes: 0 ok, 2 bad input, 3 internal error.
    """
    from govnet.inventory.plan import plan_csv, plan_json

    network = load_network_or_exit(inventory)
    if filter_:
        network = network.subset(network.select(filter_))
    sys.stdout.write(plan_json(network) if fmt is PlanFormat.json else plan_csv(network))


__all__ = ["inventory_app"]
