"""What a Linux edge device of the twin shows after a change: the edge agent's ``status`` JSON.

Interfaces up, nftables tables loaded, and keepalived's VRRP groups in MASTER or BACKUP (not
FAULT, not missing) while the daemon runs.
"""

from __future__ import annotations

from collections.abc import Mapping

from govnet.platforms.base import Observed
from govnet.platforms.frr.observe import reply, shaped

STATUS = "status"
VERIFY_COMMANDS: tuple[str, ...] = (STATUS,)
VRRP_RUNNING = ("MASTER", "BACKUP")


def observe(outputs: Mapping[str, str]) -> Observed:
    """Links up, nftables tables, keepalived's running groups, from ``status``."""
    data = reply(outputs, STATUS)
    keepalived = shaped(STATUS, "keepalived", data.get("keepalived"), dict)
    running = keepalived.get("running")
    states = shaped(STATUS, "keepalived.states", keepalived.get("states"), dict) if running else {}
    return Observed(
        links=frozenset(map(str, shaped(STATUS, "links_up", data.get("links_up"), list))),
        tables=frozenset(map(str, shaped(STATUS, "tables", data.get("tables"), list))),
        vrrp=frozenset(v for v, s in states.items() if s in VRRP_RUNNING),
    )
