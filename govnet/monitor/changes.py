"""One log line per state change of a device (answers / does not answer) or a redundancy group
(healthy, degraded, down, unknown, split brain), from one cycle to the next."""

from __future__ import annotations

from dataclasses import dataclass, field

from govnet.monitor.health import GroupHealth
from govnet.monitor.snapshot import Snapshot


@dataclass(slots=True)
class ChangeLog:
    """Remembers the last cycle's states; :meth:`changes` returns what changed since."""

    devices: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)

    def changes(self, snap: Snapshot, groups: list[GroupHealth]) -> list[str]:
        """Lines for every device and group whose state differs from the previous cycle (the
        first cycle reports only what is not fine)."""
        lines: list[str] = []
        for name, dev in sorted(snap.devices.items()):
            state = "up" if dev.up else f"unreachable ({dev.error})"
            before = self.devices.get(name)
            if state != before and (before is not None or not dev.up):
                why = f": {dev.reason}" if dev.reason and not dev.up else ""
                lines.append(f"device {name}: {before or 'new'} -> {state}{why}")
            self.devices[name] = state
        for health in groups:
            name = health.group.name
            before = self.groups.get(name)
            if health.state != before and (before is not None or health.state != "healthy"):
                why = f": {health.reason}" if health.reason else ""
                lines.append(
                    f"group {name}: {before or 'new'} -> {health.state} "
                    f"({health.healthy}/{health.expected} healthy){why}"
                )
            self.groups[name] = health.state
        return lines
