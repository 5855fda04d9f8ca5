"""``govnet render``: write one intended config per device to ``<out>/<device>.cfg``.

Register with ``app.command("render")(render_cmd)``.
"""

from __future__ import annotations

import sys
from fnmatch import fnmatchcase
from pathlib import Path

import typer

from govnet.cli.common import fail, guarded, inventory_option, load_network_or_exit
from govnet.credentials import load_credentials
from govnet.model import Device, Network
from govnet.render import render_network, renders

FILTER_KEYS = ("role", "site", "name", "zone", "platform", "subdistrict")


def _matches(device: Device, key: str, patterns: list[str]) -> bool:
    if key == "zone":
        return any(fnmatchcase(z, p) for z in device.zones for p in patterns)
    value = {
        "role": device.role,
        "site": device.site,
        "name": device.name,
        "platform": device.platform,
        "subdistrict": device.subdistrict or "",
    }[key]
    return any(fnmatchcase(value, p) for p in patterns)


def select_devices(network: Network, filters: list[str]) -> list[str]:
    """Device names matching every ``key=glob[,glob...]`` filter (AND across filters, OR within one).

    Raises ValueError on a malformed filter or an unknown key.
    """
    parsed: list[tuple[str, list[str]]] = []
    for item in filters:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not value or key not in FILTER_KEYS:
            raise ValueError(f"bad filter {item!r}: use KEY=VALUE with KEY one of {', '.join(FILTER_KEYS)}")
        parsed.append((key, [v.strip() for v in value.split(",") if v.strip()]))
    return [
        name
        for name, device in sorted(network.devices.items())
        if all(_matches(device, key, patterns) for key, patterns in parsed)
    ]


INVENTORY_OPTION = inventory_option()
OUT_OPTION = typer.Option(Path("build/intended"), "--out", "-o", help="Directory for <device>.cfg files.")
FILTER_OPTION = typer.Option(
    [],
    "--filter",
    "-f",
    help="Only devices matching KEY=GLOB (role, site, name, zone, platform, subdistrict); "
    "repeat to narrow, comma-separate alternatives: --filter role=core,aggregation.",
)
LAB_OPTION = typer.Option(False, "--lab", help="Render the lab twin's platforms (frr, nftables).")
TEMPLATES_OPTION = typer.Option(
    None, "--templates", help="Templates directory (default: $GOVNET_TEMPLATES or the repo's templates/)."
)


@guarded
def render_cmd(
    inventory: Path | None = INVENTORY_OPTION,
    out: Path = OUT_OPTION,
    filter_: list[str] = FILTER_OPTION,
    lab: bool = LAB_OPTION,
    templates: Path | None = TEMPLATES_OPTION,
) -> None:
    """Render the intended config of every device (or the filtered ones) into OUT/<device>.cfg."""
    network = load_network_or_exit(inventory)
    try:
        chosen = select_devices(network, filter_)
    except ValueError as exc:
        raise fail(str(exc)) from None
    if not chosen:
        raise fail(f"no device matches {' '.join(filter_)}")
    skipped = [n for n in chosen if not renders(network, network.devices[n], lab=lab)]
    configs = render_network(
        network,
        names=chosen,
        lab=lab,
        templates_dir=templates,
        progress=sys.stdout.isatty(),
        credentials=load_credentials(),
    )
    out.mkdir(parents=True, exist_ok=True)
    for name, config in configs.items():
        (out / f"{name}.cfg").write_text(config.text, encoding="utf-8")
    print(f"rendered {len(configs)} configs into {out}, skipped {len(skipped)} on non-rendering platforms")
