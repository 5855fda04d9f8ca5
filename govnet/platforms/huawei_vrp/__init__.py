"""Huawei VRP5: S-series switches (S12700E, S7706) and AR routers.

They run VRP5-style software (immediate mode, no candidate or commit trial), driven by Netmiko's
``huawei`` class. The CE series (VRP8, two-stage commit) is ``huawei_vrpv8``; USG firewalls
are ``huawei_usg``.
"""

from __future__ import annotations

import re

from govnet.platforms.base import HardwareColumn, HaTable, Platform, SecretRule

HUAWEI_INTERFACE_ALIASES: tuple[tuple[str, ...], ...] = (
    # Full and short forms as Huawei agents report them in ifName/ifDescr (LibreNMS snmpsim
    # recordings, librenms/librenms tests/snmpsim/): GigabitEthernet0/0/1, XGigabitEthernet0/0/1,
    # MEth0/0/1 (vrp_5720.snmprec, S5720 VRP V200R010); GE1/0/5, 10GE1/0/1 (yunshan_s5735-v2.snmprec,
    # S5735 YunShan V600); 40GE1/1/0/0, 10GE1/4/0/0, MEth0/0/0/0 (vrp_ce12804-withvrf.snmprec,
    # CE12800 VRP8); 100GE1/0/1, Eth-Trunk53 (yunshan.snmprec).
    ("GigabitEthernet", "GE"),
    ("XGigabitEthernet", "XGE", "10GE"),
    ("25GE",),
    ("40GE",),
    ("100GE",),
    ("Eth-Trunk",),
    ("MEth",),
    ("Vlanif",),
    ("LoopBack",),
)
"""Huawei interface-name forms: VRP5 prints XGigabitEthernet where VRP8/YunShan print 10GE."""

VRRP_TABLE = HaTable("vrrpOperState", "1.3.6.1.2.1.68.1.3.1.3", "vrrp", instance=-1)
"""VRRP-MIB (RFC 2787) vrrpOperState, indexed ifIndex.vrid: initialize(1), backup(2), master(3)."""
VGMP_TABLE = HaTable("hwVgmpGroupCfgState", "1.3.6.1.4.1.2011.5.25.122.2.1.1.10", "vgmp", instance=-1)
"""HUAWEI-VGMP-MIB hwVgmpGroupCfgState (hwVgmpMib = hwDatacomm 122, vgmpOperations 2,
hwVgmpGroupCfgTable 1, column 10), indexed by the VGMP group id: nouse(1), init(2), master(3),
slave(4), master2slave(5), slave2master(6). Checked against librenms/librenms
mibs/huawei/HUAWEI-VGMP-MIB (LAST-UPDATED 200701112100Z); the USG's HRP state is this VGMP
group's (no HRP MIB is published there)."""

_ENTITY = "1.3.6.1.4.1.2011.5.25.31.1.1"
HUAWEI_HARDWARE: tuple[HardwareColumn, ...] = (
    # HUAWEI-ENTITY-EXTENT-MIB (librenms/librenms mibs/huawei/HUAWEI-ENTITY-EXTENT-MIB):
    # hwEntityStateTable (hwEntityState 1) by entPhysicalIndex; hwFanStatusTable (10) and
    # hwPwrStatusTable (18) by slot.number. Answered on every recording read: MPU Board 0-2 of an
    # S5720 stack (vrp_5720-vrf.snmprec), fans and PSUs "slot1,FAN1"/"slot1,PWR1"
    # (yunshan_s5735-v2.snmprec, yunshan.snmprec).
    HardwareColumn("hwEntityCpuUsage", f"{_ENTITY}.1.1.5", "cpu"),
    HardwareColumn("hwEntityMemUsage", f"{_ENTITY}.1.1.7", "memory"),
    HardwareColumn("hwEntityTemperature", f"{_ENTITY}.1.1.11", "temperature", ignore=(0,)),
    HardwareColumn("hwEntityOperStatus", f"{_ENTITY}.1.1.2", "entity", fault=(2, 4, 12)),
    HardwareColumn("hwEntityStandbyStatus", f"{_ENTITY}.1.1.3", "standby", ignore=(1,)),
    HardwareColumn(
        "hwEntityFanState", f"{_ENTITY}.10.1.7", "fan", by_entity=False, name_oid=f"{_ENTITY}.10.1.8",
        fault=(2,),
    ),
    HardwareColumn(
        "hwEntityPwrState", f"{_ENTITY}.18.1.6", "power", by_entity=False, name_oid=f"{_ENTITY}.18.1.9",
        fault=(2,),
    ),
)
"""Huawei boards (disabled/offline/down are faults), fans (abnormal(2)) and power supplies
(notSupply(2)); a temperature of 0 is a board without a sensor."""
STACK_ROLE = HardwareColumn(
    "hwMemberStackRole", "1.3.6.1.4.1.2011.5.25.183.1.20.1.3", "stack_role", by_entity=False
)
"""HUAWEI-STACK-MIB hwMemberStackRole by member id: master(1), standby(2), slave(3)
(vrp_5720-vrf.snmprec: members 1 and 2)."""
CSS_ROLE = HardwareColumn(
    "hwCssMemberRole", "1.3.6.1.4.1.2011.5.25.183.3.2.1.8", "stack_role", by_entity=False
)
"""CSS (cluster switch system) member role, the CE and S12700 chassis stack."""

VRP_CIPHER_BLOB = SecretRule(
    # VRP prints a stored secret as %^%#...%^%# (older releases %@%@...%@%@ and %$%$...%$%$)
    # anywhere on a line: `display current-configuration` of the golden configs and captures in
    # tests/fixtures/device-configs/huawei_*
    "vrp cipher blob", re.compile(r"(?P<v>%\^%#.*?%\^%#|%@%@.*?%@%@|%\$%\$.*?%\$%\$)"), "blob"
)
CIPHER_VALUE = SecretRule(
    # VRP and Comware: a value after cipher / irreversible-cipher / simple
    "cipher value",
    re.compile(r"(?<![-\w])(?:irreversible-cipher|cipher|simple) (?!(?:read|write) )(?P<v>\S+)"),
    "keyword",
)
SNMP_AGENT_COMMUNITY = SecretRule(
    # snmp-agent community read|write [cipher] NAME (VRP); Comware 7 also writes
    # snmp-agent community simple|cipher read|write NAME
    "snmp community",
    re.compile(
        r"^\s*snmp-agent community (?:(?:simple|cipher) )?(?:read|write) (?:simple |cipher )?(?P<v>\S+)"
    ),
    "command",
)
USM_AUTH_KEY = SecretRule(
    # snmp-agent usm-user keys: authentication-mode sha KEY / privacy-mode aes128 KEY
    "usm auth key", re.compile(r"authentication-mode \S+ (?!cipher )(?P<v>\S+)"), "mode"
)
USM_PRIV_KEY = SecretRule("usm priv key", re.compile(r"privacy-mode \S+ (?!cipher )(?P<v>\S+)"), "mode")
VRP_SECRET_RULES = (VRP_CIPHER_BLOB, CIPHER_VALUE, SNMP_AGENT_COMMUNITY, USM_AUTH_KEY, USM_PRIV_KEY)
"""Where VRP5, VRP8 and the USG software print secrets."""

HUAWEI_MANAGEMENT_FEATURES: dict[str, str] = {
    # first words of the management-plane globals in templates/huawei_* (their goldens:
    # tests/fixtures/golden/huawei_*/)
    "ntp-service": "NTP",
    "clock": "clock and time zone",
    "hwtacacs-server": "AAA (HWTACACS)",
    "aaa": "AAA",
    "info-center": "syslog hosts",
    "snmp-agent": "SNMP agent and trap hosts",
    "acl": "management ACLs",
    "cpu-defend": "control-plane protection",
    "user-interface": "VTY access",
    "header": "login banner",
}
"""Huawei management-plane globals (what the lab twin's configs leave out)."""

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
    interface_aliases=HUAWEI_INTERFACE_ALIASES,
    ha_tables=(VRRP_TABLE,),
    hardware=(*HUAWEI_HARDWARE, STACK_ROLE, CSS_ROLE),
    secret_rules=VRP_SECRET_RULES,
    management_features=HUAWEI_MANAGEMENT_FEATURES,
    version_note="VRP V200R0xx (S-series, AR): immediate mode",
)
