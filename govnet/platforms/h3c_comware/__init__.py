"""H3C Comware 7 (S7506X, S6800...): immediate mode with ``configuration commit delay``."""

from __future__ import annotations

import re

from govnet.platforms.base import FamilyMarker, HardwareColumn, HaTable, Platform, SecretRule
from govnet.platforms.huawei_vrp import CIPHER_VALUE, SNMP_AGENT_COMMUNITY, USM_AUTH_KEY, USM_PRIV_KEY

H3C_INTERFACE_ALIASES: tuple[tuple[str, ...], ...] = (
    # Full forms as Comware agents report them in ifName/ifDescr (librenms/librenms
    # tests/snmpsim/): Ten-GigabitEthernet9/0/10, M-GigabitEthernet0/0/0, Route-Aggregation10,
    # Vlan-interface1 (comware.snmprec, HP 10508 Comware 7.1.045); GigabitEthernet1/0/1
    # (comware_a5500.snmprec, Comware 5.20). The short forms are the ones Comware's
    # `display interface brief` prints (XGE, GE, FGE, HGE, MGE, BAGG, RAGG, Vlan).
    ("Ten-GigabitEthernet", "XGE", "XGigabitEthernet"),
    ("GigabitEthernet", "GE"),
    ("FortyGigE", "FGE", "40GE"),
    ("HundredGigE", "HGE", "100GE"),
    ("Twenty-FiveGigE", "WGE", "25GE"),
    ("M-GigabitEthernet", "MGE"),
    ("Bridge-Aggregation", "BAGG"),
    ("Route-Aggregation", "RAGG"),
    ("Vlan-interface", "Vlan-int", "Vlan"),
    ("LoopBack", "Loop"),
)
"""Comware interface-name forms (Ten-GigabitEthernet is XGE in Comware's own short form)."""

_EXT = "1.3.6.1.4.1.25506.2.6.1.1.1.1"
H3C_HARDWARE: tuple[HardwareColumn, ...] = (
    # HH3C-ENTITY-EXT-MIB hh3cEntityExtStateTable (hh3cCommon 6 .1.1.1) by entPhysicalIndex and
    # HH3C-LswDEVM-MIB fan/power tables (hh3clswCommon 9 .1.1/.1.2) by number (librenms/librenms
    # mibs/comware/). Answered on comware.snmprec (Boards 0-13 CPU and memory, temperature
    # 65535 = no sensor), comware_hpe5900.snmprec (Board 42 degrees, FAN 1/2, PSU 1),
    # comware_a5500.snmprec (power 2 not-install(3)).
    HardwareColumn("hh3cEntityExtCpuUsage", f"{_EXT}.6", "cpu"),
    HardwareColumn("hh3cEntityExtMemUsage", f"{_EXT}.8", "memory"),
    HardwareColumn("hh3cEntityExtTemperature", f"{_EXT}.12", "temperature", ignore=(0, 65535)),
    HardwareColumn("hh3cEntityExtOperStatus", f"{_EXT}.3", "entity", fault=(2, 4)),
    HardwareColumn(
        "hh3cEntityExtErrorStatus", f"{_EXT}.19", "entity",
        fault=(3, 11, 21, 22, 23, 31, 32, 33, 41, 51, 61, 71, 81, 91), ignore=(1,),
    ),
    HardwareColumn(
        "hh3cDevMFanStatus", "1.3.6.1.4.1.25506.8.35.9.1.1.1.2", "fan", by_entity=False,
        fault=(2,), ignore=(3, 4),
    ),
    HardwareColumn(
        "hh3cDevMPowerStatus", "1.3.6.1.4.1.25506.8.35.9.1.2.1.2", "power", by_entity=False,
        fault=(2,), ignore=(3, 4),
    ),
)
"""H3C boards (error status: postFailure, fan/psu/stack/sfp/module/sensor errors), fans and
power supplies (deactive(2) is a fault; not-install(3) and unsupport(4) are no row)."""
IRF_ROLE = HardwareColumn("hh3cStackBoardRole", "1.3.6.1.4.1.25506.2.91.3.1.1", "stack_role")
"""HH3C-STACK-MIB hh3cStackBoardRole by the MPU's entPhysicalIndex: slave(1), master(2),
loading(3), other(4)."""
H3C_VRRP_TABLE = HaTable("vrrpOperState", "1.3.6.1.2.1.68.1.3.1.3", "vrrp", instance=-1)

COMWARE_MARKER = FamilyMarker(
    "an H3C Comware 7",
    # the ` version 7.1.070, Release 7585P05` banner and `line class` views
    # (tests/fixtures/device-configs/h3c_comware/kf-agg-laodaohe.cfg)
    re.compile(r"^ ?version 7\.\d|^line class \w", re.MULTILINE),
)
COMWARE_PASSWORD = SecretRule(
    # password hash|cipher|simple VALUE (local-user, password-control), key cipher VALUE
    "comware password", re.compile(r"(?<![-\w])password (?:hash|cipher|simple) (?P<v>\S+)"), "keyword"
)
COMWARE_SECRET_RULES = (CIPHER_VALUE, COMWARE_PASSWORD, SNMP_AGENT_COMMUNITY, USM_AUTH_KEY, USM_PRIV_KEY)
"""Where Comware 7 prints secrets: VRP's cipher, community and usm-user forms, plus
``password hash``."""
COMWARE_MANAGEMENT_FEATURES: dict[str, str] = {
    # first words of the management-plane globals in templates/h3c_* (their goldens:
    # tests/fixtures/golden/h3c_*/)
    "ntp-service": "NTP",
    "clock": "clock and time zone",
    "hwtacacs": "AAA (HWTACACS)",
    "info-center": "syslog hosts",
    "snmp-agent": "SNMP agent and trap hosts",
    "acl": "management ACLs",
    "line": "VTY access",
    "header": "login banner",
}
"""Comware management-plane globals (what the lab twin's configs leave out)."""

PLATFORM = Platform(
    print_style="comware",
    name="h3c_comware",
    vendor="h3c",
    os_family="comware7",
    netmiko="hp_comware",
    napalm="h3c_comware",
    hier_config="HP_COMWARE5",
    mgmt_ports={"core": "M-GigabitEthernet0/0/0", "aggregation": "M-GigabitEthernet0/0/0"},
    default_mgmt_port="M-GigabitEthernet0/0/0",
    change_model="commit-delay",
    driver="comware:ComwareDriver",
    vendor_oids={
        "hh3cEntityExtOperStatus": "1.3.6.1.4.1.25506.2.6.1.1.1.1.3",
        "hh3cEntityExtErrorStatus": "1.3.6.1.4.1.25506.2.6.1.1.1.1.19",
        "hh3cDevMFanStatus": "1.3.6.1.4.1.25506.8.35.9.1.1.1.2",
        "hh3cDevMPowerStatus": "1.3.6.1.4.1.25506.8.35.9.1.2.1.2",
        "hh3cStackBoardRole": "1.3.6.1.4.1.25506.2.91.3.1.1",
        "hh3cStackPortStatus": "1.3.6.1.4.1.25506.2.91.4.1.3",
        "hh3cBgp4v2PeerState": "1.3.6.1.4.1.25506.2.183.1.1.1.3",
        "vrrpOperState": "1.3.6.1.2.1.68.1.3.1.3",
    },
    interface_aliases=H3C_INTERFACE_ALIASES,
    ha_tables=(H3C_VRRP_TABLE,),
    hardware=(*H3C_HARDWARE, IRF_ROLE),
    family_marker=COMWARE_MARKER,
    secret_rules=COMWARE_SECRET_RULES,
    management_features=COMWARE_MANAGEMENT_FEATURES,
    version_note="Comware 7.1.x",
)
