"""`lab status` convergence: what --wait waits for, on status documents (no root needed)."""

from __future__ import annotations

from typing import Any

from govnet.lab.status import converged, format_status


def _status(provisioned: bool, *devices: dict[str, Any]) -> dict[str, Any]:
    return {
        "workdir": "/x",
        "phase": "up",
        "provisioned": provisioned,
        "boot_seconds": 1.0,
        "faults": [],
        "devices": list(devices),
    }


def _router(name: str, est: int, peers: int, snmp: bool = True, zebra: bool = True) -> dict[str, Any]:
    return {
        "name": name,
        "mgmt_ip": "10.240.0.9",
        "ssh_port": 22001,
        "snmp": snmp,
        "daemons": {"zebra": zebra, "ospfd": True, "bgpd": True},
        "routing": {"ospf_full": 1, "bgp_established": est, "bgp_peers": peers},
    }


def _host(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "mgmt_ip": "10.240.0.17",
        "ssh_port": None,
        "snmp": True,
        "daemons": {"snmpd": True},
        "routing": None,
    }


def test_converged_needs_every_bgp_session_up_once_provisioned() -> None:
    assert converged(_status(True, _router("c1", 3, 3), _host("ips")))
    assert not converged(_status(True, _router("c1", 2, 3), _host("ips")))
    assert not converged(_status(True, _router("c1", 0, 0)))  # provisioned but no sessions yet


def test_base_config_needs_agents_and_daemons_only() -> None:
    assert converged(_status(False, _router("c1", 0, 0)))
    assert not converged(_status(False, _router("c1", 0, 0, snmp=False)))
    assert not converged(_status(False, _router("c1", 0, 0, zebra=False)))


def test_table_shows_routing_columns() -> None:
    text = format_status(_status(True, _router("kf-core-1", 13, 14), _host("kf-ips-1")))
    row = next(line for line in text.splitlines() if line.startswith("kf-core-1"))
    assert "13/14" in row and "zebra ospfd bgpd" in row
    ips = next(line for line in text.splitlines() if line.startswith("kf-ips-1"))
    assert " - " in ips
