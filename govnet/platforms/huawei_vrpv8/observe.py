"""What a Huawei CloudEngine (VRP8) shows after a change: the same ``display`` commands and
table shapes as VRP5 (the CloudEngine command reference prints ``display ospf peer brief``,
``display mpls ldp session`` ... as VRP5 does), read by :mod:`govnet.platforms.huawei_vrp.observe`."""

from __future__ import annotations

from collections.abc import Mapping

from govnet.platforms.base import Observed
from govnet.platforms.huawei_vrp import observe as vrp

VERIFY_COMMANDS: tuple[str, ...] = vrp.VERIFY_COMMANDS


def observe(outputs: Mapping[str, str]) -> Observed:
    """OSPF Full, BGP/VPNv4 Established, LDP Operational, interfaces up, VRRP roles."""
    return vrp.observe(outputs)
