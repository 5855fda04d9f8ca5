"""The management path of a Comware 7 switch: M-GigabitEthernet0/0/0 in the public network.

Read by :mod:`govnet.check.management` through ``get_platform("h3c_comware").submodule("management")``.
"""

from __future__ import annotations

MANAGEMENT_VPN: str | None = None
"""The VPN instance the management port is bound to: none (the public network), as govnet renders
it; Comware binds an interface to a VPN only with ``ip binding vpn-instance``."""

SERVICE_MANAGE: tuple[str, ...] = ()
"""Services the management port must admit with ``service-manage`` (Comware has no such command)."""

ACL_VIEW = "acl basic {acl}"
"""The command that opens a numbered basic ACL (Comware 7: ``acl basic 2001``)."""

VPN_BEFORE_ADDRESS: tuple[str, ...] = ("info-center loghost",)
"""Server commands that take ``vpn-instance X`` before the server address: Comware 7's
``info-center loghost [vpn-instance vpn-instance-name] {ipv4-address | ...}`` (H3C Comware 7
"Network Management and Monitoring Command Reference", information center commands; unverified
here: the page was not retrieved)."""
