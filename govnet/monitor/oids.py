"""Numeric OIDs the poller asks for (what docs/monitor.md monitors), as tuples: no MIB lookups."""

from __future__ import annotations

Oid = tuple[int, ...]


def oid(text: str) -> Oid:
    """``"1.3.6.1.2.1.1.3.0"`` (leading dot optional) -> a tuple of ints.

    >>> oid(".1.3.6.1.2.1.1.3.0")
    (1, 3, 6, 1, 2, 1, 1, 3, 0)
    """
    return tuple(int(part) for part in text.strip(".").split("."))


def dotted(value: Oid) -> str:
    """A tuple OID in net-snmp's numeric form, ``.1.3.6...``."""
    return "." + ".".join(str(part) for part in value)


SYS_UPTIME = oid("1.3.6.1.2.1.1.3.0")
SYS_NAME = oid("1.3.6.1.2.1.1.5.0")

# IF-MIB columns, indexed by ifIndex
IF_DESCR = oid("1.3.6.1.2.1.2.2.1.2")
IF_ADMIN_STATUS = oid("1.3.6.1.2.1.2.2.1.7")
IF_OPER_STATUS = oid("1.3.6.1.2.1.2.2.1.8")
IF_LAST_CHANGE = oid("1.3.6.1.2.1.2.2.1.9")
IF_IN_DISCARDS = oid("1.3.6.1.2.1.2.2.1.13")
IF_IN_ERRORS = oid("1.3.6.1.2.1.2.2.1.14")
IF_OUT_DISCARDS = oid("1.3.6.1.2.1.2.2.1.19")
IF_OUT_ERRORS = oid("1.3.6.1.2.1.2.2.1.20")
IF_NAME = oid("1.3.6.1.2.1.31.1.1.1.1")
IF_HC_IN_OCTETS = oid("1.3.6.1.2.1.31.1.1.1.6")
IF_HC_OUT_OCTETS = oid("1.3.6.1.2.1.31.1.1.1.10")
IF_HIGH_SPEED = oid("1.3.6.1.2.1.31.1.1.1.15")
IF_ALIAS = oid("1.3.6.1.2.1.31.1.1.1.18")

INTERFACE_COLUMNS: dict[str, Oid] = {
    "admin_status": IF_ADMIN_STATUS,
    "oper_status": IF_OPER_STATUS,
    "last_change": IF_LAST_CHANGE,
    "in_discards": IF_IN_DISCARDS,
    "in_errors": IF_IN_ERRORS,
    "out_discards": IF_OUT_DISCARDS,
    "out_errors": IF_OUT_ERRORS,
    "hc_in_octets": IF_HC_IN_OCTETS,
    "hc_out_octets": IF_HC_OUT_OCTETS,
    "high_speed": IF_HIGH_SPEED,
}
"""Per interface row, what every cycle GETs (name -> column); ifAlias is read at discovery and
every ALIAS_EVERY cycles (descriptions rarely change)."""

# BGP4-MIB, indexed by the peer's IPv4 address (default VRF)
BGP_PEER_STATE = oid("1.3.6.1.2.1.15.3.1.2")
BGP_PEER_FSM_ESTABLISHED_TIME = oid("1.3.6.1.2.1.15.3.1.16")
# OSPF-MIB ospfNbrState, indexed by neighbour address . addressless index
OSPF_NBR_STATE = oid("1.3.6.1.2.1.14.10.1.6")
# MPLS-LDP-STD-MIB session table, indexed by entity LDP id . entity index . peer LDP id
LDP_SESSION_STATE = oid("1.3.6.1.2.1.10.166.4.1.3.3.1.2")
LDP_SESSION_LAST_CHANGE = oid("1.3.6.1.2.1.10.166.4.1.3.3.1.1")
# VRRP (RFC 2787) and VRRPv3 (RFC 6527) operational state
VRRP_OPER_STATE = oid("1.3.6.1.2.1.68.1.3.1.3")
VRRPV3_OPER_STATE = oid("1.3.6.1.2.1.207.1.1.1.1.6")
