"""When each device's config was last backed up: the newest commit touching ``<device>.cfg`` in
the backup repository (the layout ``govnet backup`` writes), read with ``git log`` at most once
a minute, so ``govnet_config_backup_timestamp_seconds`` can drive the stale-backup alert."""

from __future__ import annotations

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
        text=True,
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
            times = commit_times(self.repo)
            self._times = {d: t for d, t in times.items() if d in self.devices}
            self._read_at = now
        return self._times
