"""The intended configs a deploy pushes: the render stage's output for the selected devices.

In lab mode the network is first cut to the booted devices (``lab_devices``, from the CLI), the
same way ``govnet lab up --provisioned`` renders, so BGP neighbours and links that are not
booted stay out. Only devices whose platform has a deploy driver are returned.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

from govnet.credentials import Credentials
from govnet.deploy.driver import DeployError
from govnet.model import Network
from govnet.platforms import get_platform
from govnet.render import render_network


def scope(network: Network, lab_devices: Collection[str] | None) -> Network:
    """The network the deploy sees: the lab twin's booted subset, or all of it."""
    return network.subset(lab_devices) if lab_devices else network


def select(network: Network, filters: Iterable[str], *, lab: bool) -> list[str]:
    """Devices matching ``--filter`` (model syntax) whose platform govnet pushes to."""
    try:
        names = network.select(list(filters))
    except ValueError as exc:
        raise DeployError(str(exc)) from None
    chosen = [n for n in names if get_platform(network.devices[n].platform_for(lab=lab)).driver]
    if not chosen:
        raise DeployError(f"no device govnet deploys to matches {' '.join(filters) or 'the inventory'}")
    return chosen


def intended_configs(
    network: Network, names: list[str], *, lab: bool, credentials: Credentials,
    templates_dir: Path | None = None,
) -> dict[str, str]:
    """{device: rendered config text} (secret references left in place)."""
    rendered = render_network(network, names=names, lab=lab, templates_dir=templates_dir,
                              credentials=credentials)
    return {name: cfg.text for name, cfg in rendered.items()}
