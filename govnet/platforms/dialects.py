"""A platform's CLI dialect as govnet's remediation needs it, declared as data.

hier_config's platform drivers declare, per platform, which commands take one value and which
lines a remediation must leave alone; govnet's remediation (:mod:`govnet.deploy.remediation`)
reads the same kind of facts here: the commands a new value overwrites (no negation first), and
the lines whose negation would cut govnet's own SSH session (the SSH service, the VTY login,
the SSH user's account, the management interface's access). Each platform that govnet
remediates line by line has a ``dialect`` module in its package with a ``DIALECT``
(:func:`dialect_of` finds it by that convention); the others (FRR, Linux) diff otherwise.

>>> from govnet.platforms import get_platform
>>> dialect_of(get_platform("h3c_comware")).vty
('line vty',)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, cast

from govnet.platforms.base import Platform, PlatformError

COMMON_SINGLE_VALUED: tuple[str, ...] = (
    "description", "sysname", "mtu", r"ip address (?!.* sub$)", "port link-type", "ospf network-type",
    "clock timezone", "ip binding vpn-instance", "route-distinguisher", "idle-timeout",
)
"""Settings VRP and Comware both hold one of: a new line replaces the old (a secondary
``ip address ... sub`` does not)."""
VTY_LOGIN: tuple[str, ...] = ("protocol inbound", "authentication-mode")
"""What a VTY section needs for an SSH login, on VRP and Comware alike."""


@dataclass(frozen=True, slots=True)
class Dialect:
    """The CLI facts a line-by-line remediation needs (regex fragments match from the line start)."""

    single_valued: tuple[str, ...]
    """Commands holding one value: the new line overwrites the old, never negated first."""
    ssh_service: tuple[str, ...]
    """Global lines that keep the SSH server on (``stelnet server enable``)."""
    vty: tuple[str, ...]
    """First words of the VTY sections (``user-interface vty``, ``line vty``)."""
    user_lines: tuple[str, ...]
    """Global lines naming the SSH user first (``ssh user NAME ...``, Comware's ``local-user NAME``)."""
    accounts: tuple[str, ...]
    """Account lines or views naming the SSH user (``local-user NAME``, USG ``manager-user NAME``):
    top-level views, or lines and views inside ``aaa``."""
    mgmt_access: tuple[str, ...] = ("ip address",)
    """Lines on the management interface whose negation takes SSH away from it."""
    vty_login: tuple[str, ...] = VTY_LOGIN
    printed_secret_forms: tuple[tuple[str, str], ...] = ()
    """(keyword pushed, keyword printed) before a secret: the device stores a plaintext secret
    encrypted and prints it with another keyword (Comware 7: ``simple`` and ``plain`` come back
    as ``cipher $c$...``), so the running line still carries the pushed secret."""


class DialectModule(Protocol):
    """A platform package's ``dialect`` module."""

    DIALECT: Dialect


def dialect_of(platform: Platform) -> Dialect:
    """The CLI dialect of ``platform``; :class:`PlatformError` when govnet does not remediate
    its configs line by line (no ``dialect`` module in its package)."""
    module = platform.submodule("dialect")
    if module is None:
        raise PlatformError(f"platform {platform.name} has no CLI dialect: govnet does not remediate "
                            "its configs line by line")
    return cast(DialectModule, module).DIALECT


INDENT_ONLY_PARSERS = frozenset({"HUAWEI_VRP", "HP_COMWARE5"})
"""hier_config platforms whose load is indentation alone (no sectional exits, no post-load
callbacks; hier_config's ``HUAWEI_VRP`` and ``HP_COMWARE5`` drivers): check may build their
tree by indentation, the way hier_config would."""
COMMENT_DROPPING_PARSERS = frozenset({"HUAWEI_VRP"})
"""hier_config platforms whose only per-line substitution drops comments (``^\\s*[#!].*``)."""
