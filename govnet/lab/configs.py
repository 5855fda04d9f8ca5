"""Lab configs: the base config every router boots with, and the intended config per device.

The intended config is `govnet.render` in lab mode: `templates/<lab_platform>/<role>.j2` with the
same context (`device`, `network`, `facts`), plus `ifnames` (inventory -> kernel interface names).
"""

from __future__ import annotations

from govnet.credentials import Credentials
from govnet.lab.errors import TopologyError
from govnet.model import Network
from govnet.render import Renderer, default_templates_dir

templates_dir = default_templates_dir
"""`templates/` of the checkout (or $GOVNET_TEMPLATES): the renderer's own lookup."""


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
    if not has_lab_template(network, device_name):
        name = template_name(dev.lab_platform, dev.role)
        raise TopologyError(
            f"no lab template {templates_dir() / name} for {device_name} "
            f"(role {dev.role}, lab platform {dev.lab_platform})"
        )
    renderer = Renderer(network, lab=True, templates_dir=templates_dir(), credentials=Credentials())
    return renderer.render(device_name).text


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
