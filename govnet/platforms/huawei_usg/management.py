"""The management path of a USG firewall: GigabitEthernet0/0/0 in the built-in ``default`` VPN.

Read by :mod:`govnet.check.management` through ``get_platform("huawei_usg").submodule("management")``.
"""

from __future__ import annotations

MANAGEMENT_VPN: str | None = "default"
"""The VPN instance the management port is bound to on the device.

Source: a public USG6000V2 ``display current-configuration all`` capture
(songtianyi/songtianyi.github.io, pages/programming/networks/M-huawei-usg-overview.md):
``interface GigabitEthernet0/0/0`` / ``ip binding vpn-instance default`` / ``ip address ...`` /
``service-manage ssh permit`` / ``service-manage snmp permit``. The Huawei USG6000 product
documentation page stating the default binding was not retrieved (unverified there)."""

SERVICE_MANAGE: tuple[str, ...] = ("ssh", "snmp")
"""Services the management port must admit: ``service-manage {service} permit`` in the interface.

Source: USG6000 Administrator Guide, "Configuring Interface Access Management"
(https://usg.zrnko.cz/resources/admin/sec_admin_network_interface_0073.html, a mirror of the
product documentation): interface access management is enabled by default, takes precedence over
the security policy for traffic to the interface, and SSH and SNMP must be permitted per interface;
the command form as in the capture above."""

ACL_VIEW = "acl number {acl}"
"""The command that opens a numbered basic ACL (the fix text names it)."""

VPN_BEFORE_ADDRESS: tuple[str, ...] = ()
"""Server commands that take ``vpn-instance X`` before the server address (none known; the
``vpn-instance`` forms on USG are unverified, see docs/management-path.md)."""
