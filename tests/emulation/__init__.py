"""EMULATED Huawei VRP8/VRP5/USG/NIP and H3C Comware 7 / SecPath devices for driver tests (not real gear).

Small stateful SSH servers (asyncssh) built from vendor documentation: prompts, Y/N dialogs,
candidate vs running, trial/delay timers and their expiry, and the vendors' error texts for
rejected lines. The same driver code runs against them and against real devices; see
docs/drivers.md for what is and is not emulated.
"""

from .config import COMWARE, NIP, SECPATH, VRP, ConfigTree, Rejected
from .devices import (
    ComwareDevice,
    EmulatedDevice,
    NipDevice,
    SecPathDevice,
    UsgDevice,
    Vrp5Device,
    Vrp8Device,
)
from .killed import commit_then_die
from .rig import driven, opened
from .server import PASSWORD, USERNAME, EmulatedNetwork, driver_target, emulated_network, flash_dir

__all__ = [
    "COMWARE",
    "NIP",
    "PASSWORD",
    "SECPATH",
    "USERNAME",
    "VRP",
    "ComwareDevice",
    "ConfigTree",
    "EmulatedDevice",
    "EmulatedNetwork",
    "NipDevice",
    "Rejected",
    "SecPathDevice",
    "UsgDevice",
    "Vrp5Device",
    "Vrp8Device",
    "commit_then_die",
    "driven",
    "driver_target",
    "emulated_network",
    "flash_dir",
    "opened",
]
