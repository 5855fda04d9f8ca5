"""The scaffolding every driver test shares: EMULATED devices served over SSH, a driver logged in.

``driven`` is the usual fixture body (one device, one open driver, both gone however the test
ends); ``opened`` opens a second driver on a device already served (a fresh session after a
killed run, a driver with other extras) and closes it afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from govnet.deploy.driver import DriverTarget

from .devices import EmulatedDevice
from .server import driver_target, emulated_network


class Session(Protocol):
    """What the rig needs of a driver: a session it can open and close."""

    def open(self) -> None: ...

    def close(self) -> None: ...


DeviceT = TypeVar("DeviceT", bound=EmulatedDevice)
DriverT = TypeVar("DriverT", bound=Session)


@contextmanager
def opened(driver: DriverT) -> Iterator[DriverT]:
    """``driver`` with its session open; closed however the block ends."""
    driver.open()
    try:
        yield driver
    finally:
        driver.close()


@contextmanager
def driven(
    device: DeviceT, driver_cls: type[DriverT], name: str, platform: str, **extras: Any
) -> Iterator[tuple[DeviceT, DriverT]]:
    """``device`` served on its own emulated network, ``driver_cls`` logged in to it as inventory
    device ``name`` on ``platform`` (``extras`` go into the target's extras)."""
    with emulated_network() as net:
        net.add(device)
        target: DriverTarget = driver_target(device, name, platform, **extras)
        with opened(driver_cls(target)) as driver:  # type: ignore[call-arg]
            yield device, driver
