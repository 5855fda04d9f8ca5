"""Prometheus metrics over the last completed cycle (a custom collector over a snapshot);
a scrape reads the snapshot and never polls.

Counter64 values stay Python ints end to end: :func:`exposition` writes ints exactly (the
client library's text writer goes through float, which rounds above 2**53).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    InfoMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector, CollectorRegistry

from govnet.monitor import families
from govnet.monitor.health import GROUP_STATES, GroupHealth, cut_offs, judge
from govnet.monitor.plan import Plan
from govnet.monitor.snapshot import DeviceState, Snapshot

LINK_LABELS = ["device", "interface", "peer", "link"]
SESSION_LABELS = ["device", "peer", "peer_address", "vrf"]
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class SnapshotCollector(Collector):
    """Turns the poller's current snapshot into metric families at scrape time."""

    def __init__(
        self,
        plan: Plan,
        snapshot: Callable[[], Snapshot],
        backups: Callable[[], Mapping[str, float]] | None = None,
    ) -> None:
        self.plan = plan
        self.snapshot = snapshot
        self.backups = backups
        self._cut_off = cut_offs(plan.network)

    def collect(self) -> Iterator[Metric]:
        snap = self.snapshot()
        groups = judge(self.plan, snap) if snap.complete else []
        yield from self._poller(snap)
        yield from self._devices(snap)
        yield from self._links(snap)
        yield from families.interfaces_found(self.plan, snap)
        yield from self._sessions(snap)
        yield from self._groups(groups)
        yield from families.group_evidence(groups)
        if snap.complete:
            yield from families.member_observations(self.plan, snap)
        yield from families.hardware(snap)
        yield from self._vendor(snap)
        if self.backups is not None:
            yield from families.backups(self.backups())

    def _poller(self, snap: Snapshot) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "govnet_poller_cycle_duration_seconds",
            "Wall time of the last completed poll cycle.",
            value=snap.duration_s,
        )
        yield GaugeMetricFamily(
            "govnet_poller_last_cycle_timestamp_seconds",
            "Start of the last completed poll cycle (Unix time).",
            value=snap.started,
        )
        yield GaugeMetricFamily(
            "govnet_poller_targets", "Devices polled in the last cycle.", value=len(snap.devices)
        )
        yield CounterMetricFamily("govnet_poller_cycles", "Poll cycles completed.", value=snap.cycles_total)
        errors = CounterMetricFamily("govnet_poller_errors", "Failed device polls by kind.", labels=["kind"])
        for kind, count in snap.errors_total.items():
            errors.add_metric([kind], count)
        yield errors
        yield CounterMetricFamily(
            "govnet_poller_retries",
            "SNMP requests sent again because no answer came in time (loss the retries absorbed).",
            value=snap.retries_total,
        )

    def _devices(self, snap: Snapshot) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "govnet_device_up", "1 when the device answered SNMP in the last cycle.", labels=["device"]
        )
        duration = GaugeMetricFamily(
            "govnet_device_poll_duration_seconds",
            "Time to poll the device in the last cycle.",
            labels=["device"],
        )
        success = GaugeMetricFamily(
            "govnet_device_last_success_timestamp_seconds",
            "When the device last answered (Unix time).",
            labels=["device"],
        )
        uptime = GaugeMetricFamily("govnet_device_uptime_seconds", "sysUpTime in seconds.", labels=["device"])
        for name, dev in sorted(snap.devices.items()):
            up.add_metric([name], 1 if dev.up else 0)
            duration.add_metric([name], dev.duration_s)
            if dev.last_success is not None:
                success.add_metric([name], dev.last_success)
            if dev.up and dev.sys_uptime is not None:
                uptime.add_metric([name], dev.sys_uptime / 100)
        yield from (up, duration, success, uptime)

    def _links(self, snap: Snapshot) -> Iterator[Metric]:
        gauges = {
            "oper": GaugeMetricFamily(
                "govnet_interface_oper_up", "ifOperStatus is up(1).", labels=LINK_LABELS
            ),
            "admin": GaugeMetricFamily(
                "govnet_interface_admin_up", "ifAdminStatus is up(1).", labels=LINK_LABELS
            ),
            "speed": GaugeMetricFamily(
                "govnet_interface_speed_bits_per_second", "ifHighSpeed in bits/s.", labels=LINK_LABELS
            ),
            "change": GaugeMetricFamily(
                "govnet_interface_last_change_seconds",
                "ifLastChange: sysUpTime at the last state change, in seconds.",
                labels=LINK_LABELS,
            ),
        }
        counters = {
            "hc_in_octets": CounterMetricFamily(
                "govnet_interface_in_octets", "ifHCInOctets.", labels=LINK_LABELS
            ),
            "hc_out_octets": CounterMetricFamily(
                "govnet_interface_out_octets", "ifHCOutOctets.", labels=LINK_LABELS
            ),
            "in_errors": CounterMetricFamily("govnet_interface_in_errors", "ifInErrors.", labels=LINK_LABELS),
            "out_errors": CounterMetricFamily(
                "govnet_interface_out_errors", "ifOutErrors.", labels=LINK_LABELS
            ),
            "in_discards": CounterMetricFamily(
                "govnet_interface_in_discards", "ifInDiscards.", labels=LINK_LABELS
            ),
            "out_discards": CounterMetricFamily(
                "govnet_interface_out_discards", "ifOutDiscards.", labels=LINK_LABELS
            ),
        }
        info = InfoMetricFamily(
            "govnet_interface",
            "Descriptive labels of a link end: ifAlias, and the name the agent reports for it.",
            labels=[*LINK_LABELS, "ifname"],
        )
        for dev_plan in self.plan.devices:
            state = snap.devices.get(dev_plan.name)
            if state is None or not state.up:
                continue
            for end in dev_plan.links:
                row = state.interfaces.get(end.ifname)
                if row is None:
                    continue
                labels = [end.device, end.interface, end.peer, end.link]
                gauges["oper"].add_metric(labels, 1 if row.oper_status == 1 else 0)
                gauges["admin"].add_metric(labels, 1 if row.admin_status == 1 else 0)
                if row.high_speed is not None:
                    gauges["speed"].add_metric(labels, row.high_speed * 1_000_000)
                if row.last_change is not None:
                    gauges["change"].add_metric(labels, row.last_change / 100)
                for attr, family in counters.items():
                    value = getattr(row, attr)
                    if value is not None:
                        family.add_metric(labels, value)
                info.add_metric([*labels, end.ifname], {"alias": row.alias, "agent_name": row.name})
        yield from gauges.values()
        yield from counters.values()
        yield info

    def _sessions(self, snap: Snapshot) -> Iterator[Metric]:
        bgp = GaugeMetricFamily(
            "govnet_bgp_peer_state", "bgpPeerState: idle(1) ... established(6).", labels=SESSION_LABELS
        )
        est = GaugeMetricFamily(
            "govnet_bgp_peer_established_seconds",
            "bgpPeerFsmEstablishedTime: seconds in (or since leaving) Established.",
            labels=SESSION_LABELS,
        )
        ospf = GaugeMetricFamily(
            "govnet_ospf_neighbor_state", "ospfNbrState: down(1) ... full(8).", labels=SESSION_LABELS
        )
        ldp = GaugeMetricFamily(
            "govnet_ldp_session_state",
            "mplsLdpSessionState: nonexistent(1) ... operational(5); 0 when no session row.",
            labels=SESSION_LABELS,
        )
        for dev_plan in self.plan.devices:
            state = snap.devices.get(dev_plan.name)
            if state is None or not state.up:
                continue
            for peer in dev_plan.bgp:
                value, seconds = state.bgp.get(str(peer.address), (None, None))
                labels = [peer.device, peer.peer, str(peer.address), peer.vrf]
                bgp.add_metric(labels, value or 0)
                if seconds is not None:
                    est.add_metric(labels, seconds)
            for peer in dev_plan.ospf:
                ospf.add_metric(
                    [peer.device, peer.peer, str(peer.address), peer.vrf],
                    state.ospf.get(str(peer.address)) or 0,
                )
            for peer in dev_plan.ldp:
                ldp.add_metric(
                    [peer.device, peer.peer, str(peer.address), peer.vrf],
                    state.ldp.get(str(peer.address)) or 0,
                )
        yield from (bgp, est, ospf, ldp)

    def _groups(self, groups: list[GroupHealth]) -> Iterator[Metric]:
        expected = GaugeMetricFamily(
            "govnet_redundancy_group_members_expected", "Members the model gives the group.", labels=["group"]
        )
        healthy = GaugeMetricFamily(
            "govnet_redundancy_group_members_healthy", "Members healthy in the last cycle.", labels=["group"]
        )
        state = GaugeMetricFamily(
            "govnet_redundancy_group_state",
            "Redundancy group state set: 1 for the current state, 0 for the others.",
            labels=["group", "state"],
        )
        member = GaugeMetricFamily(
            "govnet_redundancy_member_healthy",
            "1 healthy, 0 down, -1 unknown (failed poll).",
            labels=["group", "member"],
        )
        info = InfoMetricFamily(
            "govnet_redundancy_group",
            "The group, its kind and what it protects: "
            "sites and external peers cut off if the remaining member fails.",
            labels=["group"],
        )
        for health in groups:
            name = health.group.name
            expected.add_metric([name], health.expected)
            healthy.add_metric([name], health.healthy)
            for value in GROUP_STATES:
                state.add_metric([name, value], 1 if value == health.state else 0)
            for m, s in health.members.items():
                member.add_metric([name, m], {"healthy": 1, "down": 0, "unknown": -1}[s])
            sites, lost = self._cut_off[name]
            info.add_metric(
                [name],
                {
                    "kind": health.group.kind,
                    "title": health.group.title,
                    "members": ",".join(health.group.members),
                    "cut_off_sites": ",".join(sites),
                    "cut_off_peers": ",".join(lost),
                },
            )
        yield from (expected, healthy, state, member, info)

    def _vendor(self, snap: Snapshot) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "govnet_vendor_object",
            "Vendor HA and hardware objects (VRRP, VGMP, stack roles, power, fans) by row, raw values.",
            labels=["device", "object", "index"],
        )
        for name, dev in sorted(snap.devices.items()):
            if not dev.up:
                continue
            for obj, rows in sorted(dev.vendor.items()):
                for index, value in sorted(rows.items()):
                    family.add_metric([name, obj, index], value)
        yield family


def _labels(names: dict[str, str]) -> str:
    if not names:
        return ""
    parts = []
    for key, value in names.items():
        escaped = value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
        parts.append(f'{key}="{escaped}"')
    return "{" + ",".join(parts) + "}"


def _value(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    number = float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "+Inf" if number > 0 else "-Inf"
    return repr(number)


def exposition(registry: CollectorRegistry) -> bytes:
    """The Prometheus text format (0.0.4) of ``registry``, ints written exactly."""
    lines: list[str] = []
    for metric in registry.collect():
        mtype = "gauge" if metric.type == "info" else metric.type
        name = metric.name + ("_total" if metric.type == "counter" else "")
        name = name + ("_info" if metric.type == "info" else "")
        doc = metric.documentation.replace("\\", "\\\\").replace("\n", "\\n")
        lines.append(f"# HELP {name} {doc}\n# TYPE {name} {mtype}\n")
        for sample in metric.samples:
            if sample.name.endswith("_created"):
                continue
            lines.append(f"{sample.name}{_labels(sample.labels)} {_value(sample.value)}\n")
    return "".join(lines).encode()


Page = tuple[int, str, bytes]
"""(HTTP status, Content-Type, body) of a page served beside /metrics."""
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:",
}


def serve(
    registry: CollectorRegistry, host: str, port: int, pages: Callable[[str], Page | None] | None = None
) -> ThreadingHTTPServer:
    """Serve ``/metrics`` on host:port in a daemon thread; returns the server (``shutdown()``).
    ``pages`` answers every other GET (path and query; None: 404), e.g. the NOC pages; without
    it ``/`` serves the metrics too."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            page = None if path == "/metrics" or pages is None else pages(self.path)
            if page is None and path not in ("/metrics", "/"):
                self.send_error(404)
                return
            status, ctype, body = page or (200, CONTENT_TYPE, exposition(registry))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in PAGE_HEADERS.items() if page else ():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="govnet-monitor-http", daemon=True).start()
    return server


def make_registry(
    plan: Plan, snapshot: Callable[[], Snapshot], backups: Callable[[], Mapping[str, float]] | None = None
) -> CollectorRegistry:
    """A registry holding only the snapshot collector (``backups``: device -> last backup time)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(plan, snapshot, backups))
    return registry


__all__ = ["DeviceState", "SnapshotCollector", "exposition", "make_registry", "serve"]
