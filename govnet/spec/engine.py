"""Run the platform spec: intent rules on the model, config rules per device, cross rules per link."""

from __future__ import annotations

import dataclasses
import gc
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from govnet.model import Device, Link, Network
from govnet.spec.configtree import ConfigParseError, ConfigTree
from govnet.spec.rules import ANY, Rule, RuleSet, load_rules
from govnet.spec.trace import trace

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


@dataclass(frozen=True, slots=True)
class IntendedConfig:
    """A device's intended config text, the platform it is written for, and its path for reports."""

    device: str
    platform: str
    text: str
    path: str
    template: str | None = None  # the role template that rendered it, when known


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
        name: IntendedConfig(r.device, r.platform, r.text, f"{out_dir}/{r.device}.cfg", _display(r.template))
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
    _links_by_device: dict[str, list[Link]] | None = None

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
        return device.lab_platform if self.lab else device.platform

    def renders(self, device: Device) -> bool:
        spec = self.network.platforms.get(self.platform_of(device))
        return bool(spec and spec.renders)

    def tree(self, device: str) -> ConfigTree | None:
        """The parsed config of ``device`` (None when absent, unparseable or without a driver)."""
        if device in self.trees:
            return self.trees[device]
        config = self.configs.get(device)
        if config is None or device in self.parse_errors:
            return None
        driver = self.spec.drivers.get(config.platform)
        if driver is None:
            return None
        try:
            self.trees[device] = ConfigTree(config.text, driver)
        except ConfigParseError as exc:
            self.parse_errors[device] = str(exc)
            return None
        return self.trees[device]

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

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def status_count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed_rule_ids(self) -> set[str]:
        return {f.rule_id for f in self.findings}

    @property
    def exit_code(self) -> int:
        return 1 if self.count("error") else 0


def _in_scope(rule: Rule, network: Network) -> list[Device]:
    return [d for d in network.devices.values() if rule.applies_to_role(d.role)]


def _not_applicable_reason(rule: Rule, ctx: CheckContext, device: Device) -> str | None:
    platform = ctx.platform_of(device)
    if platform in rule.not_applicable:
        return f"{platform}: {rule.not_applicable[platform]}"
    if not ctx.renders(device):
        return f"platform {platform} renders no config to check"
    if platform not in rule.platforms and ANY not in rule.platforms:
        return f"rule has no check for platform {platform}"
    if platform not in ctx.spec.drivers:
        return f"no {platform} driver in the spec"
    if device.name not in ctx.configs:
        return "no intended config (see GN-CFG-100)"
    if ctx.tree(device.name) is None:
        return "config does not parse (see GN-CFG-100)"
    if rule.check == "lines" and platform not in rule.match:
        return f"rule has no {platform} patterns"
    return None


def _config_present(rule: Rule, ctx: CheckContext, device: Device) -> RuleResult:
    reason = _not_applicable_reason(rule, ctx, device)
    missing = device.name not in ctx.configs
    if missing and reason is not None and reason.startswith("no intended config"):
        where = Location.parse(device.source)
        msg = f"no intended config for {device.name} ({ctx.platform_of(device)})"
        return RuleResult(rule.id, device.name, "fail", (ctx.finding(rule, device.name, where, msg),))
    if device.name in ctx.parse_errors:
        where = ctx.config_location(device.name)
        msg = ctx.parse_errors[device.name]
        return RuleResult(rule.id, device.name, "fail", (ctx.finding(rule, device.name, where, msg),))
    if reason is not None:
        return RuleResult(rule.id, device.name, "not_applicable", reason=reason)
    return RuleResult(rule.id, device.name, "pass")


def _device_results(rule: Rule, ctx: CheckContext, check: DeviceCheck) -> list[RuleResult]:
    results: list[RuleResult] = []
    for device in _in_scope(rule, ctx.network):
        reason = _not_applicable_reason(rule, ctx, device)
        tree = ctx.tree(device.name)
        if reason is not None or tree is None:
            results.append(RuleResult(rule.id, device.name, "not_applicable", reason=reason or ""))
            continue
        found = check(rule, ctx, device, tree)
        results.append(RuleResult(rule.id, device.name, "fail" if found else "pass", tuple(found)))
    return results


def _cross_results(rule: Rule, ctx: CheckContext, check: NetworkCheck) -> list[RuleResult]:
    found = check(rule, ctx)
    by_device: dict[str, list[Finding]] = {}
    for f in found:
        by_device.setdefault(f.device, []).append(f)
    results: list[RuleResult] = []
    for device in _in_scope(rule, ctx.network):
        reason = _not_applicable_reason(rule, ctx, device)
        mine = tuple(by_device.pop(device.name, []))
        if mine:
            results.append(RuleResult(rule.id, device.name, "fail", mine))
        elif reason is not None:
            results.append(RuleResult(rule.id, device.name, "not_applicable", reason=reason))
        else:
            results.append(RuleResult(rule.id, device.name, "pass"))
    for device_name, rest in by_device.items():
        results.append(RuleResult(rule.id, device_name, "fail", tuple(rest)))
    return results


def _run_rule(rule: Rule, ctx: CheckContext) -> list[RuleResult]:
    from govnet.spec import config_rules, cross, intent

    if rule.kind == "intent":
        found = intent.CHECKS[rule.check](rule, ctx)
        status: Status = "fail" if found else "pass"
        return [RuleResult(rule.id, ctx.network.settings.name, status, tuple(found))]
    if rule.kind == "cross":
        return _cross_results(rule, ctx, cross.CHECKS[rule.check])
    if rule.check == "config_present":
        return [_config_present(rule, ctx, d) for d in _in_scope(rule, ctx.network)]
    return _device_results(rule, ctx, config_rules.CHECKS[rule.check])


def known_checks() -> dict[str, set[str]]:
    """Check names the engine implements, per rule kind."""
    from govnet.spec import config_rules, cross, intent

    return {
        "intent": set(intent.CHECKS),
        "config": {*config_rules.CHECKS, "config_present"},
        "cross": set(cross.CHECKS),
    }


def run_checks(
    network: Network,
    configs: Mapping[str, IntendedConfig],
    rule_ids: Iterable[str] | None = None,
    *,
    spec: RuleSet | None = None,
    lab: bool = False,
) -> CheckReport:
    """Check ``network`` and its intended ``configs`` (device -> config) against the spec."""
    started = time.perf_counter()
    spec = spec or load_rules()
    rules = spec.select(list(rule_ids) if rule_ids is not None else None)
    implemented = known_checks()
    for rule in rules:
        if rule.check not in implemented[rule.kind]:
            from govnet.spec.rules import SpecError

            raise SpecError(f"{rule.id}: the engine has no {rule.kind} check {rule.check!r}")
    ctx = CheckContext(network, spec, configs, lab=lab)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the parsed trees are long-lived and acyclic-heavy: collection passes only cost time
    try:
        results = [_traced(result, configs) for rule in rules for result in _run_rule(rule, ctx)]
    finally:
        if gc_was_enabled:
            gc.enable()
    return CheckReport(
        network=network.settings.name,
        rules=rules,
        results=results,
        devices_checked=len(configs),
        seconds=time.perf_counter() - started,
    )


def _traced(result: RuleResult, configs: Mapping[str, IntendedConfig]) -> RuleResult:
    """Point config findings at the template line that rendered the offending config line."""
    if not result.findings:
        return result
    return dataclasses.replace(
        result, findings=tuple(_trace(f, configs.get(f.device)) for f in result.findings)
    )


def _trace(finding: Finding, config: IntendedConfig | None) -> Finding:
    if config is None or config.template is None or finding.location.path != config.path:
        return finding
    lines = config.text.splitlines()
    line = finding.location.line
    if line <= 1 or line > len(lines):  # line 1: a missing line, nothing rendered it
        return finding
    found = trace(config.template, lines[line - 1])
    if found is None:
        return finding
    return dataclasses.replace(finding, location=Location(*found), config_location=finding.location)


def read_configs(directory: Path, network: Network, *, lab: bool = False) -> dict[str, IntendedConfig]:
    """``<directory>/<device>.cfg`` for every device that has one (platform from the model)."""
    configs: dict[str, IntendedConfig] = {}
    for device in network.devices.values():
        path = directory / f"{device.name}.cfg"
        if path.is_file():
            platform = device.lab_platform if lab else device.platform
            configs[device.name] = IntendedConfig(
                device.name, platform, path.read_text(encoding="utf-8"), _display(path)
            )
    return configs


def _display(path: Path) -> str:
    """A relative path for reports (relative to the working directory when inside it)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()
