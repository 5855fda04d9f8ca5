"""H3C SecPath security appliances on Comware 7: the L1000-A load balancer and the SSL VPN
gateway (SecPath F1000 series with the SSL VPN licence).

Same CLI family as the Comware switches (Netmiko ``hp_comware``, ``configuration commit delay``
for a confirm window), with the ``loadbalance``/``virtual-server`` and ``sslvpn`` views.
"""

from __future__ import annotations

from govnet.platforms.base import Platform
from govnet.platforms.h3c_comware import (
    COMWARE_MANAGEMENT_FEATURES,
    COMWARE_MARKER,
    COMWARE_SECRET_RULES,
    H3C_HARDWARE,
    H3C_INTERFACE_ALIASES,
)

PLATFORM = Platform(
    print_style="comware",
    name="h3c_secpath",
    vendor="h3c",
    os_family="comware7",
    netmiko="hp_comware",
    napalm="h3c_comware",
    hier_config="HP_COMWARE5",
    mgmt_ports={"load_balancer": "GigabitEthernet1/0/0", "vpn_gateway": "GigabitEthernet1/0/0"},
    default_mgmt_port="GigabitEthernet1/0/0",
    change_model="commit-delay",
    driver="comware:ComwareDriver",
    vendor_oids={
        "hh3cEntityExtOperStatus": "1.3.6.1.4.1.25506.2.6.1.1.1.1.3",
        "hh3cEntityExtErrorStatus": "1.3.6.1.4.1.25506.2.6.1.1.1.1.19",
    },
    interface_aliases=H3C_INTERFACE_ALIASES,
    hardware=H3C_HARDWARE,
    family_marker=COMWARE_MARKER,
    secret_rules=COMWARE_SECRET_RULES,
    management_features=COMWARE_MANAGEMENT_FEATURES,
    zoned_interfaces=True,
    sslvpn_pools=True,
    version_note="SecPath L1000-A / F1000 on Comware 7.1.064: commit delay",
)
