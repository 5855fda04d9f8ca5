"""What checks share: locations, findings, per-device results, the check context and the report."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal, Protocol

from govnet.check.configtree import ConfigParseError, ConfigTree
from govnet.check.facts import ConfigFacts
from govnet.check.pickling import by_position
from govnet.check.rules import Rule, RuleSet
from govnet.model import Device, Link, Network
from govnet.platforms import PLATFORMS

Status = Literal["pass", "fail", "not_applicable"]
DEFAULT_CONFIG_DIR = "build/intended"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding points: a repo-relative file and a 1-based line."""

    path: str
    line: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"

    @classmethod
    def parse(cls, source: str) -> Location:
        """From a model ``source`` such as ``inventory/districts/kaifu.yaml:11``."""
        path, _, line = source.rpartition(":")
        if not path or not line.isdigit():
            return cls(source or "inventory", 1)
        return cls(path, max(1, int(line)))


@dataclass(frozen=True, slots=True)
class Finding:
    """One violation: which rule, on which device, where, what is wrong and how to fix it."""

    rule_id: str
    severity: str
    device: str
    location: Location
    message: str
    hint: str
    config_location: Location | None = None  # the rendered config line, when location is its template


@dataclass(frozen=True, slots=True)
class RuleResult:
    """The outcome of one rule on one device (intent rules: on the whole network)."""

    rule_id: str
    device: str
    status: Status
    findings: tuple[Finding, ...] = ()
    reason: str = ""


@by_position
@dataclass(frozen=True, slots=True)
class IntendedConfig:
    """A device's intended config text, the platform it is written for, and its path for reports."""

    device: str
    platform: str
    text: str
    path: str
    template: str | None = None  # the role template that rendered it, when known
    error: str | None = None  # why the file could not be read (a GN-CFG-100 finding on the device)


class _Rendered(Protocol):
    @property
    def device(self) -> str: ...
    @property
    def platform(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def template(self) -> Path: ...


def intended_from_rendered(
    rendered: Mapping[str, _Rendered], out_dir: str = DEFAULT_CONFIG_DIR
) -> dict[str, IntendedConfig]:
    """Wrap ``render_network`` output; locations point at ``<out_dir>/<device>.cfg`` and its template."""
    return {
        name: IntendedConfig(
            r.device, r.platform, r.text, f"{out_dir}/{r.device}.cfg", display_path(r.template)
        )
        for name, r in rendered.items()
    }


@dataclass
class CheckContext:
    """What every check sees: the model, the spec, the configs and their parsed trees."""

    network: Network
    spec: RuleSet
    configs: Mapping[str, IntendedConfig]
    lab: bool = False
    trees: dict[str, ConfigTree] = field(default_factory=dict)
    parse_errors: dict[str, str] = field(default_factory=dict)
    defaults: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    """(rule, device) -> the platform defaults a passing check relied on (the pass reason)."""
    memo: dict[object, object] = field(default_factory=dict)
    """What rules compute once per run and share (e.g. the link pairs of a rule scope)."""
    facts: dict[str, ConfigFacts | None] = field(default_factory=dict)
    """Device -> the facts cross rules compare (None: no parsed config); a process pool fills it."""
    _links_by_device: dict[str, list[Link]] | None = None
    _loopback_owners: dict[str, str] | None = None

    def loopback_owner(self, address: str) -> str | None:
        """The device whose loopback is ``address`` (indexed once per run)."""
        if self._loopback_owners is None:
            self._loopback_owners = {
                str(d.loopback.ip): d.name for d in self.network.devices.values() if d.loopback is not None
            }
        return self._loopback_owners.get(address)

    def links_of(self, device: str) -> list[Link]:
        """Links with ``device`` at either end (indexed once: Network.links_of scans every link)."""
        if self._links_by_device is None:
            index: dict[str, list[Link]] = {}
            for link in self.network.links:
                index.setdefault(link.a, []).append(link)
                if link.b != link.a:
                    index.setdefault(link.b, []).append(link)
            self._links_by_device = index
        return self._links_by_device.get(device, [])

    def platform_of(self, device: Device) -> str:
        """The platform the device's config is written for."""
        config = self.configs.get(device.name)
        if config is not None:
            return config.platform
        return device.platform_for(lab=self.lab)

    def renders(self, device: Device) -> bool:
        platform = PLATFORMS.get(self.platform_of(device))
        return bool(platform and platform.renders)

    def tree(self, device: str) -> ConfigTree | None:
        """The parsed config of ``device`` (None when absent, unparseable or without a reader)."""
        if device in self.trees:
            return self.trees[device]
        config = self.configs.get(device)
        if config is None or device in self.parse_errors:
            return None
        if config.error is not None:
            self.parse_errors[device] = config.error
            return None
        reader = self.spec.readers.get(config.platform)
        if reader is None:
            return None
        try:
            self.trees[device] = ConfigTree(config.text, reader)
        except ConfigParseError as exc:
            self.parse_errors[device] = str(exc)
            return None
        return self.trees[device]

    def parses(self, device: str) -> bool:
        """Whether ``device`` has a parsed config (known from its facts when a pool parsed it)."""
        if device in self.facts:
            return self.facts[device] is not None
        return self.tree(device) is not None

    def config_facts(self, device: str) -> ConfigFacts | None:
        """The facts cross rules compare for ``device`` (None without a parsed config)."""
        if device not in self.facts:
            tree = self.tree(device)
            self.facts[device] = ConfigFacts.of(tree) if tree is not None else None
        return self.facts[device]

    def config_location(self, device: str, line: int = 1) -> Location:
        config = self.configs.get(device)
        if config is None:
            return Location.parse(self.network.devices[device].source)
        return Location(config.path, max(1, line))

    def finding(self, rule: Rule, device: str, location: Location, message: str) -> Finding:
        return Finding(rule.id, rule.severity, device, location, message, rule.hint)


NetworkCheck = Callable[[Rule, CheckContext], list[Finding]]
DeviceCheck = Callable[[Rule, CheckContext, Device, ConfigTree], list[Finding]]


@dataclass
class CheckReport:
    """Every rule result of one run; ``exit_code`` is 1 with any error-severity finding."""

    network: str
    rules: list[Rule]
    results: list[RuleResult]
    devices_checked: int = 0
    seconds: float = 0.0
    _tally: tuple[list[RuleResult], int, list[Finding], Counter[str]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    """(``results`` and its length when counted, its findings, its statuses): one pass for the
    summary, the report and the exit code, which all ask (a province has half a million)."""

    def _counted(self) -> tuple[list[Finding], Counter[str]]:
        tally = self._tally
        if tally is None or tally[0] is not self.results or tally[1] != len(self.results):
            found = [f for r in self.results for f in r.findings]
            statuses: Counter[str] = Counter(r.status for r in self.results)
            tally = self._tally = (self.results, len(self.results), found, statuses)
        return tally[2], tally[3]

    @property
    def findings(self) -> list[Finding]:
        return list(self._counted()[0])

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def status_count(self, status: Status) -> int:
        return self._counted()[1][status]

    @property
    def failed_rule_ids(self) -> set[str]:
        return {f.rule_id for f in self.findings}

    @property
    def exit_code(self) -> int:
        return 1 if self.count("error") else 0


def display_path(path: Path) -> str:
    """A relative path for reports (relative to the working directory when inside it)."""
    return _display_path(path, os.getcwd())


@lru_cache(maxsize=256)
def _display_path(path: Path, cwd: str) -> str:
    try:
        return path.resolve().relative_to(Path(cwd).resolve()).as_posix()
    except ValueError:
        return path.as_posix()
