"""What one poll cycle saw: plain data the health rules and the exporter read."""

from __future__ import annotations

from dataclasses import dataclass, field

from govnet.monitor.snmp import ErrorKind


@dataclass(slots=True)
class InterfaceState:
    """One link end's IF-MIB row (counters exact ints; ``alias`` is ifAlias)."""

    ifindex: int
    admin_status: int | None = None
    oper_status: int | None = None
    last_change: int | None = None
    in_discards: int | None = None
    in_errors: int | None = None
    out_discards: int | None = None
    out_errors: int | None = None
    hc_in_octets: int | None = None
    hc_out_octets: int | None = None
    high_speed: int | None = None
    alias: str = ""
    name: str = ""
    """The name the agent reports for the port (ifName, or ifDescr when ifName did not match)."""

    @property
    def up(self) -> bool:
        """Admin and oper up (1)."""
        return self.admin_status == 1 and self.oper_status == 1


@dataclass(slots=True)
class HardwareRow:
    """One hardware reading: ``kind`` cpu/memory (percent), temperature (Celsius), fan, power,
    entity (a raw status) or stack_role; ``entity`` names the row (entPhysicalName, a fan or
    power description, or kind and index); ``ok`` False when the value is a fault; ``value``
    None for a stack member that was seen and no longer answers (lost)."""

    object: str
    kind: str
    index: str
    entity: str
    value: int | None
    ok: bool = True


@dataclass(slots=True)
class DeviceState:
    """One device's result in a cycle. ``up`` False means the poll failed (``error`` says why)
    and every other field is from the last successful poll or empty."""

    name: str
    up: bool = False
    error: ErrorKind | None = None
    reason: str = ""
    """Why the poll failed, in one line (the client's message)."""
    duration_s: float = 0.0
    last_success: float | None = None
    sys_uptime: int | None = None
    rebooted: bool = False
    interfaces: dict[str, InterfaceState] = field(default_factory=dict)
    """By the planned ifName (the inventory name, the kernel name in the lab)."""
    not_found: dict[str, str] = field(default_factory=dict)
    """Planned ifName -> why it was not found (the names the agent reports instead)."""
    bgp: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    """Peer address -> (bgpPeerState 1-6, established seconds)."""
    ospf: dict[str, int | None] = field(default_factory=dict)
    ldp: dict[str, int | None] = field(default_factory=dict)
    """Peer LSR id -> mplsLdpSessionState (operational 5); None when no session row."""
    vendor: dict[str, dict[str, int]] = field(default_factory=dict)
    """Vendor object name -> row index (dotted) -> value."""
    hardware: list[HardwareRow] = field(default_factory=list)


@dataclass(slots=True)
class Snapshot:
    """The last completed cycle."""

    started: float = 0.0
    duration_s: float = 0.0
    devices: dict[str, DeviceState] = field(default_factory=dict)
    errors_total: dict[str, int] = field(default_factory=lambda: {"timeout": 0, "auth": 0, "decode": 0})
    retries_total: int = 0
    """Requests the client sent again for want of an answer (loss the retries absorbed)."""
    cycles_total: int = 0
    complete: bool = False
