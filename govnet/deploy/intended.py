"""The intended configs a deploy pushes: the render stage's output for the selected devices.

In lab mode the network is first cut to the booted devices (``lab_devices``, from the CLI), the
same way ``govnet lab up --provisioned`` renders, so BGP neighbours and links that are not
booted stay out. Only devices whose platform has a deploy driver are returned; the twin's Linux
edge devices (``Platform.linux_edge``) get their edge config
(:func:`govnet.render.linux_edge.edge_config`: ruleset, keepalived.conf, routes), and such a device
is pushed to only in the twin (real servers are not govnet's to configure).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

from govnet.credentials import Credentials
from govnet.deploy.driver import DeployError
from govnet.model import Network
from govnet.platforms import get_platform
from govnet.render import linux_edge as render_edge
from govnet.render import render_network


def scope(network: Network, lab_devices: Collection[str] | None) -> Network:
    """The network the deploy sees: the lab twin's booted subset, or all of it."""
    return network.subset(lab_devices) if lab_devices else network


def pushed(network: Network, name: str, *, lab: bool) -> bool:
    """Whether govnet pushes to ``name``: its platform has a driver, and a Linux device is one
    of the twin's edge devices (:func:`govnet.render.linux_edge.driven`)."""
    platform = get_platform(network.devices[name].platform_for(lab=lab))
    if not platform.driver:
        return False
    if platform.linux_edge:
        return lab and render_edge.driven(network, name)
    return True


def select(network: Network, filters: Iterable[str], *, lab: bool) -> list[str]:
    """Devices matching ``--filter`` (model syntax) whose platform govnet pushes to.

    Raises FilterError (the model's one filter validator) on a bad filter, DeployError when the
    filter matches no device; devices it matches that govnet does not push to here (a real server,
    an appliance) give an empty list."""
    filters = list(filters)
    names = network.select(filters)
    if not names:
        raise DeployError(f"no device govnet deploys to matches {' '.join(filters) or 'the inventory'}")
    return [n for n in names if pushed(network, n, lab=lab)]


def intended_configs(
    network: Network, names: list[str], *, lab: bool, credentials: Credentials,
    templates_dir: Path | None = None,
) -> dict[str, str]:
    """{device: rendered config text} (secret references left in place)."""
    edge = [n for n in names if lab and get_platform(network.devices[n].lab_platform).linux_edge]
    others = [n for n in names if n not in edge]
    configs: dict[str, str] = {}
    if others:
        rendered = render_network(network, names=others, lab=lab, templates_dir=templates_dir,
                                  credentials=credentials)
        configs = {name: cfg.text for name, cfg in rendered.items()}
    for name in edge:
        configs[name] = render_edge.edge_config(network, name, templates_dir)
    return configs
