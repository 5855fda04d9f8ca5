"""Firing alerts from a Prometheus server's ``/api/v1/alerts`` (``govnet monitor --prometheus URL``),
fetched at most every few seconds and shown on the page; a Prometheus that does not answer is
itself shown, never an error page."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from typing import Any

CACHE_S = 5.0
TIMEOUT_S = 2.0


class PrometheusAlerts:
    """The firing (and pending) alerts of one Prometheus, fetched at most every ``cache_s``."""

    def __init__(self, url: str, *, timeout: float = TIMEOUT_S, cache_s: float = CACHE_S) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.cache_s = cache_s
        self._lock = threading.Lock()
        self._at = -cache_s
        self._alerts: list[dict[str, Any]] = []
        self._error = ""

    def _fetch(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=self.timeout) as resp:
            return json.loads(resp.read().decode())

    def current(self) -> tuple[list[dict[str, Any]], str]:
        """(alerts as ``{name, state, labels, summary, active_at}``, error text or "")."""
        with self._lock:
            if time.monotonic() - self._at < self.cache_s:
                return self._alerts, self._error
            try:
                data = self._fetch("/api/v1/alerts")
                self._alerts = [
                    {
                        "name": a["labels"].get("alertname", ""),
                        "state": a.get("state", ""),
                        "labels": a["labels"],
                        "summary": a.get("annotations", {}).get("summary", ""),
                        "active_at": a.get("activeAt", ""),
                    }
                    for a in data["data"]["alerts"]
                    if a.get("state") in ("firing", "pending")
                ]
                self._error = ""
            except (OSError, ValueError, KeyError) as exc:
                self._alerts, self._error = [], f"Prometheus at {self.url} did not answer: {exc}"
            self._at = time.monotonic()
            return self._alerts, self._error

    def backup_times(self) -> dict[str, float]:
        """Device -> last config backup (``govnet_config_backup_timestamp_seconds``), when served."""
        query = urllib.parse.urlencode({"query": "govnet_config_backup_timestamp_seconds"})
        try:
            data = self._fetch(f"/api/v1/query?{query}")
            return {r["metric"]["device"]: float(r["value"][1]) for r in data["data"]["result"]}
        except (OSError, ValueError, KeyError):
            return {}


def for_district(alerts: list[dict[str, Any]], devices: set[str], groups: set[str]) -> list[dict[str, Any]]:
    """The alerts about ``devices`` or ``groups``, and those about neither (poller-wide)."""
    out = []
    for alert in alerts:
        labels = alert["labels"]
        device, group = labels.get("device"), labels.get("group")
        if device in devices or group in groups or (device is None and group is None):
            out.append(alert)
    return out
