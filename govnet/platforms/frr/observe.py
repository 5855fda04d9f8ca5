"""What an FRR router of the twin shows after a change, from vtysh's ``show ... json`` output.

OSPF neighbours Full (``converged``, or ``state`` on older FRR), BGP peers Established in any
address family, interfaces operationally up. A reply that is not JSON (the daemon is not
running: ``bgpd is not running``) shows nothing up; JSON of the wrong shape is a ValueError
naming the command and the place in the reply.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from govnet.platforms.base import Observed

OSPF = "show ip ospf neighbor json"
BGP = "show bgp summary json"
INTERFACE = "show interface json"
VERIFY_COMMANDS: tuple[str, ...] = (OSPF, BGP, INTERFACE)


def reply(outputs: Mapping[str, str], command: str) -> dict[str, Any]:
    """The JSON object ``command`` printed ({} when absent, empty or not JSON)."""
    text = outputs.get(command, "").strip()
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def shaped(command: str, where: str, value: Any, kind: type) -> Any:
    """``value`` when it is a ``kind`` (absent: an empty one); otherwise a ValueError naming the
    command and the place (a reply of the wrong shape is not "nothing up")."""
    if value is None:
        return kind()
    if not isinstance(value, kind):
        raise ValueError(f"{command!r}: unexpected reply at {where}: "
                         f"expected {'an object' if kind is dict else 'a list'}, got {type(value).__name__}")
    return value


def observe(outputs: Mapping[str, str]) -> Observed:
    """OSPF Full neighbours, Established BGP peers and up interfaces."""
    neighbours = shaped(OSPF, "neighbors", reply(outputs, OSPF).get("neighbors"), dict)
    ospf = {str(rid) for rid, entries in neighbours.items()
            if any(str(e.get("converged", e.get("state", ""))).startswith("Full")
                   for e in shaped(OSPF, f"neighbors.{rid}", entries, list) if isinstance(e, dict))}
    bgp: set[str] = set()
    for name, family in reply(outputs, BGP).items():
        if isinstance(family, dict):
            peers = shaped(BGP, f"{name}.peers", family.get("peers"), dict)
            bgp |= {ip for ip, p in peers.items() if isinstance(p, dict) and p.get("state") == "Established"}
    links = {name for name, i in reply(outputs, INTERFACE).items()
             if isinstance(i, dict) and i.get("operationalStatus") == "up"}
    return Observed(frozenset(ospf), frozenset(bgp), frozenset(links))
