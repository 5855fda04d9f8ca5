"""The live state document (``/api/state``) that ``govnet status`` shows: asked of a running
monitor, or made from one poll cycle when none answers."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote

from govnet.credentials import Credentials
from govnet.errors import GovnetError
from govnet.monitor.plan import Plan
from govnet.monitor.service import MonitorOptions, poll_once
from govnet.monitor.web.app import NocSite


def fetch_state(url: str, district: str | None, *, timeout: float = 5.0) -> dict[str, Any] | None:
    """The ``/api/state`` of the monitor at ``url`` (one district, or its first); None when no
    monitor answers there. Raises GovnetError when one answers with an HTTP error."""
    target = url.rstrip("/") + "/api/state" + (f"?district={quote(district)}" if district else "")
    try:
        with urllib.request.urlopen(target, timeout=timeout) as resp:
            data: dict[str, Any] = json.loads(resp.read().decode())
            return data
    except urllib.error.HTTPError as exc:
        raise GovnetError(f"{target}: HTTP {exc.code}") from None
    except (OSError, ValueError):
        return None


def poll_state(plan: Plan, credentials: Credentials, timeout: float, district: str | None) -> dict[str, Any]:
    """The same document from one poll cycle of ``plan`` (``district``, or the plan's first).

    Raises GovnetError for a district the plan does not have."""
    snap = asyncio.run(poll_once(plan, credentials, MonitorOptions(timeout=timeout)))
    site = NocSite(plan, lambda: snap)
    chosen = district or next(iter(site.districts))
    if chosen not in site.districts:
        raise GovnetError(f"--district {chosen}: no such district ({', '.join(site.districts)})")
    return site.api_state(chosen)
