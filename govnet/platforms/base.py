"""What govnet knows about one platform, declared as data (hier_config's manner)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from govnet.errors import GovnetError

OsFamily = Literal["vrp5", "vrp8", "usg", "comware7", "frr", "linux", "appliance"]
ChangeModel = Literal["candidate-trial", "commit-delay", "immediate", "none"]
"""How the platform takes a change (REQUIREMENTS section 8): VRP8 ``commit trial``, Comware
``configuration commit delay``, immediate mode with a govnet-kept confirm window (VRP5, USG,
FRR), or not pushed by govnet at all."""
IfnameStyle = Literal["vendor", "kernel"]


class PlatformError(GovnetError):
    """An unknown platform name (inventory, spec or command line)."""


@dataclass(frozen=True, slots=True)
class Platform:
    """One platform: how it is reached, rendered, parsed, named and changed.

    >>> from govnet.platforms import get_platform
    >>> get_platform("huawei_vrp").netmiko
    'huawei'
    >>> get_platform("frr").template_dir
    'frr'
    """

    name: str
    vendor: str
    os_family: OsFamily
    netmiko: str | None = None
    napalm: str | None = None
    hier_config: str | None = None
    """hier_config ``Platform`` member used to parse (and remediate) its configs."""
    renders: bool = True
    lab: bool = False
    """A platform of the lab twin (the stand-in for vendor gear)."""
    ifname_style: IfnameStyle = "vendor"
    """``kernel``: interfaces carry the kernel name (see ``govnet.platforms.linux``)."""
    mgmt_ports: dict[str, str] = field(default_factory=dict)
    """Out-of-band management port per role, the default when the inventory names none."""
    default_mgmt_port: str = "MEth0/0/1"
    change_model: ChangeModel = "none"
    confirm_window_s: int = 300
    """Default confirm window: after a push, unconfirmed changes revert after this long."""
    driver: str | None = None
    """The deploy driver, as ``module:Class`` under ``govnet.deploy`` (resolved there)."""
    vendor_oids: dict[str, str] = field(default_factory=dict)
    """Vendor OIDs the monitor polls on this platform (name -> numeric OID), REQUIREMENTS s.7."""
    version_note: str = ""

    @property
    def template_dir(self) -> str:
        """Folder of its templates under ``templates/``."""
        return self.name

    def mgmt_port(self, role: str) -> str:
        """The management port a device of ``role`` uses on this platform."""
        return self.mgmt_ports.get(role, self.default_mgmt_port)
