"""The management path of a SecPath appliance (Comware 7): GigabitEthernet1/0/0 in the public network.

Read by :mod:`govnet.check.management` through ``get_platform("h3c_secpath").submodule("management")``;
the same facts as a Comware 7 switch (same command set for ACLs, servers and VPN bindings).
"""

from __future__ import annotations

from govnet.platforms.h3c_comware.management import (
    ACL_VIEW,
    MANAGEMENT_VPN,
    SERVICE_MANAGE,
    VPN_BEFORE_ADDRESS,
)

__all__ = ["ACL_VIEW", "MANAGEMENT_VPN", "SERVICE_MANAGE", "VPN_BEFORE_ADDRESS"]
