"""Edge appliances govnet does not render yet (IPS, load balancer, VPN and isolation gateways)."""

from __future__ import annotations

from govnet.platforms.base import Platform

PLATFORM = Platform(
    name="appliance", vendor="generic", os_family="appliance", renders=False, print_style="plain"
)
