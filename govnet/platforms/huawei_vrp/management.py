"""The management path of a VRP5 S-series switch or AR router: MEth0/0/1 or GigabitEthernet0/0/0.

Read by :mod:`govnet.check.management` through ``get_platform("huawei_vrp").submodule("management")``.
"""

from __future__ import annotations

MANAGEMENT_VPN: str | None = None
"""The VPN instance the management port is bound to: none (the public network). VRP5 has no
built-in management VPN; the port is public unless bound with ``ip binding vpn-instance``."""

SERVICE_MANAGE: tuple[str, ...] = ()
"""Services the management port must admit with ``service-manage`` (VRP5 switches have none)."""

ACL_VIEW = "acl number {acl}"
"""The command that opens a numbered basic ACL (the fix text names it)."""

VPN_BEFORE_ADDRESS: tuple[str, ...] = ()
"""Server commands that take ``vpn-instance X`` before the server address (none: the VRP5
``info-center loghost``, ``ntp-service unicast-server``, ``hwtacacs-server`` and
``snmp-agent target-host`` forms take it after the address, as commands.yaml lists them;
unverified)."""
