"""``govnet render``: write one intended config per device to ``<out>/<device>.cfg`` (or stdout).

Register with ``app.command("render")(render_cmd)``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from govnet.cli.common import (
    filter_option,
    guarded,
    inventory_option,
    load_network_or_exit,
    select_devices,
    state,
)

OUT_OPTION = typer.Option(
    "build/intended",
    "--out",
    "-o",
    metavar="DIR|-",
    help="Directory for <device>.cfg files, or '-' for stdout (one device).",
)
FILTER_OPTION = filter_option()
LAB_CONFIGS_OPTION = typer.Option(
    False, "--lab-configs", metavar="",
    help="Render the lab twin's variant of the configs (frr, nftables), not production's. (--lab, on the "
    "commands that connect, means reach the running twin.)",
)
TEMPLATES_OPTION = typer.Option(
    None,
    "--templates",
    metavar="DIR",
    help="Templates directory (default: $GOVNET_TEMPLATES or the repo's templates/).",
    show_default=False,
)


@guarded
def render_cmd(
    inventory: Path | None = inventory_option(),
    out: str = OUT_OPTION,
    filter_: list[str] = FILTER_OPTION,
    lab: bool = LAB_CONFIGS_OPTION,
    templates: Path | None = TEMPLATES_OPTION,
) -> None:
    """Render the intended config of every device (or the selected ones) into OUT/<device>.cfg.

    Configs of devices no longer in the inventory are removed from OUT (with a note).

    Example: govnet render --filter role=core -o build/intended; govnet render --filter name=kf-core-1 -o -

    Exit codes: 0 rendered (or nothing to render, with a note), 2 bad input, 3 internal error.
    """
    from govnet.credentials import load_credentials
    from govnet.errors import GovnetError
    from govnet.render import render_network, renders
    from govnet.render.isolation import render_isolation_policies

    network = load_network_or_exit(inventory, templates)
    chosen = select_devices(network, filter_) if filter_ else sorted(network.devices)
    if not chosen:
        raise GovnetError(f"no device matches --filter {' '.join(filter_)}")
    rendering = [n for n in chosen if renders(network, network.devices[n], lab=lab)]
    gateways = [] if lab else [n for n in chosen if network.devices[n].role == "isolation_gateway"]
    skipped = len(chosen) - len(rendering) - len(gateways)
    if not rendering and (not gateways or out == "-"):
        platforms = sorted({network.devices[n].platform_for(lab=lab) for n in chosen})
        print(
            f"note: nothing to render: the {len(chosen)} selected device(s) are on platforms govnet does "
            f"not configure ({', '.join(platforms)})",
            file=sys.stderr,
        )
        return
    to_stdout = out == "-"
    if to_stdout and len(rendering) != 1:
        raise GovnetError(
            f"--out - prints one config; {len(rendering)} selected (narrow it: --filter name=NAME)")
    configs = {} if not rendering else render_network(
        network,
        names=rendering,
        lab=lab,
        templates_dir=templates,
        progress=sys.stdout.isatty() and not to_stdout,
        credentials=load_credentials(state().secrets),
    )
    if to_stdout:
        sys.stdout.write(next(iter(configs.values())).text)
        return
    policies = {n: t for n, t in render_isolation_policies(network).items() if n in gateways}
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, config in configs.items():
            (folder / f"{name}.cfg").write_text(config.text, encoding="utf-8")
        for name, text in policies.items():
            (folder / f"{name}.policy.yaml").write_text(text, encoding="utf-8")
    except OSError as exc:
        raise GovnetError(f"cannot write into {folder}: {exc.strerror}") from None
    stale = prune_stale(folder, {n for n, d in network.devices.items() if renders(network, d, lab=lab)})
    print(f"rendered {len(configs)} configs into {folder}, skipped {skipped} on non-rendering platforms")
    if policies:
        print(f"rendered {len(policies)} isolation gateway policy file(s) for review and import: "
              + ", ".join(f"{n}.policy.yaml" for n in policies))
    if stale:
        shown = ", ".join(stale[:5]) + (f" and {len(stale) - 5} more" if len(stale) > 5 else "")
        print(
            f"note: removed {len(stale)} stale config(s) of devices no longer rendered: {shown}",
            file=sys.stderr,
        )


def prune_stale(folder: Path, current: set[str]) -> list[str]:
    """Delete ``<folder>/<name>.cfg`` files of devices not in ``current``; their names, sorted."""
    stale = sorted(p.stem for p in folder.glob("*.cfg") if p.stem not in current)
    for name in stale:
        (folder / f"{name}.cfg").unlink(missing_ok=True)
    return stale
