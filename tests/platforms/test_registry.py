"""The platform registry: every platform's facts are real names the libraries know."""

from __future__ import annotations

import pytest
from netmiko.ssh_dispatcher import CLASS_MAPPER
from netutils.lib_mapper import NETMIKO_LIB_MAPPER_REVERSE

from govnet.platforms import PLATFORMS, PlatformError, get_platform
from govnet.render import default_templates_dir


@pytest.mark.parametrize("name", sorted(PLATFORMS))
def test_netmiko_name_is_a_netmiko_device_type(name: str) -> None:
    platform = get_platform(name)
    if platform.netmiko is None:
        assert not platform.renders or platform.lab, name
        return
    assert platform.netmiko in CLASS_MAPPER, f"{name}: {platform.netmiko} is not a Netmiko device type"
    assert platform.netmiko in NETMIKO_LIB_MAPPER_REVERSE


@pytest.mark.parametrize("name", sorted(n for n, p in PLATFORMS.items() if p.renders))
def test_rendering_platforms_have_templates(name: str) -> None:
    folder = default_templates_dir() / get_platform(name).template_dir
    assert folder.is_dir(), folder
    assert list(folder.glob("*.j2")), folder


def test_unknown_platform_names_the_known_ones() -> None:
    with pytest.raises(PlatformError, match=r"unknown platform 'junos' \(known: .*huawei_vrp"):
        get_platform("junos")


def test_vendor_oids_are_numeric() -> None:
    for platform in PLATFORMS.values():
        for name, oid in platform.vendor_oids.items():
            assert all(part.isdigit() for part in oid.split(".")), (platform.name, name, oid)


def test_management_port_per_role() -> None:
    vrp = get_platform("huawei_vrp")
    assert vrp.mgmt_port("core") == "MEth0/0/1"
    assert vrp.mgmt_port("access") == "GigabitEthernet0/0/0"
    assert get_platform("h3c_comware").mgmt_port("aggregation") == "M-GigabitEthernet0/0/0"
