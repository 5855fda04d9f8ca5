"""Huawei USG6000 firewalls (USG6650 ...): VRP5-style CLI with security zones and HRP.

Immediate mode like VRP5 (Netmiko ``huawei``), but its own syntax where it matters: the
administrator is a ``manager-user`` with lockout ``lock-authentication failed-count`` in the
``aaa`` view, interfaces need ``service-manage`` to answer management protocols, the firewall's
own traffic (syslog, NTP, SNMP, SSH) is policed by ``security-policy`` rules with the ``local``
zone, ``ip vpn-instance default`` is built in, and the hot-standby (HRP) pair prefixes prompts
with ``HRP_M``/``HRP_S``.
"""

from __future__ import annotations

import re

from govnet.platforms.base import FamilyMarker, Platform
from govnet.platforms.huawei_vrp import (
    HUAWEI_HARDWARE,
    HUAWEI_INTERFACE_ALIASES,
    HUAWEI_MANAGEMENT_FEATURES,
    VGMP_TABLE,
    VRP_SECRET_RULES,
    VRRP_TABLE,
)

USG_MARKER = FamilyMarker(
    "a Huawei USG",
    # the HRP_M/HRP_S prompt prefix and the hrp commands only the USG software prints
    # (tests/fixtures/device-configs/huawei_usg/kf-fw-1.cfg)
    re.compile(r"^HRP_[MS][<\[]|^ ?hrp (enable|interface)\b", re.MULTILINE),
)

PLATFORM = Platform(
    name="huawei_usg",
    vendor="huawei",
    os_family="usg",
    netmiko="huawei",
    napalm="huawei_vrp",
    hier_config="HUAWEI_VRP",
    mgmt_ports={"firewall": "GigabitEthernet0/0/0"},
    default_mgmt_port="GigabitEthernet0/0/0",
    change_model="immediate",
    driver="vrp5:UsgDriver",
    vendor_oids={
        "hwEntityOperStatus": "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.2",
        "hwEntityPwrState": "1.3.6.1.4.1.2011.5.25.31.1.1.18.1.6",
        "hwEntityFanState": "1.3.6.1.4.1.2011.5.25.31.1.1.10.1.7",
        "hwVgmpGroupCfgState": "1.3.6.1.4.1.2011.5.25.122.2.1.1.10",
        "hwVgmpGroupPeerState": "1.3.6.1.4.1.2011.5.25.122.2.1.1.14",
        "vrrpOperState": "1.3.6.1.2.1.68.1.3.1.3",
    },
    interface_aliases=HUAWEI_INTERFACE_ALIASES,
    ha_tables=(VGMP_TABLE, VRRP_TABLE),
    hardware=HUAWEI_HARDWARE,
    family_marker=USG_MARKER,
    secret_rules=VRP_SECRET_RULES,
    management_features=HUAWEI_MANAGEMENT_FEATURES,
    hrp=True,
    version_note="USG6000 V500R00x / V600R00x: immediate mode",
)
