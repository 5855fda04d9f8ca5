"""What a Huawei NIP (USG6000 software) shows after a change: the USG's ``display`` commands,
read by :mod:`govnet.platforms.huawei_usg.observe`."""

from __future__ import annotations

from collections.abc import Mapping

from govnet.platforms.base import Observed
from govnet.platforms.huawei_usg import observe as usg

VERIFY_COMMANDS: tuple[str, ...] = usg.VERIFY_COMMANDS


def observe(outputs: Mapping[str, str]) -> Observed:
    """Interfaces up, OSPF Full, BGP Established, VRRP roles and the HRP role."""
    return usg.observe(outputs)
