"""Lab configs: the base config every router boots with, and the intended config per device.

The intended config renders `templates/<lab_platform>/<role>.j2` with the same context shape as
`govnet.render` (`device`, `network`), plus `ifnames` (inventory -> kernel interface names).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import jinja2

from govnet.lab.errors import TopologyError
from govnet.lab.topology import ifname_map
from govnet.model import Network

TEMPLATES_ENV = "GOVNET_TEMPLATES"


def templates_dir() -> Path:
    """`templates/` of the checkout (or $GOVNET_TEMPLATES)."""
    override = os.environ.get(TEMPLATES_ENV)
    return Path(override) if override else Path(__file__).resolve().parents[2] / "templates"


@lru_cache(maxsize=4)
def _environment(path: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(path),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def template_name(lab_platform: str, role: str) -> str:
    return f"{lab_platform}/{role}.j2"


def has_lab_template(network: Network, device_name: str) -> bool:
    dev = network.devices[device_name]
    return (templates_dir() / template_name(dev.lab_platform, dev.role)).exists()


def render_lab_config(network: Network, device_name: str) -> str:
    """Render the lab platform template (frr or nftables) for one device."""
    try:
        dev = network.devices[device_name]
    except KeyError:
        raise TopologyError(f"no device {device_name!r} in the inventory") from None
    env = _environment(str(templates_dir()))
    name = template_name(dev.lab_platform, dev.role)
    try:
        template = env.get_template(name)
    except jinja2.TemplateNotFound:
        raise TopologyError(
            f"no lab template {templates_dir() / name} for {device_name} "
            f"(role {dev.role}, lab platform {dev.lab_platform})"
        ) from None
    ifnames = ifname_map(i.name for i in dev.interfaces)
    return template.render(device=dev, network=network, ifnames=ifnames)


def base_config(device_name: str) -> str:
    """What a router boots with before provisioning: hostname and the SNMP AgentX hook."""
    return (
        "frr defaults traditional\n"
        f"hostname {device_name}\n"
        "agentx\n"
        "!\n"
        "line vty\n"
        "exit\n"
        "!\n"
        "end\n"
    )
