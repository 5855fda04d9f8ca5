"""The twin's nftables firewalls run the Linux edge agent: observed as :mod:`govnet.platforms.linux`."""

from __future__ import annotations

from collections.abc import Mapping

from govnet.platforms.base import Observed
from govnet.platforms.linux import observe as linux

VERIFY_COMMANDS: tuple[str, ...] = linux.VERIFY_COMMANDS


def observe(outputs: Mapping[str, str]) -> Observed:
    """Links up, nftables tables, keepalived's running groups, from ``status``."""
    return linux.observe(outputs)
