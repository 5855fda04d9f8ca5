"""The platform registry: one package per platform, one lookup for every stage.

Adding a vendor is one package here (``<name>/__init__.py`` declaring its ``PLATFORM``) and one
line below, its ``templates/<name>/``, its spec entries and its fixtures (docs/architecture.md).
Stages ask :func:`get_platform` what a platform declares; they never compare with its name.

>>> get_platform("h3c_comware").os_family
'comware7'
>>> sorted(PLATFORMS)[:3]
['appliance', 'frr', 'h3c_comware']
"""

from __future__ import annotations

from govnet.platforms import (
    appliance,
    frr,
    h3c_comware,
    h3c_secpath,
    huawei_nip,
    huawei_usg,
    huawei_vrp,
    huawei_vrpv8,
    linux,
    nftables,
)
from govnet.platforms.base import Platform, PlatformError

PLATFORMS: dict[str, Platform] = {
    m.PLATFORM.name: m.PLATFORM
    for m in (
        huawei_vrp,
        huawei_vrpv8,
        huawei_usg,
        huawei_nip,
        h3c_comware,
        h3c_secpath,
        frr,
        nftables,
        linux,
        appliance,
    )
}
"""Every platform govnet knows, by name."""


def get_platform(name: str) -> Platform:
    """The platform called ``name``; :class:`PlatformError` naming the known ones otherwise."""
    try:
        return PLATFORMS[name]
    except KeyError:
        known = ", ".join(sorted(PLATFORMS))
        raise PlatformError(f"unknown platform {name!r} (known: {known})") from None


__all__ = ["PLATFORMS", "Platform", "PlatformError", "get_platform"]
