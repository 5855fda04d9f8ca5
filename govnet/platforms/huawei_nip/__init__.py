"""Huawei NIP6000 intrusion prevention (NIP6600 ...), in-line in routed mode.

The NIP runs the USG6000's software (V500): the same CLI (security zones, ``security-policy``,
``manager-user``, ``service-manage``) plus ``profile type ips``, so Netmiko's ``huawei`` class
and the USG driver's immediate mode with a govnet-kept confirm window apply unchanged.
"""

from __future__ import annotations

from govnet.platforms.base import Platform
from govnet.platforms.huawei_usg import USG_MARKER
from govnet.platforms.huawei_vrp import (
    HUAWEI_HARDWARE,
    HUAWEI_INTERFACE_ALIASES,
    HUAWEI_MANAGEMENT_FEATURES,
    VRP_SECRET_RULES,
)

PLATFORM = Platform(
    name="huawei_nip",
    vendor="huawei",
    os_family="usg",
    netmiko="huawei",
    napalm="huawei_vrp",
    hier_config="HUAWEI_VRP",
    mgmt_ports={"ips": "GigabitEthernet0/0/0"},
    default_mgmt_port="GigabitEthernet0/0/0",
    change_model="immediate",
    driver="vrp5:UsgDriver",
    vendor_oids={
        "hwEntityOperStatus": "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.2",
        "hwEntityPwrState": "1.3.6.1.4.1.2011.5.25.31.1.1.18.1.6",
        "hwEntityFanState": "1.3.6.1.4.1.2011.5.25.31.1.1.10.1.7",
    },
    interface_aliases=HUAWEI_INTERFACE_ALIASES,
    hardware=HUAWEI_HARDWARE,
    family_marker=USG_MARKER,
    secret_rules=VRP_SECRET_RULES,
    management_features=HUAWEI_MANAGEMENT_FEATURES,
    version_note="NIP6000 V500R00x (USG6000 software): immediate mode",
)
