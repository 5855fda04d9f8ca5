"""What a Huawei USG firewall shows after a change: interfaces, OSPF and BGP as on VRP5, and its
hot-standby role from ``display hrp state`` (``Role: active, peer: standby``, Huawei USG CLI
reference, display hrp state) beside any VRRP group it runs."""

from __future__ import annotations

from collections.abc import Mapping

from govnet.platforms.base import Observed
from govnet.platforms.huawei_vrp import observe as vrp

VERIFY_COMMANDS: tuple[str, ...] = (
    vrp.INTERFACE_BRIEF, vrp.OSPF_PEER_BRIEF, vrp.BGP_PEER, vrp.VRRP_BRIEF, vrp.HRP_STATE,
)


def observe(outputs: Mapping[str, str]) -> Observed:
    """Interfaces up, OSPF Full, BGP Established, VRRP roles and the HRP role."""
    return vrp.observe_with({c: vrp.READERS[c] for c in VERIFY_COMMANDS}, outputs)
