"""The NOC site's routes, served by the exporter's HTTP server beside ``/metrics``:

* ``/`` (``?district=NAME``): the district page; ``/device/<name>``: a device page;
* ``/api/state`` (``?district=NAME``): the live state as JSON, with every district's status;
* ``/api/live``: the page's live parts as HTML fragments (what the bundled script polls);
* ``/static/noc.js``, ``/static/noc.css``: the page's only assets, shipped in the package.

Everything is computed from the last completed cycle, once per cycle and district, under a lock.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from html import escape
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from govnet.monitor.plan import Plan
from govnet.monitor.snapshot import Snapshot
from govnet.monitor.web.alerts import PrometheusAlerts, for_district
from govnet.monitor.web.device import device_info
from govnet.monitor.web.districts import District, split_districts
from govnet.monitor.web.layout import Layout, district_layout
from govnet.monitor.web.pages import (
    device_page,
    district_page,
    groups_html,
    problems_html,
    selector_html,
    status_html,
)
from govnet.monitor.web.state import district_state, district_status, overall
from govnet.monitor.web.svg import district_svg

Page = tuple[int, str, bytes]
HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"
ASSETS = {"noc.js": "text/javascript; charset=utf-8", "noc.css": "text/css; charset=utf-8"}


def _asset(name: str) -> bytes:
    return resources.files("govnet").joinpath("data", "noc", name).read_bytes()


class NocSite:
    """The live pages over a poller's snapshot (``snapshot`` returns the last completed cycle)."""

    def __init__(
        self,
        plan: Plan,
        snapshot: Callable[[], Snapshot],
        *,
        interval: float = 30.0,
        prometheus: str | None = None,
        alerts_cache_s: float = 5.0,
        backups: Callable[[], Mapping[str, float]] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.title = plan.network.settings.title or plan.network.settings.name
        self.districts: dict[str, District] = split_districts(plan)
        self.snapshot = snapshot
        self.refresh_s = max(1.0, min(interval / 2, 5.0))
        self.alerts = PrometheusAlerts(prometheus, cache_s=alerts_cache_s) if prometheus else None
        self.backups = backups
        self.clock = clock
        self._lock = threading.Lock()
        self._layouts: dict[str, Layout] = {}
        self._current = Snapshot()
        self._previous: Snapshot | None = None
        self._states: dict[str, dict[str, Any]] = {}
        self._summary: list[dict[str, Any]] | None = None

    # --- state, once per cycle -------------------------------------------------------------

    def _cycle(self) -> Snapshot:
        snap = self.snapshot()
        if snap is not self._current:
            if snap.cycles_total != self._current.cycles_total:
                self._previous = self._current if self._current.complete else None
            self._current = snap
            self._states.clear()
            self._summary = None
        return snap

    def state(self, district: str) -> dict[str, Any]:
        """The live state of ``district`` (KeyError when there is no such district)."""
        with self._lock:
            snap = self._cycle()
            if district not in self._states:
                self._states[district] = district_state(self.districts[district], snap, self._previous)
            return self._states[district]

    def summary(self) -> list[dict[str, Any]]:
        """Every district's name and status (the selector, ``govnet status``)."""
        names = list(self.districts)
        if len(names) == 1:
            return [{"district": names[0], "status": self.state(names[0])["status"]}]
        with self._lock:
            snap = self._cycle()
            summary = self._summary
        if summary is None:
            summary = [
                {
                    "district": n,
                    "status": self._states[n]["status"]
                    if n in self._states
                    else district_status(self.districts[n], snap),
                }
                for n in names
            ]
            with self._lock:
                if self._current is snap:  # not a cycle that has been replaced meanwhile
                    self._summary = summary
        return summary

    def layout(self, district: str) -> Layout:
        with self._lock:
            if district not in self._layouts:
                self._layouts[district] = district_layout(self.districts[district].network)
            return self._layouts[district]

    def _alerts(self, district: str) -> tuple[list[dict[str, Any]], str]:
        if self.alerts is None:
            return [], ""
        found, error = self.alerts.current()
        d = self.districts[district]
        return for_district(found, set(d.network.devices), {g.name for g in d.network.groups}), error

    def live_parts(self, district: str, state: dict[str, Any] | None = None) -> dict[str, str]:
        """The page's parts that change every cycle, as HTML (from ``state`` when given)."""
        state = self.state(district) if state is None else state
        alerts, error = self._alerts(district)
        return {
            "status": status_html(self.title, state, self.clock()),
            "map": district_svg(self.districts[district].network, self.layout(district), state),
            "problems": problems_html(state, alerts, error),
            "groups": groups_html(state),
        }

    def api_state(self, district: str) -> dict[str, Any]:
        """``/api/state``: every district's status, the chosen district's full state, alerts."""
        summary = self.summary()
        alerts, error = self._alerts(district)
        state = self.state(district)
        return {
            "network": self.title,
            **state,
            "status": overall([s["status"] for s in summary]),
            "district_status": state["status"],
            "districts": summary,
            "alerts": alerts,
            "alerts_error": error,
        }

    # --- routes ----------------------------------------------------------------------------

    def page(self, target: str) -> Page | None:
        """Answer a GET of ``target`` (path and query); None for a path this site does not serve."""
        url = urlsplit(target)
        query = parse_qs(url.query)
        district = query.get("district", [next(iter(self.districts), "")])[0]
        path = url.path
        if path.startswith("/static/"):
            name = path.removeprefix("/static/")
            return (200, ASSETS[name], _asset(name)) if name in ASSETS else None
        if path not in ("/", "/api/state", "/api/live") and not path.startswith("/device/"):
            return None
        if path.startswith("/device/"):
            return self._device(unquote(path.removeprefix("/device/")))
        if district not in self.districts:
            return 404, HTML, f"<!doctype html><p>no district {escape(district)}</p>".encode()
        if path == "/api/state":
            return 200, JSON, _json(self.api_state(district))
        state = self.state(district)  # once: the cycle named is the one the parts show
        parts = self.live_parts(district, state)
        if path == "/api/live":
            cycle = state["cycle"]["cycles_total"]
            return 200, JSON, _json({"district": district, "cycle": cycle, "parts": parts})
        selector = selector_html(self.summary(), district)
        return 200, HTML, district_page(self.title, parts, selector, district, self.refresh_s).encode()

    def _device(self, name: str) -> Page:
        district = next((d for d in self.districts.values() if name in d.network.devices), None)
        if district is None:
            return 404, HTML, f"<!doctype html><p>no device {escape(name)}</p>".encode()
        state = self.state(district.name)
        with self._lock:
            snap, previous = self._current, self._previous
        info = device_info(district, name, state, snap, previous)
        if self.backups is not None:
            info["backup_at"] = self.backups().get(name)
            info["backup_note"] = "no commit of this device in the backup repository"
        elif self.alerts is not None:
            info["backup_at"] = self.alerts.backup_times().get(name)
        return 200, HTML, device_page(info, self.title, self.clock()).encode()


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode()
