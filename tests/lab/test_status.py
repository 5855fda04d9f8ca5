"""`lab status` convergence, table and JSON document, on typed status objects (no root needed)."""

from __future__ import annotations

import json

from govnet.lab.keepalived import HaPairStatus
from govnet.lab.state import FaultRecord
from govnet.lab.status import DeviceStatus, LabStatus, RoutingSummary, converged, format_status

FW_PAIR = HaPairStatus(
    segment="kf-fw-inside",
    vrid=1,
    virtual_ip="10.8.15.1",
    active="kf-fw-1",
    members={"kf-fw-1": "master", "kf-fw-2": "backup"},
    master="kf-fw-1",
    health="healthy",
)


def _status(
    provisioned: bool,
    *devices: DeviceStatus,
    faults: tuple[FaultRecord, ...] = (),
    ha_pairs: tuple[HaPairStatus, ...] = (),
) -> LabStatus:
    return LabStatus("/x", "up", provisioned, 1.0, faults, devices, ha_pairs)


def _router(name: str, est: int, peers: int, snmp: bool = True, zebra: bool = True) -> DeviceStatus:
    return DeviceStatus(
        name=name,
        role="core",
        netns=f"gn-{name}",
        netns_up=True,
        mgmt_ip="10.240.0.9",
        ssh_port=22001,
        daemons={"zebra": zebra, "ospfd": True, "bgpd": True},
        snmp=snmp,
        routing=RoutingSummary(ospf_full=1, bgp_established=est, bgp_peers=peers),
    )


def _host(name: str) -> DeviceStatus:
    return DeviceStatus(
        name=name,
        role="ips",
        netns=f"gn-{name}",
        netns_up=True,
        mgmt_ip="10.240.0.17",
        ssh_port=None,
        daemons={"snmpd": True},
        snmp=True,
        routing=None,
    )


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


def test_table_ends_with_pairs_then_faults() -> None:
    fault = FaultRecord("link-down", "kf-core-1", "kf-agg-xinhe")
    text = format_status(_status(True, _host("kf-ips-1"), faults=(fault,), ha_pairs=(FW_PAIR,)))
    assert text.splitlines()[-2:] == [
        "ha kf-fw-inside vrid 1 10.8.15.1: master kf-fw-1 (healthy) kf-fw-1=master kf-fw-2=backup",
        "fault: link-down kf-core-1 kf-agg-xinhe",
    ]


def test_json_document_keeps_the_keys_and_their_order() -> None:
    fault = FaultRecord("loss", "kf-core-2", "eth2", value=50)
    status = _status(
        True, _router("kf-core-1", 2, 3), _host("kf-ips-1"), faults=(fault,), ha_pairs=(FW_PAIR,)
    )
    doc = json.loads(status.to_json())
    assert list(doc) == ["workdir", "phase", "provisioned", "boot_seconds", "faults", "devices", "ha_pairs"]
    assert doc["faults"] == [
        {"kind": "loss", "device": "kf-core-2", "target": "eth2", "peer": "", "value": 50}
    ]
    core, ips = doc["devices"]
    assert list(core) == [
        "name", "role", "netns", "netns_up", "mgmt_ip", "ssh_port", "daemons", "snmp", "routing",
    ]  # fmt: skip
    assert core["routing"] == {"ospf_full": 1, "bgp_established": 2, "bgp_peers": 3}
    assert ips["routing"] is None and ips["ssh_port"] is None
    assert doc["ha_pairs"] == [
        {
            "segment": "kf-fw-inside",
            "vrid": 1,
            "virtual_ip": "10.8.15.1",
            "active": "kf-fw-1",
            "members": {"kf-fw-1": "master", "kf-fw-2": "backup"},
            "master": "kf-fw-1",
            "health": "healthy",
        }
    ]
    assert status.to_json() == json.dumps(doc, indent=1)
