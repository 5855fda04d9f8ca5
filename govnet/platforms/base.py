"""What govnet knows about one platform, declared as data (hier_config's manner)."""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import ModuleType
from typing import Literal, Protocol, cast

from govnet.errors import GovnetError

OsFamily = Literal["vrp5", "vrp8", "usg", "comware7", "frr", "linux", "appliance"]
ChangeModel = Literal["candidate-trial", "commit-delay", "immediate", "none"]
"""How the platform takes a change: VRP8 ``commit trial``, Comware
``configuration commit delay``, immediate mode with a govnet-kept confirm window (VRP5, USG,
FRR), or not pushed by govnet at all."""
IfnameStyle = Literal["vendor", "kernel"]
HaProtocol = Literal["vrrp", "vgmp"]
PrintStyle = Literal["vrp", "comware", "frr", "plain"]
"""How a platform prints its config: Huawei VRP5/VRP8/USG/NIP (``#`` separators, ``return``),
H3C Comware 7 (likewise, plus the ``version`` banner), FRR (vtysh ``show running-config``),
or plain text (nftables, keepalived: nothing to strip)."""
HardwareKind = Literal["cpu", "memory", "temperature", "fan", "power", "entity", "standby", "stack_role"]


MaskStage = Literal["blob", "keyword", "command", "mode", "bare"]
"""When a secret-masking rule runs, from the most specific form to the loosest: whole cipher
blobs, a value after a cipher keyword, a value in a fixed command position, a key after an
algorithm, a value after a bare keyword (Cisco-like ``password X``)."""
MASK_STAGES: tuple[MaskStage, ...] = ("blob", "keyword", "command", "mode", "bare")


class PlatformError(GovnetError):
    """An unknown platform name (inventory, spec or command line)."""


@dataclass(frozen=True, slots=True)
class HaTable:
    """A column of hot-standby state, one row per HA instance (a VRRP VRID, a VGMP group).

    ``instance`` is the position of the instance number in the row index (VRRP-MIB
    ifIndex.vrid: -1; VRRPv3-MIB ifIndex.vrid.version: -2; VGMP group id: -1); ``master`` the
    value a master reports. A member of a hot-standby pair that answers SNMP but has no row
    in any of its platform's HA tables has lost its HA state (its daemon is gone)."""

    name: str
    oid: str
    protocol: HaProtocol
    instance: int = -1
    master: int = 3


@dataclass(frozen=True, slots=True)
class HardwareColumn:
    """A hardware health column the monitor polls on the entities that matter.

    ``by_entity``: indexed by ENTITY-MIB entPhysicalIndex (rows kept for boards, fans and power
    supplies, named by entPhysicalName); otherwise a small table of its own (fan/power slots,
    stack members) whose rows are named by ``name_oid`` when given. ``fault``: values that are
    a fault; ``ignore``: values meaning no sensor or not installed (the row is dropped)."""

    name: str
    oid: str
    kind: HardwareKind
    by_entity: bool = True
    name_oid: str = ""
    fault: tuple[int, ...] = ()
    ignore: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class FamilyMarker:
    """Lines only one OS family prints: a config file that has them came from that family.

    Conservative: a file without them is never accused of being another family's."""

    label: str
    """The family in words, with its article (``an H3C Comware 7``)."""
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class SecretRule:
    """A secret in a printed config line: ``pattern``'s group ``v`` is the value to hide.

    Rules of every platform run stage by stage (:data:`MASK_STAGES`), each stage in registry
    order, so a value a more specific rule hid is not read again by a looser one."""

    name: str
    pattern: re.Pattern[str]
    stage: MaskStage


@dataclass(frozen=True, slots=True)
class Observed:
    """What a device showed after a change, from its own printed output (or the twin's JSON).

    ``ospf``: neighbour router IDs in Full; ``bgp``: peer addresses Established (IPv4 unicast
    and VPNv4 alike); ``ldp``: LDP peer IDs Operational; ``links``: interfaces up;
    ``tables``: nftables tables loaded; ``vrrp``: ``interface/vrid role`` pairs (VRRP or HRP)."""

    ospf: frozenset[str] = frozenset()
    bgp: frozenset[str] = frozenset()
    links: frozenset[str] = frozenset()
    tables: frozenset[str] = frozenset()
    vrrp: frozenset[str] = frozenset()
    ldp: frozenset[str] = frozenset()


class ObserverModule(Protocol):
    """A platform package's ``observe`` module: the display commands and their reader."""

    VERIFY_COMMANDS: tuple[str, ...]

    def observe(self, outputs: Mapping[str, str]) -> Observed: ...


@dataclass(frozen=True, slots=True)
class Platform:
    """One platform: how it is reached, rendered, parsed, named and changed.

    >>> from govnet.platforms import get_platform
    >>> get_platform("huawei_vrp").netmiko
    'huawei'
    >>> get_platform("frr").template_dir
    'frr'
    """

    name: str
    vendor: str
    os_family: OsFamily
    netmiko: str | None = None
    napalm: str | None = None
    hier_config: str | None = None
    """hier_config ``Platform`` member used to parse (and remediate) its configs."""
    renders: bool = True
    lab: bool = False
    """A platform of the lab twin (the stand-in for vendor gear)."""
    ifname_style: IfnameStyle = "vendor"
    """``kernel``: interfaces carry the kernel name (see ``govnet.platforms.linux``)."""
    mgmt_ports: dict[str, str] = field(default_factory=dict)
    """Out-of-band management port per role, the default when the inventory names none."""
    default_mgmt_port: str = "MEth0/0/1"
    change_model: ChangeModel = "none"
    confirm_window_s: int = 300
    """Default confirm window: after a push, unconfirmed changes revert after this long."""
    driver: str | None = None
    """The deploy driver, as ``module:Class`` under ``govnet.deploy`` (resolved there)."""
    vendor_oids: dict[str, str] = field(default_factory=dict)
    """Vendor OIDs the monitor polls on this platform (name -> numeric OID)."""
    interface_aliases: tuple[tuple[str, ...], ...] = ()
    """Interface-name prefixes that name the same port type, the long form first (``GE`` is
    ``GigabitEthernet``): the monitor matches a planned interface to the agent's ifName or
    ifDescr through them (:meth:`interface_key`)."""
    ha_tables: tuple[HaTable, ...] = ()
    """Where the platform reports hot-standby state (VRRP, VGMP/HRP)."""
    hardware: tuple[HardwareColumn, ...] = ()
    """CPU, memory, temperature, fans, power supplies and stack members, as polled."""
    print_style: PrintStyle = "vrp"
    """How the platform prints its config (read by :mod:`govnet.platforms.printed`)."""
    family_marker: FamilyMarker | None = None
    """Lines only its OS family prints (``check --configs`` names a file of another family)."""
    secret_rules: tuple[SecretRule, ...] = ()
    """Where its printed configs carry secrets (backups and diffs hide the values)."""
    management_features: dict[str, str] = field(default_factory=dict)
    """First word of a global command -> the management-plane feature it configures (NTP, AAA,
    syslog, SNMP ...): what the lab twin's configs leave out."""
    hrp: bool = False
    """Pairs run in hot standby by HRP: both members carry one ``security-policy`` (rules in
    order), each VRRP group is configured ``active`` on one member and ``standby`` on the other,
    and a change is made on the active member (the standby's address goes to the driver)."""
    zoned_interfaces: bool = False
    """Every addressed interface is imported into exactly one security zone (``security-zone
    name Z`` / ``import interface``: traffic of an interface in no zone is dropped), and
    ``security-policy ip`` rules that ``action pass`` name their zones and addresses."""
    sslvpn_pools: bool = False
    """SSL VPN gateways: ``sslvpn ip address-pool`` user pools handed out by ``sslvpn context``."""
    linux_edge: bool = False
    """A Linux edge namespace of the lab twin (ruleset, keepalived, routes; rendered by
    :mod:`govnet.render.linux_edge`, not from a vendor template)."""
    version_note: str = ""

    @property
    def reads_policy(self) -> bool:
        """Whether the check stage reads this platform's parsed config for network-wide rules
        (hot-standby pairs, security zones, VPN pools)."""
        return self.hrp or self.zoned_interfaces or self.sslvpn_pools

    @property
    def checks_cli(self) -> bool:
        """Whether it renders a CLI config that config rules read (the spec needs its reader)."""
        return self.renders and self.hier_config is not None

    @property
    def package(self) -> str:
        """The platform's package: its facts, and by convention its optional modules
        (``observe``: post-change observers) and data (``commands.yaml``: command reference)."""
        return f"govnet.platforms.{self.name}"

    def submodule(self, name: str) -> ModuleType | None:
        """The platform package's module ``name``, None when the platform has none."""
        return _submodule(self.package, name)

    @property
    def verify_commands(self) -> tuple[str, ...]:
        """The display commands whose output :meth:`observe` reads (none: nothing observed)."""
        module = self.submodule("observe")
        return tuple(cast(ObserverModule, module).VERIFY_COMMANDS) if module else ()

    def observe(self, outputs: Mapping[str, str]) -> Observed:
        """What the device showed: ``outputs`` maps each display command to what it printed;
        a command missing from the mapping contributes nothing."""
        module = self.submodule("observe")
        return cast(ObserverModule, module).observe(outputs) if module else Observed()

    @property
    def management_vpn(self) -> str | None:
        """The VPN instance the management port is in (None: the public network), as the
        package's ``management`` module declares it."""
        module = self.submodule("management")
        vpn = getattr(module, "MANAGEMENT_VPN", None) if module else None
        return str(vpn) if vpn else None

    @property
    def fixtures(self) -> tuple[str, ...]:
        """Where its test fixtures live, relative to the repository: golden renders, configs as
        the device prints them, captured ``display`` outputs (each capture names its source)."""
        kinds = ("golden", "device-configs", "captures")
        return tuple(f"tests/fixtures/{kind}/{self.name}" for kind in kinds)

    def data_file(self, name: str) -> str | None:
        """The text of the package's data file ``name`` (``commands.yaml`` ...), None if absent."""
        return _data_file(self.package, name)

    @property
    def template_dir(self) -> str:
        """Folder of its templates under ``templates/``."""
        return self.name

    def mgmt_port(self, role: str) -> str:
        """The management port a device of ``role`` uses on this platform."""
        return self.mgmt_ports.get(role, self.default_mgmt_port)

    def canonical_interface(self, name: str) -> str | None:
        """The long form of ``name`` when it is written with a short alias (what ``validate``
        should warn about), None when it is already canonical or not an aliased type.

        >>> from govnet.platforms import get_platform
        >>> get_platform("huawei_nip").canonical_interface("GE0/0/1")
        'GigabitEthernet0/0/1'
        >>> get_platform("huawei_nip").canonical_interface("GigabitEthernet0/0/1") is None
        True
        """
        compact = "".join(name.split())
        for group in self.interface_aliases:
            for alias in sorted(group[1:], key=len, reverse=True):
                rest = compact[len(alias) :]
                if compact.lower().startswith(alias.lower()) and rest[:1].isdigit():
                    return group[0] + rest
        return None

    def interface_key(self, name: str) -> str:
        """``name`` in one comparable form: case and spacing ignored, an aliased prefix replaced
        by the long form (longest alias first).

        >>> from govnet.platforms import get_platform
        >>> vrp = get_platform("huawei_vrp")
        >>> vrp.interface_key("GE1/0/5") == vrp.interface_key("GigabitEthernet 1/0/5")
        True
        >>> vrp.interface_key("XGE0/0/1")
        'xgigabitethernet0/0/1'
        """
        key = "".join(name.split()).lower()
        forms = sorted(
            ((alias.lower(), group[0].lower()) for group in self.interface_aliases for alias in group),
            key=lambda pair: -len(pair[0]),
        )
        for alias, long_form in forms:
            if key.startswith(alias) and key[len(alias) : len(alias) + 1].isdigit():
                return long_form + key[len(alias) :]
        return key


@cache
def _submodule(package: str, name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"{package}.{name}")
    except ModuleNotFoundError as err:
        if err.name != f"{package}.{name}":
            raise
        return None


@cache
def _data_file(package: str, name: str) -> str | None:
    path = resources.files(package).joinpath(name)
    return path.read_text(encoding="utf-8") if path.is_file() else None
