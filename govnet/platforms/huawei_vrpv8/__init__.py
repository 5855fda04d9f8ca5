"""Huawei VRP V8: CloudEngine CE12800/CE6800 data-centre and core switches (two-stage commit).

A different syntax family from VRP5: ``stelnet ipv4 server enable``, ``telnet server disable``,
``ntp unicast-server``, ``local-user X level 3``, management on ``MEth0/0/0`` in the built-in
``_management_vpn_``. Changes are made in a candidate and applied by ``commit`` (``commit
trial`` gives the confirm window), driven by Netmiko's ``huawei_vrpv8`` class.
"""

from __future__ import annotations

import re

from govnet.platforms.base import FamilyMarker, Platform
from govnet.platforms.huawei_vrp import (
    CSS_ROLE,
    HUAWEI_HARDWARE,
    HUAWEI_MANAGEMENT_FEATURES,
    VRP_SECRET_RULES,
    VRRP_TABLE,
)

VRP8_INTERFACE_ALIASES: tuple[tuple[str, ...], ...] = (
    # VRP8 prints the short forms as the names themselves: 10GE1/4/0/0, 40GE1/1/0/0, MEth0/0/0/0
    # (librenms/librenms tests/snmpsim/vrp_ce12804-withvrf.snmprec, CE12800 V200R002C50);
    # GE and 100GE the same way on CloudEngine (yunshan.snmprec: 100GE1/0/1).
    ("10GE", "XGigabitEthernet", "XGE"),
    ("GE", "GigabitEthernet"),
    ("25GE",),
    ("40GE",),
    ("100GE",),
    ("Eth-Trunk",),
    ("MEth",),
    ("Vlanif",),
    ("LoopBack",),
)
"""CloudEngine interface-name forms: the short form (10GE, GE) is the canonical one."""

VRP8_MARKER = FamilyMarker(
    "a Huawei VRP8 (CE)",
    # the candidate-view prompt [~HOST] and the commit stamp VRP8 prints at the top of
    # `display current-configuration` (tests/fixtures/device-configs/huawei_vrpv8/kf-core-1.cfg)
    re.compile(r"^\[~[^\]\s]+\]|^!Last configuration was committed", re.MULTILINE),
)

PLATFORM = Platform(
    name="huawei_vrpv8",
    vendor="huawei",
    os_family="vrp8",
    netmiko="huawei_vrpv8",
    napalm="ce",
    hier_config="HUAWEI_VRP",
    mgmt_ports={"core": "MEth0/0/0", "aggregation": "MEth0/0/0"},
    default_mgmt_port="MEth0/0/0",
    change_model="candidate-trial",
    driver="vrp8:Vrp8Driver",
    vendor_oids={
        "hwEntityOperStatus": "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.2",
        "hwEntityStandbyStatus": "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.3",
        "hwEntityPwrState": "1.3.6.1.4.1.2011.5.25.31.1.1.18.1.6",
        "hwEntityFanState": "1.3.6.1.4.1.2011.5.25.31.1.1.10.1.7",
        "hwCssMemberRole": "1.3.6.1.4.1.2011.5.25.183.3.2.1.8",
        "hwBgpPeerState": "1.3.6.1.4.1.2011.5.25.177.1.1.2.1.5",
    },
    interface_aliases=VRP8_INTERFACE_ALIASES,
    ha_tables=(VRRP_TABLE,),
    hardware=(*HUAWEI_HARDWARE, CSS_ROLE),
    family_marker=VRP8_MARKER,
    secret_rules=VRP_SECRET_RULES,
    management_features={**HUAWEI_MANAGEMENT_FEATURES, "ntp": "NTP"},  # ntp unicast-server
    version_note="CE series VRP V200R0xx (VRP8): candidate configuration, commit / commit trial",
)
