"""Platform drivers: one module per change model; ``Platform.driver`` names the class.

>>> from govnet.platforms import get_platform
>>> get_platform("frr").driver
'frr:FrrDriver'
"""

from __future__ import annotations

from importlib import import_module

from govnet.deploy.driver import DeployError
from govnet.platforms import get_platform


def driver_class(platform: str) -> type:
    """The driver class for ``platform`` (``module:Class`` from its registry entry)."""
    spec = get_platform(platform).driver
    if spec is None:
        raise DeployError(f"platform {platform} has no deploy driver: govnet does not push to it")
    module_name, _, class_name = spec.partition(":")
    module = import_module(f"govnet.deploy.drivers.{module_name}")
    cls: type = getattr(module, class_name)
    return cls
