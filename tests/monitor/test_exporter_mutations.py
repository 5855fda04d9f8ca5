"""The exporter's text, line by line, over a rich snapshot: admin and oper apart, counters near
wrap and each counter its own value, escaped labels, sessions in every state, a failed device
with stale rows, vendor rows, groups in four states; the number format, HELP escaping and the
HTTP pages beside /metrics."""

from __future__ import annotations

import math
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from govnet.model import Network
from govnet.monitor.exporter import CONTENT_TYPE, exposition, make_registry, serve
from govnet.monitor.plan import Plan, build_plan
from govnet.monitor.snapshot import DeviceState, InterfaceState, Snapshot

DEVICES = ["kf-core-1", "kf-core-2", "kf-agg-dongfenglu", "kf-fw-1", "kf-fw-2"]
WRAP = 2**64 - 5  # Counter64 near wrap: not representable as a float
ALIAS = 'to "core-2" \\ lab\nB'  # a quote, a backslash and a newline to escape


@pytest.fixture(scope="module")
def plan(network: Network) -> Plan:
    return build_plan(network, devices=DEVICES, lab=True)


def _snapshot() -> Snapshot:
    """kf-core-1 up with admin up/oper down on one end and admin down/oper up on the other, each
    counter its own value; kf-core-2 failed (its stale rows must not show); dongfenglu without
    sysUpTime; the firewall pair with VRRP rows, fw-1 master of three VRIDs."""
    core1 = DeviceState(
        "kf-core-1", up=True, duration_s=0.31, last_success=1_700_000_099.5, sys_uptime=12_345_678
    )
    core1.interfaces["xge1-0-1"] = InterfaceState(
        ifindex=2,
        admin_status=1,
        oper_status=2,
        last_change=4321,
        in_discards=13,
        in_errors=11,
        out_discards=14,
        out_errors=12,
        hc_in_octets=WRAP,
        hc_out_octets=WRAP - 1,
        high_speed=10000,
        alias=ALIAS,
        name="xge1-0-1",
    )
    core1.interfaces["ge2-0-1"] = InterfaceState(
        ifindex=3, admin_status=2, oper_status=1, hc_in_octets=2**53 + 1, name="ge2-0-1"
    )
    core1.bgp = {"10.0.0.10": (6, 3600), "10.0.0.65": (3, None)}
    core1.ospf = {"10.8.0.6": 8, "10.8.0.38": None}
    core1.ldp = {"10.0.0.10": 5}
    core1.vendor = {"vrrpOperState": {"20.3": 3, "20.10": 2}, "aaaObject": {"1": 7}}
    core2 = DeviceState("kf-core-2", up=False, error="timeout", duration_s=1.5, sys_uptime=999)
    core2.interfaces["xge1-0-1"] = InterfaceState(ifindex=2, admin_status=1, oper_status=1)
    core2.bgp = {"10.0.0.9": (6, 10)}
    core2.ospf = {"10.8.0.5": 8}
    core2.ldp = {"10.0.0.9": 5}
    core2.vendor = {"vrrpOperState": {"1.1": 3}}
    agg = DeviceState("kf-agg-dongfenglu", up=True, duration_s=0.2, last_success=1_700_000_098.0)
    agg.interfaces["ge0-0-1"] = InterfaceState(
        ifindex=5, admin_status=1, oper_status=1, high_speed=1000, last_change=0, in_errors=0
    )
    agg.interfaces["ge0-0-2"] = InterfaceState(ifindex=6, admin_status=2, oper_status=2)
    agg.bgp = {"10.0.0.9": (6, 86400), "10.0.0.10": (1, 0)}
    agg.ospf = {"10.8.0.37": 8, "10.8.0.41": 2}
    agg.ldp = {"10.0.0.9": 5, "10.0.0.10": 3}
    devices = {d.name: d for d in (core1, core2, agg)}
    for name, master in (("kf-fw-1", 3), ("kf-fw-2", 2)):
        fw = DeviceState(name, up=True, duration_s=0.05, last_success=1_700_000_099.0, sys_uptime=100)
        fw.interfaces["ge1-0-7"] = InterfaceState(ifindex=7, admin_status=1, oper_status=1)
        fw.vendor = {"vrrpOperState": {"20.1": master, "21.2": master, "22.3": master}}
        devices[name] = fw
    return Snapshot(
        started=1_700_000_100.0,
        duration_s=0.75,
        devices=devices,
        errors_total={"timeout": 3, "auth": 1, "decode": 0},
        retries_total=5,
        cycles_total=42,
        complete=True,
    )


def _blocks(text: str) -> dict[str, str]:
    """Family name -> its HELP, TYPE and sample lines."""
    return {b.split()[0]: "# HELP " + b for b in text.split("# HELP ")[1:]}


# The exporter's own families (the others come from govnet.monitor.families), checked line by line
OWN = r"""# HELP govnet_poller_cycle_duration_seconds Wall time of the last completed poll cycle.
# TYPE govnet_poller_cycle_duration_seconds gauge
govnet_poller_cycle_duration_seconds 0.75
# HELP govnet_poller_last_cycle_timestamp_seconds Start of the last completed poll cycle (Unix time).
# TYPE govnet_poller_last_cycle_timestamp_seconds gauge
govnet_poller_last_cycle_timestamp_seconds 1700000100.0
# HELP govnet_poller_targets Devices polled in the last cycle.
# TYPE govnet_poller_targets gauge
govnet_poller_targets 5
# HELP govnet_poller_cycles_total Poll cycles completed.
# TYPE govnet_poller_cycles_total counter
govnet_poller_cycles_total 42
# HELP govnet_poller_errors_total Failed device polls by kind.
# TYPE govnet_poller_errors_total counter
govnet_poller_errors_total{kind="timeout"} 3
govnet_poller_errors_total{kind="auth"} 1
govnet_poller_errors_total{kind="decode"} 0
# HELP govnet_poller_retries_total SNMP requests sent again because no answer came in time (loss the retries absorbed).
# TYPE govnet_poller_retries_total counter
govnet_poller_retries_total 5
# HELP govnet_device_up 1 when the device answered SNMP in the last cycle.
# TYPE govnet_device_up gauge
govnet_device_up{device="kf-agg-dongfenglu"} 1
govnet_device_up{device="kf-core-1"} 1
govnet_device_up{device="kf-core-2"} 0
govnet_device_up{device="kf-fw-1"} 1
govnet_device_up{device="kf-fw-2"} 1
# HELP govnet_device_poll_duration_seconds Time to poll the device in the last cycle.
# TYPE govnet_device_poll_duration_seconds gauge
govnet_device_poll_duration_seconds{device="kf-agg-dongfenglu"} 0.2
govnet_device_poll_duration_seconds{device="kf-core-1"} 0.31
govnet_device_poll_duration_seconds{device="kf-core-2"} 1.5
govnet_device_poll_duration_seconds{device="kf-fw-1"} 0.05
govnet_device_poll_duration_seconds{device="kf-fw-2"} 0.05
# HELP govnet_device_last_success_timestamp_seconds When the device last answered (Unix time).
# TYPE govnet_device_last_success_timestamp_seconds gauge
govnet_device_last_success_timestamp_seconds{device="kf-agg-dongfenglu"} 1700000098.0
govnet_device_last_success_timestamp_seconds{device="kf-core-1"} 1700000099.5
govnet_device_last_success_timestamp_seconds{device="kf-fw-1"} 1700000099.0
govnet_device_last_success_timestamp_seconds{device="kf-fw-2"} 1700000099.0
# HELP govnet_device_uptime_seconds sysUpTime in seconds.
# TYPE govnet_device_uptime_seconds gauge
govnet_device_uptime_seconds{device="kf-core-1"} 123456.78
govnet_device_uptime_seconds{device="kf-fw-1"} 1.0
govnet_device_uptime_seconds{device="kf-fw-2"} 1.0
# HELP govnet_interface_oper_up ifOperStatus is up(1).
# TYPE govnet_interface_oper_up gauge
govnet_interface_oper_up{device="kf-agg-dongfenglu",interface="GigabitEthernet0/0/1",peer="kf-core-1",link="kf-core-1--kf-agg-dongfenglu"} 1
govnet_interface_oper_up{device="kf-agg-dongfenglu",interface="GigabitEthernet0/0/2",peer="kf-core-2",link="kf-core-2--kf-agg-dongfenglu"} 0
govnet_interface_oper_up{device="kf-core-1",interface="XGigabitEthernet1/0/1",peer="kf-core-2",link="kf-core-1--kf-core-2"} 0
govnet_interface_oper_up{device="kf-core-1",interface="GigabitEthernet2/0/1",peer="kf-agg-dongfenglu",link="kf-core-1--kf-agg-dongfenglu"} 1
govnet_interface_oper_up{device="kf-fw-1",interface="GigabitEthernet1/0/7",peer="kf-fw-2",link="kf-fw-1--kf-fw-2"} 1
govnet_interface_oper_up{device="kf-fw-2",interface="GigabitEthernet1/0/7",peer="kf-fw-1",link="kf-fw-1--kf-fw-2"} 1
# HELP govnet_interface_admin_up ifAdminStatus is up(1).
# TYPE govnet_interface_admin_up gauge
govnet_interface_admin_up{device="kf-agg-dongfenglu",interface="GigabitEthernet0/0/1",peer="kf-core-1",link="kf-core-1--kf-agg-dongfenglu"} 1
govnet_interface_admin_up{device="kf-agg-dongfenglu",interface="GigabitEthernet0/0/2",peer="kf-core-2",link="kf-core-2--kf-agg-dongfenglu"} 0
govnet_interface_admin_up{device="kf-core-1",interface="XGigabitEthernet1/0/1",peer="kf-core-2",link="kf-core-1--kf-core-2"} 1
govnet_interface_admin_up{device="kf-core-1",interface="GigabitEthernet2/0/1",peer="kf-agg-dongfenglu",link="kf-core-1--kf-agg-dongfenglu"} 0
govnet_interface_admin_up{device="kf-fw-1",interface="GigabitEthernet1/0/7",peer="kf-fw-2",link="kf-fw-1--kf-fw-2"} 1
govnet_interface_admin_up{device="kf-fw-2",interface="GigabitEthernet1/0/7",peer="kf-fw-1",link="kf-fw-1--kf-fw-2"} 1
# HELP govnet_interface_speed_bits_per_second ifHighSpeed in bits/s.
# TYPE govnet_interface_speed_bits_per_second gauge
govnet_interface_speed_bits_per_second{device="kf-agg-dongfenglu",interface="GigabitEthernet0/0/1",peer="kf-core-1",link="kf-core-1--kf-agg-dongfenglu"} 1000000000
govnet_interface_speed_bits_per_second{device="kf-core-1",interface="XGigabitEthernet1/0/1",peer="kf-core-2",link="kf-core-1--kf-core-2"} 10000000000
# HELP govnet_interface_last_change_seconds ifLastChange: sysUpTime at the last state change, in seconds.
# TYPE govnet_interface_last_change_seconds gauge
govnet_interface_last_change_seconds{device="kf-agg-dongfenglu",interface="GigabitEthernet0/0/1",peer="kf-core-1",link="kf-core-1--kf-agg-dongfenglu"} 0.0
govnet_interface_last_change_seconds{device="kf-core-1",interface="XGigabitEthernet1/0/1",peer="kf-core-2",link="kf-core-1--kf-core-2"} 43.21
# HELP govnet_interface_in_octets_total ifHCInOctets.
# TYPE govnet_interface_in_octets_total counter
govnet_interface_in_octets_total{device="kf-core-1",interface="XGigabitEthernet1/0/1",peer="kf-core-2",link="kf-core-1--kf-core-2"} 18446744073709551611
govnet_interface_in_octets_total{device="kf-core-1",interface="GigabitEthernet2/0/1",peer="kf-agg-dongfenglu",link="kf-core-1--kf-agg-dongfenglu"} 9007199254740993
# HELP govnet_interface_out_octets_total ifHCOutOctets.
# TYPE govnet_interface_out_octets_total counter
govnet_interface_out_octets_total{device="kf-core-1",interface="XGigabitEthernet1/0/1",peer="kf-core-2",link="kf-core-1--kf-core-2"} 18446744073709551610
# HELP govnet_interface_in_errors_total ifInErrors.
# TYPE govnet_interface_in_errors_total counter
govnet_interface_in_errors_total{device="kf-agg-dongfenglu",interface="GigabitEthernet0/0/1",peer="kf-core-1",link="kf-core-1--kf-agg-dongfenglu"} 0
govnet_interface_in_errors_total{device="kf-core-1",interface="XGigabitEthernet1/0/1",peer="kf-core-2",link="kf-core-1--kf-core-2"} 11
# HELP govnet_interface_out_errors_total ifOutErrors.
# TYPE govnet_interface_out_errors_total counter
govnet_interface_out_errors_total{device="kf-core-1",interface="XGigabitEthernet1/0/1",peer="kf-core-2",link="kf-core-1--kf-core-2"} 12
# HELP govnet_interface_in_discards_total ifInDiscards.
# TYPE govnet_interface_in_discards_total counter
govnet_interface_in_discards_total{device="kf-core-1",interface="XGigabitEthernet1/0/1",peer="kf-core-2",link="kf-core-1--kf-core-2"} 13
# HELP govnet_interface_out_discards_total ifOutDiscards.
# TYPE govnet_interface_out_discards_total counter
govnet_interface_out_discards_total{device="kf-core-1",interface="XGigabitEthernet1/0/1",peer="kf-core-2",link="kf-core-1--kf-core-2"} 14
# HELP govnet_interface_info Descriptive labels of a link end: ifAlias, and the name the agent reports for it.
# TYPE govnet_interface_info gauge
govnet_interface_info{device="kf-agg-dongfenglu",interface="GigabitEthernet0/0/1",peer="kf-core-1",link="kf-core-1--kf-agg-dongfenglu",ifname="ge0-0-1",alias="",agent_name=""} 1
govnet_interface_info{device="kf-agg-dongfenglu",interface="GigabitEthernet0/0/2",peer="kf-core-2",link="kf-core-2--kf-agg-dongfenglu",ifname="ge0-0-2",alias="",agent_name=""} 1
govnet_interface_info{device="kf-core-1",interface="XGigabitEthernet1/0/1",peer="kf-core-2",link="kf-core-1--kf-core-2",ifname="xge1-0-1",alias="to \"core-2\" \\ lab\nB",agent_name="xge1-0-1"} 1
govnet_interface_info{device="kf-core-1",interface="GigabitEthernet2/0/1",peer="kf-agg-dongfenglu",link="kf-core-1--kf-agg-dongfenglu",ifname="ge2-0-1",alias="",agent_name="ge2-0-1"} 1
govnet_interface_info{device="kf-fw-1",interface="GigabitEthernet1/0/7",peer="kf-fw-2",link="kf-fw-1--kf-fw-2",ifname="ge1-0-7",alias="",agent_name=""} 1
govnet_interface_info{device="kf-fw-2",interface="GigabitEthernet1/0/7",peer="kf-fw-1",link="kf-fw-1--kf-fw-2",ifname="ge1-0-7",alias="",agent_name=""} 1
# HELP govnet_bgp_peer_state bgpPeerState: idle(1) ... established(6).
# TYPE govnet_bgp_peer_state gauge
govnet_bgp_peer_state{device="kf-agg-dongfenglu",peer="kf-core-1",peer_address="10.0.0.9",vrf="default"} 6
govnet_bgp_peer_state{device="kf-agg-dongfenglu",peer="kf-core-2",peer_address="10.0.0.10",vrf="default"} 1
govnet_bgp_peer_state{device="kf-core-1",peer="kf-core-2",peer_address="10.0.0.10",vrf="default"} 6
govnet_bgp_peer_state{device="kf-core-1",peer="kf-agg-dongfenglu",peer_address="10.0.0.65",vrf="default"} 3
# HELP govnet_bgp_peer_established_seconds bgpPeerFsmEstablishedTime: seconds in (or since leaving) Established.
# TYPE govnet_bgp_peer_established_seconds gauge
govnet_bgp_peer_established_seconds{device="kf-agg-dongfenglu",peer="kf-core-1",peer_address="10.0.0.9",vrf="default"} 86400
govnet_bgp_peer_established_seconds{device="kf-agg-dongfenglu",peer="kf-core-2",peer_address="10.0.0.10",vrf="default"} 0
govnet_bgp_peer_established_seconds{device="kf-core-1",peer="kf-core-2",peer_address="10.0.0.10",vrf="default"} 3600
# HELP govnet_ospf_neighbor_state ospfNbrState: down(1) ... full(8).
# TYPE govnet_ospf_neighbor_state gauge
govnet_ospf_neighbor_state{device="kf-agg-dongfenglu",peer="kf-core-1",peer_address="10.8.0.37",vrf="default"} 8
govnet_ospf_neighbor_state{device="kf-agg-dongfenglu",peer="kf-core-2",peer_address="10.8.0.41",vrf="default"} 2
govnet_ospf_neighbor_state{device="kf-core-1",peer="kf-core-2",peer_address="10.8.0.6",vrf="default"} 8
govnet_ospf_neighbor_state{device="kf-core-1",peer="kf-agg-dongfenglu",peer_address="10.8.0.38",vrf="default"} 0
# HELP govnet_ldp_session_state mplsLdpSessionState: nonexistent(1) ... operational(5); 0 when no session row.
# TYPE govnet_ldp_session_state gauge
govnet_ldp_session_state{device="kf-agg-dongfenglu",peer="kf-core-1",peer_address="10.0.0.9",vrf="default"} 5
govnet_ldp_session_state{device="kf-agg-dongfenglu",peer="kf-core-2",peer_address="10.0.0.10",vrf="default"} 3
govnet_ldp_session_state{device="kf-core-1",peer="kf-core-2",peer_address="10.0.0.10",vrf="default"} 5
govnet_ldp_session_state{device="kf-core-1",peer="kf-agg-dongfenglu",peer_address="10.0.0.65",vrf="default"} 0
# HELP govnet_redundancy_group_members_expected Members the model gives the group.
# TYPE govnet_redundancy_group_members_expected gauge
govnet_redundancy_group_members_expected{group="kf-core-pair"} 2
govnet_redundancy_group_members_expected{group="kf-uplinks-dongfenglu"} 2
govnet_redundancy_group_members_expected{group="kf-firewall-pair"} 2
govnet_redundancy_group_members_expected{group="kf-upstream-pair"} 2
# HELP govnet_redundancy_group_members_healthy Members healthy in the last cycle.
# TYPE govnet_redundancy_group_members_healthy gauge
govnet_redundancy_group_members_healthy{group="kf-core-pair"} 1
govnet_redundancy_group_members_healthy{group="kf-uplinks-dongfenglu"} 0
govnet_redundancy_group_members_healthy{group="kf-firewall-pair"} 2
govnet_redundancy_group_members_healthy{group="kf-upstream-pair"} 0
# HELP govnet_redundancy_group_state Redundancy group state set: 1 for the current state, 0 for the others.
# TYPE govnet_redundancy_group_state gauge
govnet_redundancy_group_state{group="kf-core-pair",state="healthy"} 0
govnet_redundancy_group_state{group="kf-core-pair",state="degraded"} 0
govnet_redundancy_group_state{group="kf-core-pair",state="down"} 0
govnet_redundancy_group_state{group="kf-core-pair",state="unknown"} 1
govnet_redundancy_group_state{group="kf-core-pair",state="split_brain"} 0
govnet_redundancy_group_state{group="kf-uplinks-dongfenglu",state="healthy"} 0
govnet_redundancy_group_state{group="kf-uplinks-dongfenglu",state="degraded"} 0
govnet_redundancy_group_state{group="kf-uplinks-dongfenglu",state="down"} 1
govnet_redundancy_group_state{group="kf-uplinks-dongfenglu",state="unknown"} 0
govnet_redundancy_group_state{group="kf-uplinks-dongfenglu",state="split_brain"} 0
govnet_redundancy_group_state{group="kf-firewall-pair",state="healthy"} 1
govnet_redundancy_group_state{group="kf-firewall-pair",state="degraded"} 0
govnet_redundancy_group_state{group="kf-firewall-pair",state="down"} 0
govnet_redundancy_group_state{group="kf-firewall-pair",state="unknown"} 0
govnet_redundancy_group_state{group="kf-firewall-pair",state="split_brain"} 0
govnet_redundancy_group_state{group="kf-upstream-pair",state="healthy"} 0
govnet_redundancy_group_state{group="kf-upstream-pair",state="degraded"} 0
govnet_redundancy_group_state{group="kf-upstream-pair",state="down"} 0
govnet_redundancy_group_state{group="kf-upstream-pair",state="unknown"} 1
govnet_redundancy_group_state{group="kf-upstream-pair",state="split_brain"} 0
# HELP govnet_redundancy_member_healthy 1 healthy, 0 down, -1 unknown (failed poll).
# TYPE govnet_redundancy_member_healthy gauge
govnet_redundancy_member_healthy{group="kf-core-pair",member="kf-core-1"} 1
govnet_redundancy_member_healthy{group="kf-core-pair",member="kf-core-2"} -1
govnet_redundancy_member_healthy{group="kf-uplinks-dongfenglu",member="kf-core-1--kf-agg-dongfenglu"} 0
govnet_redundancy_member_healthy{group="kf-uplinks-dongfenglu",member="kf-core-2--kf-agg-dongfenglu"} 0
govnet_redundancy_member_healthy{group="kf-firewall-pair",member="kf-fw-1"} 1
govnet_redundancy_member_healthy{group="kf-firewall-pair",member="kf-fw-2"} 1
govnet_redundancy_member_healthy{group="kf-upstream-pair",member="kf-core-1--kf-municipal-extranet"} -1
govnet_redundancy_member_healthy{group="kf-upstream-pair",member="kf-core-2--kf-provincial-extranet"} -1
# HELP govnet_redundancy_group_info The group, its kind and what it protects: sites and external peers cut off if the remaining member fails.
# TYPE govnet_redundancy_group_info gauge
govnet_redundancy_group_info{group="kf-core-pair",kind="devices",title="core switch pair",members="kf-core-1,kf-core-2",cut_off_sites="dongfenglu,kf-dc",cut_off_peers="kf-municipal-extranet,kf-provincial-extranet"} 1
govnet_redundancy_group_info{group="kf-uplinks-dongfenglu",kind="links",title="东风路街道 dual uplinks",members="kf-core-1--kf-agg-dongfenglu,kf-core-2--kf-agg-dongfenglu",cut_off_sites="dongfenglu",cut_off_peers="kf-municipal-extranet,kf-provincial-extranet"} 1
govnet_redundancy_group_info{group="kf-firewall-pair",kind="devices",title="防火墙双机热备",members="kf-fw-1,kf-fw-2",cut_off_sites="",cut_off_peers=""} 1
govnet_redundancy_group_info{group="kf-upstream-pair",kind="links",title="市/省电子政务外网上联",members="kf-core-1--kf-municipal-extranet,kf-core-2--kf-provincial-extranet",cut_off_sites="dongfenglu,kf-dc",cut_off_peers="kf-municipal-extranet,kf-provincial-extranet"} 1
# HELP govnet_vendor_object Vendor HA and hardware objects (VRRP, VGMP, stack roles, power, fans) by row, raw values.
# TYPE govnet_vendor_object gauge
govnet_vendor_object{device="kf-core-1",object="aaaObject",index="1"} 7
govnet_vendor_object{device="kf-core-1",object="vrrpOperState",index="20.10"} 2
govnet_vendor_object{device="kf-core-1",object="vrrpOperState",index="20.3"} 3
govnet_vendor_object{device="kf-fw-1",object="vrrpOperState",index="20.1"} 3
govnet_vendor_object{device="kf-fw-1",object="vrrpOperState",index="21.2"} 3
govnet_vendor_object{device="kf-fw-1",object="vrrpOperState",index="22.3"} 3
govnet_vendor_object{device="kf-fw-2",object="vrrpOperState",index="20.1"} 2
govnet_vendor_object{device="kf-fw-2",object="vrrpOperState",index="21.2"} 2
govnet_vendor_object{device="kf-fw-2",object="vrrpOperState",index="22.3"} 2
"""  # noqa: E501 (exposition lines are long)


def test_every_line_of_the_exporters_own_families(plan: Plan) -> None:
    snap = _snapshot()
    blocks = _blocks(exposition(make_registry(plan, lambda: snap)).decode())
    own = "".join(block for name, block in blocks.items() if OWN.count(f"# HELP {name} "))
    assert own == OWN


def _types(text: str) -> list[str]:
    return [line.removeprefix("# TYPE ") for line in text.splitlines() if line.startswith("# TYPE ")]


GROUP_FAMILIES = [
    "govnet_redundancy_group_members_expected gauge",
    "govnet_redundancy_group_members_healthy gauge",
    "govnet_redundancy_group_state gauge",
    "govnet_redundancy_member_healthy gauge",
    "govnet_redundancy_group_info gauge",
    "govnet_redundancy_group_ha_checked gauge",
    "govnet_redundancy_group_reason_info gauge",
]
MEMBER_FAMILIES = [
    "govnet_redundancy_member_observed gauge",
    "govnet_redundancy_member_expected gauge",
    "govnet_redundancy_member_ha_rows gauge",
    "govnet_redundancy_member_ha_master gauge",
]


def _family_order(complete: bool, backups: bool) -> list[str]:
    return [
        "govnet_poller_cycle_duration_seconds gauge",
        "govnet_poller_last_cycle_timestamp_seconds gauge",
        "govnet_poller_targets gauge",
        "govnet_poller_cycles_total counter",
        "govnet_poller_errors_total counter",
        "govnet_poller_retries_total counter",
        "govnet_device_up gauge",
        "govnet_device_poll_duration_seconds gauge",
        "govnet_device_last_success_timestamp_seconds gauge",
        "govnet_device_uptime_seconds gauge",
        "govnet_interface_oper_up gauge",
        "govnet_interface_admin_up gauge",
        "govnet_interface_speed_bits_per_second gauge",
        "govnet_interface_last_change_seconds gauge",
        "govnet_interface_in_octets_total counter",
        "govnet_interface_out_octets_total counter",
        "govnet_interface_in_errors_total counter",
        "govnet_interface_out_errors_total counter",
        "govnet_interface_in_discards_total counter",
        "govnet_interface_out_discards_total counter",
        "govnet_interface_info gauge",
        "govnet_interface_found gauge",
        "govnet_interface_not_found_info gauge",
        "govnet_bgp_peer_state gauge",
        "govnet_bgp_peer_established_seconds gauge",
        "govnet_ospf_neighbor_state gauge",
        "govnet_ldp_session_state gauge",
        *GROUP_FAMILIES,
        *(MEMBER_FAMILIES if complete else []),
        "govnet_hardware_cpu_ratio gauge",
        "govnet_hardware_memory_ratio gauge",
        "govnet_hardware_temperature_celsius gauge",
        "govnet_hardware_ok gauge",
        "govnet_hardware_status gauge",
        "govnet_stack_member_present gauge",
        "govnet_vendor_object gauge",
        *(["govnet_config_backup_timestamp_seconds gauge"] if backups else []),
    ]


def test_families_in_order_with_backups_and_member_observations(plan: Plan) -> None:
    snap = _snapshot()
    text = exposition(make_registry(plan, lambda: snap, lambda: {"kf-fw-2": 2.5, "kf-core-1": 1.25})).decode()
    assert _types(text) == _family_order(complete=True, backups=True)
    assert _blocks(text)["govnet_config_backup_timestamp_seconds"].splitlines()[2:] == [
        'govnet_config_backup_timestamp_seconds{device="kf-core-1"} 1.25',
        'govnet_config_backup_timestamp_seconds{device="kf-fw-2"} 2.5',
    ]
    assert (
        'govnet_redundancy_member_observed{group="kf-firewall-pair",member="kf-fw-1",device="kf-fw-1"} 1'
        in text
    )


def test_an_incomplete_cycle_judges_no_group_and_skips_devices_not_polled(plan: Plan) -> None:
    snap = _snapshot()
    snap.complete = False
    del snap.devices["kf-agg-dongfenglu"]  # not polled yet in this cycle
    del snap.devices["kf-core-1"].interfaces["xge1-0-1"]  # its first end without a row
    del snap.devices["kf-core-1"].bgp["10.0.0.65"]  # a planned BGP peer without a row
    text = exposition(make_registry(plan, lambda: snap)).decode()
    assert _types(text) == _family_order(complete=False, backups=False)
    blocks = _blocks(text)
    for family in GROUP_FAMILIES:
        name = family.split()[0]
        assert len(blocks[name].splitlines()) == 2, name  # HELP and TYPE only
    assert "kf-agg-dongfenglu" not in blocks["govnet_device_up"]
    assert "govnet_poller_targets 4\n" in text
    assert [ln for ln in text.splitlines() if ln.startswith("govnet_bgp_peer_state{")] == [
        'govnet_bgp_peer_state{device="kf-core-1",peer="kf-core-2",peer_address="10.0.0.10",vrf="default"} 6',
        'govnet_bgp_peer_state{device="kf-core-1",peer="kf-agg-dongfenglu",'
        'peer_address="10.0.0.65",vrf="default"} 0',
    ]
    assert 'device="kf-agg-dongfenglu"' not in blocks["govnet_interface_oper_up"]
    assert blocks["govnet_interface_admin_up"].splitlines()[2:4] == [
        'govnet_interface_admin_up{device="kf-core-1",interface="GigabitEthernet2/0/1",'
        'peer="kf-agg-dongfenglu",link="kf-core-1--kf-agg-dongfenglu"} 0',
        'govnet_interface_admin_up{device="kf-fw-1",interface="GigabitEthernet1/0/7",'
        'peer="kf-fw-2",link="kf-fw-1--kf-fw-2"} 1',
    ]
    assert blocks["govnet_bgp_peer_established_seconds"].splitlines()[2:] == [
        'govnet_bgp_peer_established_seconds{device="kf-core-1",peer="kf-core-2",'
        'peer_address="10.0.0.10",vrf="default"} 3600',
    ]


def test_registering_does_not_read_the_snapshot(plan: Plan) -> None:
    reads: list[int] = []

    def snapshot() -> Snapshot:
        reads.append(1)
        return _snapshot()

    registry = make_registry(plan, snapshot)
    assert reads == []  # nothing is read until a scrape
    exposition(registry)
    assert reads == [1]


class _Fixed(Collector):
    """Families with awkward values and texts for the text writer."""

    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily("t_value", 'Back\\slash, "quote"\nand a second line.', labels=["k"])
        for key, value in (
            ("nan", math.nan),
            ("inf", math.inf),
            ("-inf", -math.inf),
            ("true", True),
            ("false", False),
            ("half", 0.5),
            ("big", 2**64 - 1),
            ("negative", -3),
            ("float", 1e21),
            ('a"b\\c\nd', 1),
        ):
            gauge.add_metric([key], value)
        yield gauge
        yield GaugeMetricFamily("t_plain", "No labels.", value=7)
        counter = CounterMetricFamily("t_events", "Counted.", labels=["k"])
        counter.add_metric(["x"], 3, created=1_600_000_000.0)
        counter.add_metric(["y"], 4, created=1_600_000_001.0)
        yield counter
        info = InfoMetricFamily("t_build", "Info.", labels=["k"])
        info.add_metric(["x"], {"version": "1"})
        yield info


def test_text_format_of_values_labels_and_help() -> None:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Fixed())
    assert exposition(registry).decode() == (
        '# HELP t_value Back\\\\slash, "quote"\\nand a second line.\n'
        "# TYPE t_value gauge\n"
        't_value{k="nan"} NaN\n'
        't_value{k="inf"} +Inf\n'
        't_value{k="-inf"} -Inf\n'
        't_value{k="true"} 1.0\n'
        't_value{k="false"} 0.0\n'
        't_value{k="half"} 0.5\n'
        't_value{k="big"} 18446744073709551615\n'
        't_value{k="negative"} -3\n'
        't_value{k="float"} 1e+21\n'
        't_value{k="a\\"b\\\\c\\nd"} 1\n'
        "# HELP t_plain No labels.\n"
        "# TYPE t_plain gauge\n"
        "t_plain 7\n"
        "# HELP t_events_total Counted.\n"
        "# TYPE t_events_total counter\n"
        't_events_total{k="x"} 3\n'
        't_events_total{k="y"} 4\n'
        "# HELP t_build_info Info.\n"
        "# TYPE t_build_info gauge\n"
        't_build_info{k="x",version="1"} 1\n'
    )


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), b""


def test_pages_beside_metrics(plan: Plan) -> None:
    asked: list[str] = []

    def pages(path: str) -> tuple[int, str, bytes] | None:
        asked.append(path)
        if path.startswith("/noc"):
            return 200, "text/html; charset=utf-8", "<p>全部正常</p>".encode()
        if path == "/gone":
            return 410, "text/plain", b"gone"
        return None

    snap = _snapshot()
    registry = make_registry(plan, lambda: snap)
    server = serve(registry, "127.0.0.1", 0, pages)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        metrics = _get(f"{base}/metrics?debug=1")
        root = _get(f"{base}/")
        noc = _get(f"{base}/noc/site?id=kf")
        gone = _get(f"{base}/gone")
        missing = _get(f"{base}/nothing")
    finally:
        server.shutdown()
        server.server_close()
    body = exposition(registry)
    assert metrics[0] == 200 and metrics[1]["Content-Type"] == CONTENT_TYPE
    assert metrics[1]["Content-Length"] == str(len(body)) and metrics[2] == body
    assert "Cache-Control" not in metrics[1] and "X-Content-Type-Options" not in metrics[1]
    assert root[0] == 200 and root[2] == body  # no page for / : the metrics
    assert noc[0] == 200 and noc[2] == "<p>全部正常</p>".encode()
    assert noc[1]["Content-Type"] == "text/html; charset=utf-8" and noc[1]["Content-Length"] == str(
        len(noc[2])
    )
    assert (noc[1]["Cache-Control"], noc[1]["X-Content-Type-Options"]) == ("no-store", "nosniff")
    assert noc[1]["Content-Security-Policy"] == "default-src 'self'; img-src 'self' data:"
    assert gone[0] == 410 and gone[1]["Cache-Control"] == "no-store"
    assert missing[0] == 404
    assert asked == ["/", "/noc/site?id=kf", "/gone", "/nothing"]  # /metrics never asks the pages


def test_without_pages_only_metrics_and_root_are_served(plan: Plan) -> None:
    snap = _snapshot()
    server = serve(make_registry(plan, lambda: snap), "127.0.0.1", 0)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        root, missing = _get(f"{base}/?x=1"), _get(f"{base}/noc")
        threads = [t for t in threading.enumerate() if t.name == "govnet-monitor-http"]
    finally:
        server.shutdown()
        server.server_close()
    assert root[0] == 200 and b"govnet_poller_cycles_total 42\n" in root[2]
    assert missing[0] == 404
    assert threads and all(t.daemon for t in threads)  # never holds the process open
