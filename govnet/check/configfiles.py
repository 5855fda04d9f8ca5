"""A folder of device configs (backups, captures, renders) matched to the inventory's devices.

A file belongs to a device by its name (``kf-core-1.cfg``, ``kf-core-1.txt``, ``kf-core-1``),
else by the ``sysname`` (Huawei, H3C) or ``hostname`` (FRR) it contains. Files that match no
device, second files for a device and files that cannot be read are kept as data for the report;
an unreadable file is a finding on its device, never the end of the run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from govnet.check.context import IntendedConfig, display_path
from govnet.model import Device, Network
from govnet.platforms import PLATFORMS
from govnet.platforms.printed import UnreadableConfig, decode

_NAME_IN_CONFIG = re.compile(r"^[ \t]*(?:sysname|hostname)[ \t]+(?P<name>\S+)[ \t]*\r?$", re.MULTILINE)
_SKIPPED_SUFFIXES = (".md", ".json", ".yaml", ".yml", ".sha256", ".sig", ".gz", ".zip")


@dataclass(frozen=True, slots=True)
class StrayFile:
    """A file of the folder that was not checked, and why."""

    path: str
    reason: str


class ConfigFolder(dict[str, IntendedConfig]):
    """Device name -> config read from a folder, plus the files no device took (``strays``)."""

    def __init__(self, directory: str) -> None:
        super().__init__()
        self.directory = directory
        self.strays: list[StrayFile] = []


def _candidates(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.iterdir()
        if p.is_file() and not p.name.startswith(".") and not p.name.endswith(_SKIPPED_SUFFIXES)
    )


def _device_by_file_name(path: Path, network: Network) -> Device | None:
    for name in (path.name, path.stem):
        if name in network.devices:
            return network.devices[name]
    return None


def _named_inside(text: str) -> str | None:
    found = _NAME_IN_CONFIG.search(text)
    return found["name"] if found else None


def read_configs(directory: Path, network: Network, *, lab: bool = False) -> ConfigFolder:
    """The configs in ``directory`` for the devices of ``network`` (platform from the model).

    Matching by file name comes first, so a file named after a device wins over another file
    whose ``sysname`` names it; the loser is listed in ``strays``.
    """
    folder = ConfigFolder(display_path(directory))
    later: list[tuple[Path, str | None, str]] = []  # files to match by the name inside
    for path in _candidates(directory):
        shown = display_path(path)
        device = _device_by_file_name(path, network)
        try:
            text, _encoding = decode(path.read_bytes())
            error = None
        except (OSError, UnreadableConfig) as exc:
            text, error = "", f"cannot read {shown}: {getattr(exc, 'strerror', None) or exc}"
        if device is None:
            later.append((path, error, text))
            continue
        _add(folder, network.devices[device.name], shown, text, error, lab)
    for path, error, text in later:
        shown = display_path(path)
        name = _named_inside(text) if error is None else None
        if error is not None:
            folder.strays.append(StrayFile(shown, f"{error}; its name matches no inventory device"))
        elif name is None:
            folder.strays.append(
                StrayFile(shown, "matches no inventory device by file name and has no sysname/hostname")
            )
        elif name not in network.devices:
            folder.strays.append(StrayFile(shown, f"sysname/hostname {name} is not an inventory device"))
        else:
            _add(folder, network.devices[name], shown, text, None, lab)
    return folder


def family_mismatch(text: str, platform: str) -> str | None:
    """Why ``text`` cannot be a ``platform`` config (another OS family's markers, as each
platform declares them: ``Platform.family_marker``), else None.

    >>> print(family_mismatch("#\\n version 7.1.070, Release 7585P05\\n#\\n", "huawei_vrp"))
    the file is an H3C Comware 7 config (it prints 'version 7.1'), but the inventory says huawei_vrp (vrp5)
    >>> family_mismatch("#\\n version 7.1.070\\n", "h3c_comware") is None
    True
    """
    known = PLATFORMS.get(platform)
    if known is None:
        return None
    for other in PLATFORMS.values():
        marker = other.family_marker
        if marker is None or other.os_family == known.os_family:
            continue
        found = marker.pattern.search(text)
        if found is not None:
            shown = found.group(0).strip()
            return (
                f"the file is {marker.label} config (it prints '{shown}'), but the inventory says {platform} "
                f"({known.os_family})"
            )
    return None


def _add(folder: ConfigFolder, device: Device, shown: str, text: str, error: str | None, lab: bool) -> None:
    if device.name in folder:
        first = folder[device.name].path
        folder.strays.append(StrayFile(shown, f"a second config for {device.name} (checked: {first})"))
        return
    platform = device.platform_for(lab=lab)
    if error is None:
        mismatch = family_mismatch(text, platform)
        if mismatch is not None:
            error = f"{shown}: {mismatch}; fix the device's platform in the inventory or check the right file"
    folder[device.name] = IntendedConfig(device.name, platform, text, shown, error=error)
