"""The exporter: metric names, labels, exact Counter64, state sets, served over HTTP from a snapshot."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from govnet.inventory import load_network
from govnet.monitor.exporter import exposition, make_registry, serve
from govnet.monitor.plan import Plan, build_plan
from govnet.monitor.snapshot import DeviceState, InterfaceState, Snapshot

ROOT = Path(__file__).resolve().parents[2]
BIG = 2**64 - 5  # a Counter64 near wrap: not representable as a float


def _plan() -> Plan:
    network = load_network(ROOT / "inventory")
    return build_plan(network, devices=["kf-core-1", "kf-core-2", "kf-agg-dongfenglu"], lab=True)


def _snapshot(plan: Plan) -> Snapshot:
    devices = {}
    for dev in plan.devices:
        state = DeviceState(dev.name, up=True, sys_uptime=12_345_600, last_success=1_700_000_000.5)
        for i, end in enumerate(dev.links, start=2):
            state.interfaces[end.ifname] = InterfaceState(
                ifindex=i,
                admin_status=1,
                oper_status=1,
                hc_in_octets=BIG,
                hc_out_octets=7,
                high_speed=1000,
                in_errors=0,
                out_errors=0,
                in_discards=0,
                out_discards=0,
                last_change=500,
                alias=f"to {end.peer}",
            )
        for peer in dev.bgp:
            state.bgp[str(peer.address)] = (6, 3600)
        for peer in dev.ospf:
            state.ospf[str(peer.address)] = 8
        for peer in dev.ldp:
            state.ldp[str(peer.address)] = 5
        devices[dev.name] = state
    devices["kf-core-2"] = DeviceState("kf-core-2", up=False, error="timeout", last_success=1_699_999_000.0)
    return Snapshot(started=1_700_000_000.0, duration_s=0.25, devices=devices, complete=True, cycles_total=3)


def test_exposition_is_valid_and_counter64_exact() -> None:
    plan = _plan()
    snap = _snapshot(plan)
    text = exposition(make_registry(plan, lambda: snap)).decode()
    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert (
        "govnet_interface_in_octets" in families and families["govnet_interface_in_octets"].type == "counter"
    )
    line = next(
        ln
        for ln in text.splitlines()
        if ln.startswith('govnet_interface_in_octets_total{device="kf-core-1"') and "kf-agg-dongfenglu" in ln
    )
    assert line.endswith(f" {BIG}") and line.startswith(
        'govnet_interface_in_octets_total{device="kf-core-1",interface="GigabitEthernet2/0/1",'
        'peer="kf-agg-dongfenglu",link="kf-core-1--kf-agg-dongfenglu"}'
    )
    assert 'govnet_interface_speed_bits_per_second{device="kf-core-1"' in text and " 1000000000\n" in text
    assert 'alias="to kf-agg-dongfenglu"' in text  # only in the _info series
    assert "alias" not in "".join(ln for ln in text.splitlines() if ln.startswith("govnet_interface_oper_up"))


def test_failed_device_exports_up_zero_and_no_stale_rows() -> None:
    plan = _plan()
    snap = _snapshot(plan)
    text = exposition(make_registry(plan, lambda: snap)).decode()
    assert 'govnet_device_up{device="kf-core-2"} 0' in text
    assert 'govnet_device_last_success_timestamp_seconds{device="kf-core-2"} 1699999000.0' in text
    assert not [
        ln for ln in text.splitlines() if 'device="kf-core-2"' in ln and ln.startswith("govnet_interface_")
    ]
    assert 'govnet_redundancy_group_state{group="kf-core-pair",state="unknown"} 1' in text
    assert 'govnet_redundancy_group_state{group="kf-core-pair",state="healthy"} 0' in text
    assert 'govnet_redundancy_group_members_healthy{group="kf-uplinks-dongfenglu"} 2' in text
    assert (
        'govnet_bgp_peer_state{device="kf-agg-dongfenglu",peer="kf-core-1",peer_address="10.0.0.9",'
        'vrf="default"} 6' in text
    )


def test_served_over_http_from_the_snapshot_without_polling() -> None:
    plan = _plan()
    current = [Snapshot()]
    server = serve(make_registry(plan, lambda: current[0]), "127.0.0.1", 0)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/metrics"
        with urllib.request.urlopen(url, timeout=5) as resp:
            before = resp.read().decode()
        current[0] = _snapshot(plan)
        with urllib.request.urlopen(url, timeout=5) as resp:
            after = resp.read().decode()
            assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    finally:
        server.shutdown()
    assert "govnet_poller_targets 0" in before and "govnet_redundancy_group_state{" not in before
    assert "govnet_poller_targets 3" in after and "govnet_poller_cycles_total 3" in after
