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

    Isolation gateways get a reviewed OUT/<gateway>.policy.yaml instead. The files of devices the
    inventory no longer renders (configs and policy files) are removed from OUT, with a note.

    Example: govnet render --filter role=core -o build/intended; govnet render --filter name=kf-core-1 -o -

    Exit codes: 0 rendered (or nothing to render, with a note), 2 bad input, 3 internal error.
    """
    from govnet.credentials import load_credentials
    from govnet.errors import GovnetError
    from govnet.render import render_network
    from govnet.render.output import split_selection, write_folder

    network = load_network_or_exit(inventory, templates)
    chosen = network.select(filter_) if filter_ else sorted(network.devices)
    if not chosen:
        raise GovnetError(f"no device matches --filter {' '.join(filter_)}")
    selection = split_selection(network, chosen, lab=lab)
    to_stdout = out == "-"
    if not selection.configs and (not selection.policies or to_stdout):
        platforms = sorted({network.devices[n].platform_for(lab=lab) for n in chosen})
        print(
            f"note: nothing to render: the {len(chosen)} selected device(s) are on platforms govnet does "
            f"not configure ({', '.join(platforms)})",
            file=sys.stderr,
        )
        return
    credentials = load_credentials(state().secrets)
    if to_stdout:
        if len(selection.configs) != 1:
            raise GovnetError(
                f"--out - prints one config; {len(selection.configs)} selected "
                "(narrow it: --filter name=NAME)"
            )
        configs = render_network(
            network, names=selection.configs, lab=lab, templates_dir=templates, credentials=credentials
        )
        sys.stdout.write(next(iter(configs.values())).text)
        return
    folder = Path(out)
    written = write_folder(
        network,
        folder,
        selection,
        lab=lab,
        templates_dir=templates,
        credentials=credentials,
        progress=sys.stdout.isatty(),
    )
    print(
        f"rendered {len(written.configs)} configs into {folder}, "
        f"skipped {len(selection.skipped)} on non-rendering platforms"
    )
    if written.policies:
        print(
            f"rendered {len(written.policies)} isolation gateway policy file(s) for review and import: "
            + ", ".join(written.policies)
        )
    if written.removed:
        shown = ", ".join(written.removed[:5])
        count = len(written.removed)
        more = f" and {count - 5} more" if count > 5 else ""
        note = f"note: removed {count} stale file(s) of devices no longer rendered: {shown}{more}"
        print(note, file=sys.stderr)
