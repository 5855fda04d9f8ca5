"""Run the platform spec: intent rules on the model, config rules per device, cross rules per link."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Mapping
from typing import cast

from govnet.check import commandref, config_rules, cross, intent, management
from govnet.check.configfiles import ConfigFolder
from govnet.check.context import (
    CheckContext,
    CheckReport,
    DeviceCheck,
    Finding,
    IntendedConfig,
    Location,
    NetworkCheck,
    RuleResult,
    Status,
)
from govnet.check.rules import ANY, Rule, RuleSet, load_rules
from govnet.check.trace import trace
from govnet.gcpause import paused_collection
from govnet.model import Device, Network


def _in_scope(rule: Rule, ctx: CheckContext) -> list[Device]:
    """The devices whose role the rule covers, in model order (one scan per set of roles a run's
    rules name, in ``ctx.memo``)."""
    key = ("scope", None if ANY in rule.roles else frozenset(rule.roles))
    if key not in ctx.memo:
        ctx.memo[key] = [d for d in ctx.network.devices.values() if rule.applies_to_role(d.role)]
    return cast(list[Device], ctx.memo[key])


def _not_applicable_reason(rule: Rule, ctx: CheckContext, device: Device) -> str | None:
    platform, renders, unreadable = _device_state(ctx, device)
    if platform in rule.not_applicable:
        return f"{platform}: {rule.not_applicable[platform]}"
    if not renders:
        return f"platform {platform} renders no config to check"
    if platform not in rule.platforms and ANY not in rule.platforms:
        return f"rule has no check for platform {platform}"
    if unreadable is not None:
        return unreadable
    if not ctx.parses(device.name):
        return "config does not parse (see GN-CFG-100)"
    if rule.check == "lines" and platform not in rule.match:
        return f"rule has no {platform} patterns"
    return None


def _device_state(ctx: CheckContext, device: Device) -> tuple[str, bool, str | None]:
    """The device's platform, whether it renders, and why it has no config to read (None: it
    has one); every rule asks, so worked out once per device (in ``ctx.memo``)."""
    key = ("device state", device.name)
    state = ctx.memo.get(key)
    if state is None:
        platform = ctx.platform_of(device)
        unreadable = None
        if platform not in ctx.spec.readers:
            unreadable = f"no {platform} reader in the spec"
        elif device.name not in ctx.configs:
            unreadable = "no intended config (see GN-CFG-100)"
        state = ctx.memo[key] = (platform, ctx.renders(device), unreadable)
    return cast(tuple[str, bool, str | None], state)


def _config_present(rule: Rule, ctx: CheckContext, device: Device) -> RuleResult:
    reason = _not_applicable_reason(rule, ctx, device)
    missing = device.name not in ctx.configs
    if missing and reason is not None and reason.startswith("no intended config"):
        where = Location.parse(device.source)
        msg = f"no intended config for {device.name} ({ctx.platform_of(device)})"
        if isinstance(ctx.configs, ConfigFolder):
            msg = (
                f"no config file for {device.name} ({ctx.platform_of(device)}) in {ctx.configs.directory}: "
                f"none is named {device.name}[.cfg|.txt] or has 'sysname {device.name}'"
            )
        return RuleResult(rule.id, device.name, "fail", (ctx.finding(rule, device.name, where, msg),))
    if device.name in ctx.parse_errors:
        where = ctx.config_location(device.name)
        msg = ctx.parse_errors[device.name]
        return RuleResult(rule.id, device.name, "fail", (ctx.finding(rule, device.name, where, msg),))
    if reason is not None:
        return RuleResult(rule.id, device.name, "not_applicable", reason=reason)
    return RuleResult(rule.id, device.name, "pass")


def _config_files(rule: Rule, ctx: CheckContext) -> list[RuleResult]:
    """Every file of a ``--configs`` folder was checked as some device's config.

    One result per device in scope (``pass`` when its file was found) plus a failed result per
    file that no device took, named after the file.
    """
    folder = ctx.configs if isinstance(ctx.configs, ConfigFolder) else None
    results: list[RuleResult] = []
    for device in _in_scope(rule, ctx):
        if folder is None:
            results.append(
                RuleResult(rule.id, device.name, "not_applicable", reason="configs not read from a folder")
            )
        elif device.name in folder:
            results.append(RuleResult(rule.id, device.name, "pass"))
        else:
            reason = (
                "no file for this device (see GN-CFG-100)" if ctx.renders(device) else "renders no config"
            )
            results.append(RuleResult(rule.id, device.name, "not_applicable", reason=reason))
    for stray in folder.strays if folder is not None else ():
        name = stray.path.rsplit("/", 1)[-1]
        message = f"{stray.path} was not checked: {stray.reason}"
        finding = ctx.finding(rule, name, Location(stray.path, 1), message)
        results.append(RuleResult(rule.id, name, "fail", (finding,)))
    return results


Verdict = tuple[Status, tuple[Finding, ...], str]
"""A per-device rule's status, findings and reason on one device (a result without its keys)."""


def _device_verdict(rule: Rule, ctx: CheckContext, check: DeviceCheck, device: Device) -> Verdict:
    reason = _not_applicable_reason(rule, ctx, device)
    tree = ctx.tree(device.name)
    if reason is not None or tree is None:
        return "not_applicable", (), reason or ""
    found = check(rule, ctx, device, tree)
    if found:
        return "fail", tuple(found), ""
    defaults = ctx.defaults.get((rule.id, device.name))
    return "pass", (), ("default: " + "; ".join(defaults)) if defaults else ""


def device_verdict(rule: Rule, ctx: CheckContext, device: Device) -> Verdict:
    """What per-device ``rule`` (a config rule other than ``config_files``) finds on ``device``."""
    if rule.check == "config_present":
        result = _config_present(rule, ctx, device)
        return result.status, result.findings, result.reason
    return _device_verdict(rule, ctx, DEVICE_CHECKS[rule.check], device)


def device_result(rule: Rule, ctx: CheckContext, device: Device) -> RuleResult:
    """The result of per-device ``rule`` (a config rule other than ``config_files``) on ``device``."""
    return RuleResult(rule.id, device.name, *device_verdict(rule, ctx, device))


def is_device_rule(rule: Rule) -> bool:
    """Whether ``rule`` is judged on each device alone (so a worker process can run it)."""
    return rule.kind == "config" and rule.check != "config_files"


def _cross_results(rule: Rule, ctx: CheckContext, check: NetworkCheck) -> list[RuleResult]:
    found = check(rule, ctx)
    by_device: dict[str, list[Finding]] = {}
    for f in found:
        by_device.setdefault(f.device, []).append(f)
    results: list[RuleResult] = []
    for device in _in_scope(rule, ctx):
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


DEVICE_CHECKS = {**config_rules.CHECKS, **commandref.CHECKS, **management.CHECKS}
"""Per-device config checks: the rule families of config_rules, the command reference and the
management path."""


PerDevice = Callable[[Rule, list[Device]], list[RuleResult]]
"""The results of a per-device rule on the devices in its scope, judged and traced elsewhere (a
pool's workers)."""


def _run_rule(rule: Rule, ctx: CheckContext) -> list[RuleResult]:
    if rule.kind == "intent":
        found = intent.CHECKS[rule.check](rule, ctx)
        status: Status = "fail" if found else "pass"
        return [RuleResult(rule.id, ctx.network.settings.name, status, tuple(found))]
    if rule.kind == "cross":
        return _cross_results(rule, ctx, cross.CHECKS[rule.check])
    if rule.check == "config_files":
        return _config_files(rule, ctx)
    return [device_result(rule, ctx, d) for d in _in_scope(rule, ctx)]


def known_checks() -> dict[str, set[str]]:
    """Check names the engine implements, per rule kind."""
    return {
        "intent": set(intent.CHECKS),
        "config": {*DEVICE_CHECKS, "config_present", "config_files"},
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
    rules = selected_rules(spec, rule_ids)
    return judge(CheckContext(network, spec, configs, lab=lab), rules, started=started)


def selected_rules(spec: RuleSet, rule_ids: Iterable[str] | None) -> list[Rule]:
    """The rules to run (all without ``rule_ids``), each one the engine implements."""
    rules = spec.select(list(rule_ids) if rule_ids is not None else None)
    implemented = known_checks()
    for rule in rules:
        if rule.check not in implemented[rule.kind]:
            from govnet.check.rules import SpecError

            raise SpecError(f"{rule.id}: the engine has no {rule.kind} check {rule.check!r}")
    return rules


def judge(
    ctx: CheckContext, rules: list[Rule], per_device: PerDevice | None = None, *, started: float | None = None
) -> CheckReport:
    """Run ``rules`` in order; per-device results come from ``per_device`` when given."""
    started = time.perf_counter() if started is None else started
    results: list[RuleResult] = []
    with paused_collection():  # the parsed trees are long-lived and acyclic-heavy
        for rule in rules:
            if per_device is not None and is_device_rule(rule):
                results += per_device(rule, _in_scope(rule, ctx))
            else:
                results += [traced(result, ctx.configs) for result in _run_rule(rule, ctx)]
    return CheckReport(
        network=ctx.network.settings.name,
        rules=rules,
        results=results,
        devices_checked=len(ctx.configs),
        seconds=time.perf_counter() - started,
    )


def traced(result: RuleResult, configs: Mapping[str, IntendedConfig]) -> RuleResult:
    """Point config findings at the template line that rendered the offending config line."""
    if not result.findings:
        return result
    return dataclasses.replace(result, findings=traced_findings(result.findings, configs))


def traced_findings(
    findings: tuple[Finding, ...], configs: Mapping[str, IntendedConfig]
) -> tuple[Finding, ...]:
    """``findings``, each pointed at the template line that rendered its config line."""
    return tuple(_trace(f, configs.get(f.device)) for f in findings)


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
