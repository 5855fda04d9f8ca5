"""When each device's config was last backed up: the newest of the commit touching
``<device>.cfg`` in the backup repository (the layout ``govnet backup`` writes) and the run that
last read it unchanged (``.govnet/last-read.json``, which every backup run updates, since a run
commits only what changed), read at most once a minute, so
``govnet_config_backup_timestamp_seconds`` can drive the stale-backup alert."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from govnet.inventory.schema import NetworkFile
from govnet.inventory.sourcefiles import parse
from govnet.model import Network

REFRESH_S = 60.0
SUFFIX = ".cfg"


def commit_times(repo: Path) -> dict[str, float]:
    """Device -> Unix time of the newest commit that changed ``<device>.cfg`` ({} when ``repo``
    is not a git repository or has no commits)."""
    proc = subprocess.run(
        ["git", "-C", str(repo), "log", "--format=@%ct", "--name-only", "--no-renames", "--", f"*{SUFFIX}"],
        capture_output=True,
        encoding="utf-8",  # git prints paths and messages as UTF-8 whatever the locale
        errors="replace",
        check=False,
        timeout=60,
    )
    if proc.returncode != 0:
        return {}
    times: dict[str, float] = {}
    when = 0.0
    for line in proc.stdout.splitlines():
        if line.startswith("@"):
            when = float(line[1:])
        elif line.endswith(SUFFIX) and "/" not in line:
            times.setdefault(line[: -len(SUFFIX)], when)  # newest first: keep the first seen
    return times


LAST_READ = Path(".govnet") / "last-read.json"
"""Written by ``govnet backup`` on every run (device -> Unix time of its last successful read)."""


def read_times(repo: Path) -> dict[str, float]:
    """Device -> when a backup run last read and stored its config ({} without the record)."""
    try:
        data = json.loads((repo / LAST_READ).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, int | float)}


def backup_times(repo: Path) -> dict[str, float]:
    """Device -> the newer of its last backup commit and its last unchanged read.

    >>> backup_times(Path("/nonexistent"))
    {}
    """
    times = commit_times(repo)
    for device, when in read_times(repo).items():
        if device in times:
            times[device] = max(times[device], when)
    return times


def backup_repo_of(network: Network) -> Path | None:
    """The inventory's ``backup_repo`` setting (relative to the inventory directory), if any."""
    inventory = Path(network.source_dir)
    path = next((p for p in (inventory / "network.yaml", inventory / "network.yml") if p.is_file()), None)
    setting = parse(path, NetworkFile)[0].backup_repo if path is not None else None
    if not setting:
        return None
    return Path(setting) if Path(setting).is_absolute() else inventory / setting


@dataclass(slots=True)
class BackupTimes:
    """Cached :func:`commit_times` of one repository, for the devices of the plan."""

    repo: Path
    devices: frozenset[str]
    _times: dict[str, float] = field(default_factory=dict)
    _read_at: float = float("-inf")

    def __call__(self) -> dict[str, float]:
        now = time.monotonic()
        if now - self._read_at >= REFRESH_S:
            times = backup_times(self.repo)
            self._times = {d: t for d, t in times.items() if d in self.devices}
            self._read_at = now
        return self._times
