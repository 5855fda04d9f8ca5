"""The management path of a CloudEngine (VRP8): MEth0/0/0 in the built-in ``_management_vpn_``.

Read by :mod:`govnet.check.management` through ``get_platform("huawei_vrpv8").submodule("management")``.
"""

from __future__ import annotations

MANAGEMENT_VPN: str | None = "_management_vpn_"
"""The VPN instance the management port is bound to on the device.

Source: Huawei CloudEngine 12800/6800 "Configuration Guide - Basic Configuration" (MEth0/0/0 is
bound to the built-in ``_management_vpn_``; also cited by tests/fixtures/device-configs/README.md);
a public CE6820 (V300) set-up note found with the code search shows the default binding being
removed with ``interface MEth0/0/0`` / ``undo ip binding vpn-instance _management_vpn_``.
Partly verified: the reference page itself was not retrieved (see docs/management-path.md)."""

SERVICE_MANAGE: tuple[str, ...] = ()
"""Services the management port must admit with ``service-manage`` (a CE has no such command)."""

ACL_VIEW = "acl number {acl}"
"""The command that opens a numbered basic ACL (the fix text names it)."""

VPN_BEFORE_ADDRESS: tuple[str, ...] = ()
"""Server commands that take ``vpn-instance X`` before the server address (none on VRP8: the
CloudEngine reference gives ``hwtacacs-server authentication {ip} [port] [vpn-instance X]``,
http://a10.tagan.ru/huawei/dc/hwtacacs-server_authentication.html; ``info-center loghost``,
``ntp unicast-server`` and ``snmp-agent target-host`` take it after the address as the platform's
commands.yaml lists them, unverified there)."""
