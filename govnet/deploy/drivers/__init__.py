"""Platform drivers: one module per change model; ``Platform.driver`` names the class.

>>> from govnet.platforms import get_platform
>>> get_platform("frr").driver
'frr:FrrDriver'
"""

from __future__ import annotations

from importlib import import_module

from govnet.deploy.driver import DeployError, DeviceDriver
from govnet.platforms import get_platform


def driver_class(platform: str) -> type[DeviceDriver]:
    """The driver class for ``platform`` (``module:Class`` from its registry entry).

    >>> driver_class("huawei_vrpv8").__name__
    'Vrp8Driver'
    """
    spec = get_platform(platform).driver
    if spec is None:
        raise DeployError(f"platform {platform} has no deploy driver: govnet does not push to it")
    module_name, _, class_name = spec.partition(":")
    module = import_module(f"govnet.deploy.drivers.{module_name}")
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, DeviceDriver)):
        raise DeployError(f"platform {platform}: driver {spec!r} is no DeviceDriver class")
    return cls
