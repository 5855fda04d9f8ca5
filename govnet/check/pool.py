"""Check a network across a process pool: both cores render, parse and judge per-device rules.

Each worker takes a chunk of devices (in name order) and, per device, renders its config (or
takes it from a ``--configs`` folder), parses it once, runs every per-device rule on it and
reads the compact facts cross rules compare (:class:`~govnet.check.facts.ConfigFacts`), then
drops the tree. The parent keeps only those outcomes, runs the intent and cross rules on them and
assembles the results in the serial engine's order, so the report is the one
:func:`~govnet.check.engine.run_checks` gives (``tests/check/test_pool.py`` holds them equal).
Workers are forked, so they share the loaded model instead of receiving it.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from govnet.check.configtree import ConfigTree
from govnet.check.context import CheckContext, CheckReport, IntendedConfig, RuleResult
from govnet.check.edge import TREE_PLATFORMS
from govnet.check.engine import (
    Verdict,
    device_verdict,
    is_device_rule,
    judge,
    selected_rules,
    traced_findings,
)
from govnet.check.facts import ConfigFacts
from govnet.check.pickling import by_position
from govnet.check.rules import Rule, RuleSet, load_rules
from govnet.gcpause import frozen, paused_collection
from govnet.model import Device, Network


@by_position
@dataclass(frozen=True, slots=True)
class DeviceOutcome:
    """What a worker hands back for one device: its config, facts, parse error and judged rules."""

    device: str
    config: IntendedConfig | None
    facts: ConfigFacts | None
    """None when the device has no parsed config (absent, unreadable or unparseable)."""
    parse_error: str | None
    results: dict[str, Verdict | None]
    """Rule id -> result (None: a plain pass), for every selected per-device rule whose scope holds
    the device."""
    tree: ConfigTree | None = None
    """The parsed config, for the platforms intent rules read (``edge.TREE_PLATFORMS``)."""
    render_failed: bool = False


@dataclass(frozen=True)
class _Job:
    """What every worker needs, set in the parent before the fork (shared, not pickled)."""

    network: Network
    spec: RuleSet
    rules: tuple[Rule, ...]
    lab: bool
    folder: Mapping[str, IntendedConfig] | None
    renderer: object | None  # govnet.render.Renderer when rendering
    indexed: CheckContext
    """A context whose network-wide lookups (links by device, loopback owners) are built."""
    by_role: dict[str, tuple[Rule, ...]] = field(default_factory=dict)

    def rules_for(self, role: str) -> tuple[Rule, ...]:
        """The per-device rules whose scope holds ``role``, in spec order (found once per role)."""
        found = self.by_role.get(role)
        if found is None:
            found = self.by_role[role] = tuple(r for r in self.rules if r.applies_to_role(role))
        return found

    def context(self, configs: Mapping[str, IntendedConfig]) -> CheckContext:
        """A check context over ``configs`` that shares the built lookups."""
        ctx = CheckContext(self.network, self.spec, configs, lab=self.lab)
        ctx._links_by_device = self.indexed._links_by_device
        ctx._loopback_owners = self.indexed._loopback_owners
        return ctx


_JOB: _Job | None = None
MIN_POOLED = 400
"""Devices to check below which the default runs in one process (forking costs more than it saves)."""


def default_workers() -> int:
    """The CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def link_interfaces(ctx: CheckContext, device: str) -> list[tuple[str, bool]]:
    """What cross rules read on ``device``: (interface, routed) for its link ends (routed) and
    their zone attachments."""
    names: dict[str, bool] = {}
    for link in ctx.links_of(device):
        if link.external:
            continue
        for end, interface in ((link.a, link.a_interface), (link.b, link.b_interface)):
            if end == device:
                names[interface] = True
                for att in link.attachments:
                    names.setdefault(f"{interface}.{att.vlan}", False)
    return list(names.items())


def _config_of(job: _Job, device: Device) -> tuple[IntendedConfig | None, bool]:
    """The device's config (rendered, or from the folder) and whether rendering failed."""
    if job.folder is not None:
        return job.folder.get(device.name), False
    from govnet.check.context import intended_from_rendered
    from govnet.render import Renderer, renders

    if not renders(job.network, device, lab=job.lab):
        return None, False
    assert isinstance(job.renderer, Renderer)
    try:
        rendered = job.renderer.render(device.name)
    except Exception:  # the parent renders it again and raises what the serial path raises
        return None, True
    return intended_from_rendered({device.name: rendered})[device.name], False


def check_chunk(names: Sequence[str]) -> list[DeviceOutcome]:
    """Render, parse and judge the per-device rules of ``names`` (in a worker, or in-process)."""
    job = _JOB
    assert job is not None, "check_chunk runs inside check_network"
    with paused_collection():
        return list(_outcomes(job, names))


def _outcomes(job: _Job, names: Sequence[str]) -> Iterator[DeviceOutcome]:
    configs: dict[str, IntendedConfig] = {}
    failed: set[str] = set()
    for name in names:
        config, render_failed = _config_of(job, job.network.devices[name])
        if config is not None:
            configs[name] = config
        if render_failed:
            failed.add(name)
    view: Mapping[str, IntendedConfig] = job.folder if job.folder is not None else configs
    ctx = job.context(view)
    for name in names:
        if name in failed:
            yield DeviceOutcome(name, None, None, None, {}, render_failed=True)
            continue
        device = job.network.devices[name]
        results: dict[str, Verdict | None] = {}
        for rule in job.rules_for(device.role):
            status, findings, reason = device_verdict(rule, ctx, device)
            if findings:
                results[rule.id] = (status, traced_findings(findings, view), reason)
            else:
                results[rule.id] = None if status == "pass" and not reason else (status, findings, reason)
        facts = ctx.config_facts(name)
        compact = facts.compact(link_interfaces(ctx, name)) if facts is not None else None
        config = view.get(name)
        tree = ctx.trees.get(name) if config is not None and config.platform in TREE_PLATFORMS else None
        yield DeviceOutcome(name, configs.get(name), compact, ctx.parse_errors.get(name), results, tree)
        ctx.trees.pop(name, None)
        ctx.facts.pop(name, None)


def _chunks(names: list[str], workers: int) -> list[list[str]]:
    """``names`` in order, in chunks that shrink towards the end (a quarter of each worker's share
    of what is left, 8 to 400 devices): the workers finish together instead of one waiting out
    the other's last large chunk.

    >>> [len(c) for c in _chunks([str(i) for i in range(200)], 2)]
    [25, 21, 19, 16, 14, 13, 11, 10, 8, 8, 8, 8, 8, 8, 8, 8, 7]
    """
    chunks, start = [], 0
    while start < len(names):
        size = max(8, min(400, (len(names) - start) // (workers * 4)))
        chunks.append(names[start : start + size])
        start += size
    return chunks


def _run(chunks: list[list[str]], workers: int) -> Iterable[list[DeviceOutcome]]:
    if workers <= 1 or len(chunks) <= 1:
        return [check_chunk(chunk) for chunk in chunks]
    # the model stays in the parent's pages: no collector pass dirties them in a worker
    fork = multiprocessing.get_context("fork")
    with frozen(), paused_collection(), fork.Pool(min(workers, len(chunks))) as pool:
        return list(pool.imap(check_chunk, chunks))  # outcomes are acyclic: no collection


def judge_devices(
    job: _Job, names: list[str], workers: int, cached: Mapping[str, DeviceOutcome] | None = None
) -> dict[str, DeviceOutcome]:
    """Outcomes of ``names``: from ``cached`` where given, the others from the pool."""
    global _JOB
    cached = cached or {}
    todo = [n for n in names if n not in cached]
    _JOB = job
    try:
        fresh = {o.device: o for chunk in _run(_chunks(todo, workers), workers) for o in chunk}
    finally:
        _JOB = None
    return {n: cached[n] if n in cached else fresh[n] for n in names}


def make_job(
    network: Network,
    spec: RuleSet,
    rules: list[Rule],
    *,
    lab: bool,
    folder: Mapping[str, IntendedConfig] | None,
    loopback_owners: Mapping[str, str] | None = None,
) -> _Job:
    """The workers' shared state; when rendering, its templates are compiled here, once."""
    renderer = None
    if folder is None:
        from govnet.render import Renderer, renders

        renderer = Renderer(network, lab=lab)
        seen: set[tuple[str, str]] = set()
        for device in network.devices.values():
            key = (device.platform_for(lab=lab), device.role)
            if key not in seen and renders(network, device, lab=lab):
                seen.add(key)
                try:
                    renderer.template(device)
                except Exception:  # reported when that device renders
                    continue
    device_rules = tuple(r for r in rules if is_device_rule(r))
    indexed = CheckContext(network, spec, {}, lab=lab)
    indexed.links_of("")
    indexed._loopback_owners = dict(loopback_owners) if loopback_owners is not None else None
    indexed.loopback_owner("")
    return _Job(network, spec, device_rules, lab, folder, renderer, indexed)


def _raise_render_error(network: Network, outcomes: Mapping[str, DeviceOutcome], lab: bool) -> None:
    """Raise what the serial path raises: the first failing device's error, by name."""
    failed = sorted(n for n, o in outcomes.items() if o.render_failed)
    if failed:
        from govnet.render import render_network

        render_network(network, names=[failed[0]], lab=lab)
        raise AssertionError(f"{failed[0]} failed in a worker but renders here")  # pragma: no cover


def check_network(
    network: Network,
    *,
    rule_ids: Iterable[str] | None = None,
    spec: RuleSet | None = None,
    lab: bool = False,
    configs: Mapping[str, IntendedConfig] | None = None,
    workers: int | None = None,
    cache: OutcomeCache | None = None,
    loopback_owners: Mapping[str, str] | None = None,
) -> tuple[CheckReport, Mapping[str, IntendedConfig]]:
    """Render (unless ``configs`` are given) and check every device across ``workers`` processes
    (default: one per CPU from MIN_POOLED devices to check on, else this process alone).

    Returns the report, the same :func:`~govnet.check.engine.run_checks` gives for these configs,
    and the configs checked (device name order). ``cache`` reuses the outcomes of devices whose
    inputs did not change (:mod:`govnet.check.cache`). ``loopback_owners`` (address -> device)
    stands for the network's own when ``network`` is part of a larger one (:mod:`govnet.check.splice`).
    """
    started = time.perf_counter()
    spec = spec or load_rules()
    rules = selected_rules(spec, rule_ids)
    job = make_job(network, spec, rules, lab=lab, folder=configs, loopback_owners=loopback_owners)
    names = list(network.devices)
    with paused_collection():  # a province's cached outcomes: millions of objects, no cycles
        cached = cache.lookup(network, job.rules, lab) if cache is not None and configs is None else {}
    if workers is None:  # a pool pays for itself from a few hundred devices on
        workers = default_workers() if len(names) - len(cached) >= MIN_POOLED else 1
    outcomes = judge_devices(job, names, workers, cached)
    _raise_render_error(network, outcomes, lab)
    if cache is not None and configs is None:
        cache.store(network, job.rules, lab, outcomes)
    checked = configs if configs is not None else {n: o.config for n, o in outcomes.items() if o.config}
    ctx = CheckContext(network, spec, checked, lab=lab)
    ctx._loopback_owners = job.indexed._loopback_owners
    ctx.facts = {n: o.facts for n, o in outcomes.items()}
    ctx.parse_errors = {n: o.parse_error for n, o in outcomes.items() if o.parse_error is not None}
    ctx.trees = {n: o.tree for n, o in outcomes.items() if o.tree is not None}

    def per_device(rule: Rule, devices: list[Device]) -> list[RuleResult]:
        rule_id = rule.id
        return [
            RuleResult(rule_id, d.name, "pass") if (v := outcomes[d.name].results[rule_id]) is None
            else RuleResult(rule_id, d.name, *v)
            for d in devices
        ]

    return judge(ctx, rules, per_device, started=started), checked


class OutcomeCache:
    """Where :func:`check_network` keeps device outcomes between runs (see :mod:`govnet.check.cache`)."""

    def lookup(self, network: Network, rules: Sequence[Rule], lab: bool) -> dict[str, DeviceOutcome]:
        """Outcomes still valid for these devices, rules and platforms."""
        raise NotImplementedError

    def store(
        self, network: Network, rules: Sequence[Rule], lab: bool, outcomes: Mapping[str, DeviceOutcome]
    ) -> None:
        """Keep ``outcomes`` for the next run."""
        raise NotImplementedError
