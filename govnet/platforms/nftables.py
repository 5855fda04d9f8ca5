"""Linux nftables: the firewalls of the lab twin (a ruleset rendered from the model)."""

from __future__ import annotations

from govnet.platforms.base import Platform

PLATFORM = Platform(
    name="nftables",
    vendor="linux",
    os_family="linux",
    netmiko="linux",
    lab=True,
    ifname_style="kernel",
    default_mgmt_port="mgmt0",
)
