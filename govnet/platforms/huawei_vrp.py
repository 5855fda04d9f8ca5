"""Huawei VRP5: S-series switches (S12700E, S7706) and AR routers.

They run VRP5-style software (immediate mode, no candidate or commit trial), driven by Netmiko's
``huawei`` class. The CE series (VRP8, two-stage commit) is ``huawei_vrpv8``; USG firewalls
are ``huawei_usg``.
"""

from __future__ import annotations

from govnet.platforms.base import Platform

PLATFORM = Platform(
    name="huawei_vrp",
    vendor="huawei",
    os_family="vrp5",
    netmiko="huawei",
    napalm="huawei_vrp",
    hier_config="HUAWEI_VRP",
    mgmt_ports={
        "core": "MEth0/0/1",
        "aggregation": "MEth0/0/1",
        "access": "GigabitEthernet0/0/0",
    },
    default_mgmt_port="MEth0/0/1",
    change_model="immediate",
    driver="vrp5:Vrp5Driver",
    vendor_oids={
        "hwEntityOperStatus": "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.2",
        "hwEntityStandbyStatus": "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.3",
        "hwEntityPwrState": "1.3.6.1.4.1.2011.5.25.31.1.1.18.1.6",
        "hwEntityFanState": "1.3.6.1.4.1.2011.5.25.31.1.1.10.1.7",
        "hwMemberStackRole": "1.3.6.1.4.1.2011.5.25.183.1.20.1.3",
        "hwCssMemberRole": "1.3.6.1.4.1.2011.5.25.183.3.2.1.8",
        "hwBgpPeerState": "1.3.6.1.4.1.2011.5.25.177.1.1.2.1.5",
    },
    version_note="VRP V200R0xx (S-series, AR): immediate mode",
)
