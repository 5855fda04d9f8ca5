"""``govnet check --changed`` without loading the province: re-check the edited district files alone
and splice their results into the last run's report.

A full ``--changed`` run also keeps its report cut into parts, one per district file (``*.part``
beside the outcome entries, :mod:`govnet.check.cache`): per rule, the JSON of the file's devices'
results, their counts and findings, and the file's share of each intent rule's findings; and what
another district must not clash with (device and district names, loopbacks, zone prefixes,
externals). The next ``--changed`` run that finds only district files edited (nothing
network-wide, the same rules and files) builds a network of those files alone and checks it. When
nothing of it clashes with the other districts, it keeps its place in device order and its
network-level findings are the last run's, the report is written from the parts: what the full run
writes (``tests/check/test_splice.py`` compares them on random edits). Otherwise (or on any doubt)
the caller runs the full ``--changed`` check, which reports what the clash is.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import os
import pickle
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Network
from pathlib import Path
from typing import TypeVar

from govnet.check.cache import DEFAULT_CACHE_DIR, FileCache, source_file
from govnet.check.context import CheckReport, Finding, RuleResult, Status
from govnet.check.engine import is_device_rule
from govnet.check.report import results_items
from govnet.check.rules import Rule, RuleSet
from govnet.errors import GovnetError, InventoryError
from govnet.gcpause import paused_collection
from govnet.inventory import load_districts
from govnet.inventory.sourcefiles import district_paths
from govnet.model import Network

_FORMAT = "govnet-check-splice/1"
MAX_EDITED = 8
"""Edited district files above which the full ``--changed`` run is as quick."""


@dataclass(slots=True)
class RulePart:
    """One rule's results on one district file's devices."""

    results: str
    """Their JSON items, joined by ``,\\n`` as the report prints them ("" for none)."""
    counts: tuple[int, int, int]
    """Passed, failed, not applicable."""
    findings: tuple[Finding, ...]
    shared: tuple[Finding, ...] = ()
    """The file's share of the rule's network-wide result (intent rules)."""


@dataclass(slots=True)
class Part:
    """One district file's share of a report and what no other district may clash with."""

    file: str
    digest: str
    rules: dict[str, RulePart]
    configs: int
    names: tuple[str, ...]
    """Its devices, in report order."""
    districts: frozenset[str]
    loopbacks: dict[str, str]
    prefixes: dict[str, list[tuple[int, int]]]
    """Zone -> address ranges (site prefixes, link attachments)."""
    externals: dict[str, str]
    """Name -> repr of the externals it declares."""
    entry: str = ""
    """The key of its devices' outcome entry (:mod:`govnet.check.cache`)."""


@dataclass(slots=True)
class Manifest:
    """The report a full run wrote, by part."""

    key: str
    network: str
    rules: tuple[str, ...]
    parts: dict[str, str]
    """District file -> its part's file name, in report order."""
    paths: dict[str, str]
    """Resolved district path -> the file as the devices' sources name it."""
    shared: dict[str, tuple[Finding, ...]] = field(default_factory=dict)
    """Intent rule -> its network-level findings (about zones, not a district)."""


class SplicedReport(CheckReport):
    """A report assembled from parts: counts and findings without the results they came from."""

    def __init__(
        self,
        network: str,
        rules: list[Rule],
        findings: list[Finding],
        counts: Mapping[str, int],
        configs: int,
        items: list[str],
        seconds: float,
    ) -> None:
        super().__init__(network=network, rules=rules, results=[], devices_checked=configs, seconds=seconds)
        self._findings = findings
        self._counts = dict(counts)
        self.items = items
        """The ``results`` JSON items in runs (``report.json_chunks``)."""

    @property
    def findings(self) -> list[Finding]:
        return self._findings

    def status_count(self, status: Status) -> int:
        return self._counts.get(status, 0)


def _part_name(part: Part) -> str:
    """The part's file name: its district file and that file's bytes."""
    return hashlib.blake2b(f"{part.file}\0{part.digest}".encode(), digest_size=20).hexdigest() + ".part"


def _digest(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=20).hexdigest()


def _file_of(source: str) -> str:
    """The inventory file of a model ``source`` (``path:line``)."""
    return source_file(source) or source


@dataclass(slots=True)
class _Summary:
    names: list[str] = field(default_factory=list)
    districts: set[str] = field(default_factory=set)
    loopbacks: dict[str, str] = field(default_factory=dict)
    prefixes: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))
    externals: dict[str, str] = field(default_factory=dict)


def _summaries(network: Network) -> dict[str, _Summary]:
    """Per district file: names, district names, loopbacks, zone prefixes, externals."""
    out: dict[str, _Summary] = defaultdict(_Summary)

    def take(file: str, zone: str, prefix: IPv4Network) -> None:
        first = int(prefix.network_address)
        out[file].prefixes[zone].append((first, first + prefix.num_addresses - 1))

    for dev in network.devices.values():
        s = out[_file_of(dev.source)]
        s.names.append(dev.name)
        s.districts.add(dev.district)
        if dev.loopback is not None:
            s.loopbacks[str(dev.loopback.ip)] = dev.name
        for zone, prefix in dev.site_prefixes.items():
            take(_file_of(dev.source), zone, prefix)
    for link in network.links:
        for att in link.attachments:
            take(_file_of(link.source), att.zone, att.subnet)
    code_file = {dev.district: _file_of(dev.source) for dev in network.devices.values()}
    for ext in network.externals.values():
        file = code_file.get(ext.district)
        if file is not None:
            out[file].externals[ext.name] = repr(ext)
    return dict(out)


def _part_of(f: Finding, device_file: Mapping[str, str], district_file: Mapping[str, str]) -> str:
    """The district file a finding belongs to ("" for a network-level one)."""
    if f.device in device_file:
        return device_file[f.device]
    if f.location.path in district_file.values():
        return f.location.path
    return district_file.get(f.device, "")


Shared = dict[str, tuple[Finding, ...]]
"""Intent rule -> its network-level findings."""


def cut(
    report: CheckReport, network: Network, rules: Sequence[Rule]
) -> tuple[dict[str, Part], Shared] | None:
    """``report`` cut into parts per district file, or None when it cannot be (a file's devices not
    together in device order, a network-wide result of a kind the parts do not hold)."""
    device_file = {name: _file_of(dev.source) for name, dev in network.devices.items()}
    district_file = {dev.district: _file_of(dev.source) for dev in network.devices.values()}
    order: list[str] = []
    for file in device_file.values():
        if not order or order[-1] != file:
            if file in order:
                return None
            order.append(file)
    rank = {file: i for i, file in enumerate(order)}
    by_rule: dict[str, list[RuleResult]] = defaultdict(list)
    for result in report.results:
        by_rule[result.rule_id].append(result)
    rule_parts: dict[str, dict[str, RulePart]] = {file: {} for file in order}
    shared: dict[str, tuple[Finding, ...]] = {}
    for rule in rules:
        results = by_rule.get(rule.id, [])
        own = [r for r in results if r.device in device_file]
        tail = [r for r in results if r.device not in device_file]
        placed: dict[str, list[Finding]] = defaultdict(list)  # intent findings by file ("": network)
        if rule.kind == "intent":
            if own or len(tail) != 1 or tail[0].device != network.settings.name or tail[0].reason:
                return None
            ranks = []
            for f in tail[0].findings:
                place = _part_of(f, device_file, district_file)
                placed[place].append(f)
                ranks.append(rank.get(place, -1))
            if ranks != sorted(ranks):
                return None
            shared[rule.id] = tuple(placed.pop("", ()))
        elif tail:
            return None
        grouped: dict[str, list[RuleResult]] = defaultdict(list)
        for r in own:
            grouped[device_file[r.device]].append(r)
        for file in order:
            mine = grouped.get(file, [])
            counts = (
                sum(1 for r in mine if r.status == "pass"),
                sum(1 for r in mine if r.status == "fail"),
                sum(1 for r in mine if r.status == "not_applicable"),
            )
            found = tuple(f for r in mine for f in r.findings)
            extra = tuple(placed.get(file, ()))
            rule_parts[file][rule.id] = RulePart(",\n".join(results_items(mine)), counts, found, extra)
    summaries = _summaries(network)
    parts = {
        file: Part(
            file,
            _digest(Path(file)),
            rule_parts[file],
            0,
            tuple(summaries[file].names),
            frozenset(summaries[file].districts),
            summaries[file].loopbacks,
            dict(summaries[file].prefixes),
            summaries[file].externals,
        )
        for file in order
    }
    return parts, shared


class SpliceStore:
    """Parts of the last full ``--changed`` report, under the outcome cache's directory."""

    def __init__(self, directory: Path = DEFAULT_CACHE_DIR, templates_dir: Path | None = None) -> None:
        self.directory = directory
        self.outcomes = FileCache(directory, templates_dir)
        self.rechecked: list[str] = []
        """Devices the last :meth:`recheck` checked (for reports and tests)."""

    def _key(self, inventory: Path, rules: Sequence[Rule], lab: bool, files: set[str]) -> str:
        return _FORMAT + ":" + self.outcomes.network_key(inventory, rules, lab, files).hex()

    def keep(
        self,
        network: Network,
        report: CheckReport,
        rules: Sequence[Rule],
        lab: bool,
        configs: Iterable[str],
    ) -> bool:
        """Cut ``report`` (a full run's, every device rendered) into parts for the next run."""
        with paused_collection():
            cut_ = cut(report, network, rules)
            if cut_ is None:
                (self.directory / "splice.manifest").unlink(missing_ok=True)
                return False
            parts, shared = cut_
            for name in configs:
                parts[_file_of(network.devices[name].source)].configs += 1
            inventory = Path(network.source_dir)
            device_rules = [r for r in rules if is_device_rule(r)]
            for file, part in parts.items():
                part.entry = self.outcomes.key_of(inventory, device_rules, lab, file)
            key = self._key(inventory, rules, lab, {str(p) for p in district_paths(inventory)})
            self.directory.mkdir(parents=True, exist_ok=True)
            names = {file: _part_name(part) for file, part in parts.items()}
            for file, part in parts.items():
                _write(self.directory / names[file], part)
            manifest = Manifest(
                key,
                network.settings.name,
                tuple(r.id for r in rules),
                names,
                {str(Path(f).resolve()): f for f in parts},
                shared,
            )
            _write(self.directory / "splice.manifest", manifest)
            for stale in self.directory.glob("*.part"):
                if stale.name not in names.values():
                    stale.unlink(missing_ok=True)
        return True

    def recheck(
        self,
        inventory: Path,
        spec: RuleSet,
        rules: list[Rule],
        lab: bool,
        *,
        templates_dir: Path | None = None,
        workers: int | None = None,
        started: float,
    ) -> SplicedReport | None:
        """The report with only the edited district files re-checked, or None (run the full check)."""
        from govnet.check.pool import check_network

        self.rechecked = []
        manifest = _read(self.directory / "splice.manifest", Manifest)
        paths = district_paths(inventory)
        if manifest is None or manifest.rules != tuple(r.id for r in rules):
            return None
        resolved = {str(p.resolve()): p for p in paths}
        if set(resolved) != set(manifest.paths):
            return None
        if manifest.key != self._key(inventory, rules, lab, {str(p) for p in paths}):
            return None
        with paused_collection():
            parts: dict[str, Part] = {}
            for file, name in manifest.parts.items():
                part = _read(self.directory / name, Part)
                if part is None:
                    return None
                parts[file] = part
            edited = [f for f in parts if _digest(resolved[str(Path(f).resolve())]) != parts[f].digest]
            if len(edited) > MAX_EDITED:
                return None
            fresh: dict[str, Part] = {}
            if edited:
                others = [p for f, p in parts.items() if f not in edited]
                try:
                    network = load_districts(
                        inventory, [Path(f) for f in edited], templates_dir=templates_dir
                    )
                except InventoryError:  # the full run reports it with every other file's
                    return None
                mine = _summaries(network)
                if not _fits(network, mine, others) or any(
                    summary.externals != parts[file].externals for file, summary in mine.items()
                ):  # another district may link to an external an edited one declares
                    return None
                owners = {a: n for p in others for a, n in p.loopbacks.items()}
                owners.update(
                    (str(d.loopback.ip), d.name) for d in network.devices.values() if d.loopback is not None
                )
                self.outcomes.also_own = {str(p) for p in paths}
                self.outcomes.prune = False
                try:
                    report, checked = check_network(
                        network,
                        rule_ids=[r.id for r in rules],
                        spec=spec,
                        lab=lab,
                        workers=workers,
                        cache=self.outcomes,
                        loopback_owners=owners,
                    )
                except GovnetError:  # a device that does not render: the full run names it
                    return None
                cut_ = cut(report, network, rules)
                if cut_ is None or cut_[1] != manifest.shared:
                    return None
                fresh, _ = cut_
                if set(fresh) != set(edited):
                    return None
                for name in checked:
                    fresh[_file_of(network.devices[name].source)].configs += 1
                device_rules = [r for r in rules if is_device_rule(r)]
                for file, part in fresh.items():
                    part.entry = self.outcomes.key_of(inventory, device_rules, lab, file)
                self.rechecked = list(network.devices)
            merged = {f: fresh.get(f, p) for f, p in parts.items()}
            if not _in_order([merged[f] for f in manifest.parts]):
                return None
            spliced = _splice(manifest, merged, rules, started)
        if edited:
            for file, part in fresh.items():
                old = parts[file]
                manifest.parts[file] = _part_name(part)
                _write(self.directory / manifest.parts[file], part)
                if old.entry != part.entry:  # the file's last version: nothing will ask for it again
                    self.outcomes.drop(old.entry)
            _write(self.directory / "splice.manifest", manifest)
            for file in edited:
                if _part_name(parts[file]) not in manifest.parts.values():
                    (self.directory / _part_name(parts[file])).unlink(missing_ok=True)
        return spliced


def _fits(network: Network, mine: Mapping[str, _Summary], others: Sequence[Part]) -> bool:
    """Whether the edited districts clash with no other: names, loopbacks, zone prefixes."""
    names = {n for p in others for n in p.names} | {n for p in others for n in p.externals}
    if names & (set(network.devices) | set(network.externals)):
        return False
    districts = {d for p in others for d in p.districts}
    if districts & {d.district for d in network.devices.values()}:
        return False
    loopbacks = {a for p in others for a in p.loopbacks}
    if any(d.loopback is not None and str(d.loopback.ip) in loopbacks for d in network.devices.values()):
        return False
    for zone, ranges in _merge(m.prefixes for m in mine.values()).items():
        taken = sorted(r for p in others for r in p.prefixes.get(zone, ()))
        starts = [r[0] for r in taken]
        for first, last in ranges:
            i = bisect.bisect_right(starts, last) - 1
            if i >= 0 and taken[i][1] >= first:
                return False
    return True


def _merge(maps: Iterable[dict[str, list[tuple[int, int]]]]) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for m in maps:
        for zone, ranges in m.items():
            out[zone] += ranges
    return out


def _in_order(parts: Sequence[Part]) -> bool:
    """Whether each part's devices still come after the previous part's, in name order."""
    names = [p.names for p in parts if p.names]
    return all(a[-1] < b[0] for a, b in itertools.pairwise(names))


def _splice(
    manifest: Manifest, parts: Mapping[str, Part], rules: Sequence[Rule], started: float
) -> SplicedReport:
    order = [parts[f] for f in manifest.parts]
    findings: list[Finding] = []
    counts = {"pass": 0, "fail": 0, "not_applicable": 0}
    items: list[str] = []
    for rule in rules:
        for part in order:
            rp = part.rules[rule.id]
            findings += rp.findings
            if rp.results:
                items.append(rp.results)
            for kind, n in zip(("pass", "fail", "not_applicable"), rp.counts, strict=True):
                counts[kind] += n
        if rule.kind == "intent":
            shared = [*manifest.shared.get(rule.id, ()), *(f for p in order for f in p.rules[rule.id].shared)]
            findings += shared
            status: Status = "fail" if shared else "pass"
            counts[status] += 1
            items.append(",\n".join(results_items([RuleResult(rule.id, manifest.network, status)])))
    return SplicedReport(
        manifest.network,
        list(rules),
        findings,
        counts,
        sum(p.configs for p in order),
        items,
        time.perf_counter() - started,
    )


def _write(path: Path, value: object) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump((_FORMAT, value), fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


T = TypeVar("T")


def _read(path: Path, kind: type[T]) -> T | None:
    try:
        with open(path, "rb") as fh:
            tag, value = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        return None
    return value if tag == _FORMAT and isinstance(value, kind) else None
