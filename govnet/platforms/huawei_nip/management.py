"""The management path of a NIP intrusion-prevention system: GigabitEthernet0/0/0.

Read by :mod:`govnet.check.management` through ``get_platform("huawei_nip").submodule("management")``.
"""

from __future__ import annotations

MANAGEMENT_VPN: str | None = None
"""The VPN instance the management port is bound to: none (the public network), as govnet renders
it. Unverified: the NIP6000 runs USG6000 software, whose GigabitEthernet0/0/0 is bound to
``vpn-instance default`` out of the box; no public NIP capture or reference settling it was found
(docs/management-path.md lists it)."""

SERVICE_MANAGE: tuple[str, ...] = ("ssh", "snmp")
"""Services the management port must admit: ``service-manage {service} permit`` in the interface
(the USG6000 interface access management, "Configuring Interface Access Management",
https://usg.zrnko.cz/resources/admin/sec_admin_network_interface_0073.html; on NIP unverified)."""

ACL_VIEW = "acl number {acl}"
"""The command that opens a numbered basic ACL (the fix text names it)."""

VPN_BEFORE_ADDRESS: tuple[str, ...] = ()
"""Server commands that take ``vpn-instance X`` before the server address (none known)."""
