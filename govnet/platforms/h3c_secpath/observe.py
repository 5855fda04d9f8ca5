"""What an H3C SecPath firewall (Comware 7) shows after a change: interfaces, OSPF, BGP and VRRP
as Comware 7 prints them, read by :mod:`govnet.platforms.h3c_comware.observe`."""

from __future__ import annotations

from collections.abc import Mapping

from govnet.platforms.base import Observed
from govnet.platforms.h3c_comware import observe as comware
from govnet.platforms.huawei_vrp.observe import observe_with

VERIFY_COMMANDS: tuple[str, ...] = (
    comware.INTERFACE_BRIEF, comware.OSPF_PEER, comware.BGP_PEER_IPV4, comware.VRRP,
)


def observe(outputs: Mapping[str, str]) -> Observed:
    """Interfaces up, OSPF Full, BGP Established, VRRP roles."""
    return observe_with({c: comware.READERS[c] for c in VERIFY_COMMANDS}, outputs)
