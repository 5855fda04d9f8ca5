"""Playbooks: declarative YAML runbooks (``playbooks/*.yaml``) run by ``govnet play FILE``.

A playbook names its parameters and lists steps; each step is exactly one of::

    - backup:  {repo: backups, filter: [role=core]}
    - audit:   {filter: []}                     # drift per device; drift -> exit 1
    - audit:   {changed: true}                  # what earlier steps changed, and their neighbours
    - deploy:  {filter: [role=core], batch_size: 2, max_failures: 1, verify_timeout: 90}
    - onboard: {site: "{site}"}                 # the site and its aggregation node(s) only

``{name}`` in a string is replaced by the parameter ``name`` (``--set name=value`` or its
default). The file is validated (pydantic) before anything runs; errors name the file, the line
and what is wrong. Deploy steps are dry runs unless ``govnet play --commit``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from govnet.deploy.backup import backup, backup_repository
from govnet.deploy.batches import safe_order
from govnet.deploy.driver import DeployError
from govnet.deploy.intended import intended_configs, select
from govnet.deploy.nornir_setup import DeployTarget
from govnet.deploy.rollout import DeployOptions, RunReport, deploy
from govnet.deploy.verify import ManagementProbe
from govnet.model import Network

Echo = Callable[[str], None]
STATUSES = ("changed", "unchanged", "dry-run", "rolled-back", "untouched", "failed")
PARAM_RE = re.compile(r"\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)\}")


class PlaybookError(DeployError):
    """A playbook file is malformed: names the file, the line and what is wrong."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Param(_Strict):
    description: str = ""
    default: str | None = None


class BackupArgs(_Strict):
    repo: str = ""
    """The backup repository; empty: the inventory's ``backup_repo`` (never a silent default)."""
    filter: list[str] = Field(default_factory=list)


class AuditArgs(_Strict):
    filter: list[str] = Field(default_factory=list)
    changed: bool = False
    """Audit the devices earlier steps changed (would change, in a dry run) and their neighbours."""


class DeployArgs(_Strict):
    filter: list[str] = Field(default_factory=list)
    batch_size: int = Field(default=4, ge=1)
    max_failures: int = Field(default=1, ge=1)
    verify_timeout: float = Field(default=60.0, gt=0)
    canary: bool = True


class OnboardArgs(_Strict):
    site: str = Field(min_length=1)
    verify_timeout: float = Field(default=60.0, gt=0)


class Step(_Strict):
    name: str = ""
    backup: BackupArgs | None = None
    audit: AuditArgs | None = None
    deploy: DeployArgs | None = None
    onboard: OnboardArgs | None = None

    @model_validator(mode="after")
    def exactly_one_action(self) -> Step:
        actions = [a for a in ("backup", "audit", "deploy", "onboard") if getattr(self, a) is not None]
        if len(actions) != 1:
            raise ValueError("a step has exactly one of backup, audit, deploy, onboard "
                             f"(found {', '.join(actions) or 'none'})")
        return self

    @property
    def action(self) -> str:
        return next(a for a in ("backup", "audit", "deploy", "onboard") if getattr(self, a) is not None)


class Playbook(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    params: dict[str, Param] = Field(default_factory=dict)
    steps: list[Step] = Field(min_length=1)


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int:
    """The 1-based line of the YAML node at ``loc`` (the closest existing parent)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            match = node.value[key]
        else:
            match = None
        if match is None:
            break
        node, line = match, match.start_mark.line + 1
    return line


def _substitute(value: Any, params: Mapping[str, str], path: Path) -> Any:
    if isinstance(value, str):
        def one(m: re.Match[str]) -> str:
            if m.group("name") not in params:
                raise PlaybookError(f"{path}: parameter {{{m.group('name')}}} has no value: "
                                    f"pass --set {m.group('name')}=VALUE")
            return params[m.group("name")]

        return PARAM_RE.sub(one, value)
    if isinstance(value, list):
        return [_substitute(v, params, path) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, params, path) for k, v in value.items()}
    return value


def load_playbook(path: Path, values: Mapping[str, str] | None = None) -> Playbook:
    """Parse and validate ``path``; ``values`` fill its ``{params}``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlaybookError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        node = yaml.compose(text)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise PlaybookError(f"{path}{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, dict):
        raise PlaybookError(f"{path}:1: a playbook is a mapping with name and steps")
    try:
        book = Playbook.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            where = ".".join(map(str, loc)) or "playbook"
            lines.append(f"{path}:{_line_of(node, loc)}: {where}: {err['msg']}")
        raise PlaybookError("\n".join(lines)) from None
    given = dict(values or {})
    unknown = sorted(set(given) - set(book.params))
    if unknown:
        raise PlaybookError(f"{path}: unknown parameter(s) {', '.join(unknown)} "
                            f"(this playbook takes: {', '.join(book.params) or 'none'})")
    params = {k: p.default for k, p in book.params.items() if p.default is not None} | given
    return Playbook.model_validate(_substitute(raw, params, path))


def onboard_sites(book: Playbook) -> list[str]:
    """The sites a playbook's onboard steps bring up."""
    return [step.onboard.site for step in book.steps if step.onboard is not None]


def onboard_targets(network: Network, site: str) -> list[str]:
    """The access device ``site`` and the aggregation node(s) it hangs off, in safe order."""
    if site not in network.devices:
        raise DeployError(f"onboard: no device {site!r} in the inventory")
    if network.devices[site].role != "access":
        raise DeployError(f"onboard: {site} is a {network.devices[site].role}, not an access site")
    uplinks = {link.far_end(site)[0] for link in network.links_of(site)}
    aggs = [n for n in uplinks if n in network.devices and network.devices[n].role == "aggregation"]
    if not aggs:
        raise DeployError(f"onboard: {site} has no aggregation node in the inventory")
    return safe_order(network, [*aggs, site])


@dataclass(slots=True)
class PlayResult:
    exit_code: int = 0
    reports: list[tuple[str, RunReport]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    """The run reports written (one per deploy or onboard step of a ``--commit`` run)."""
    pending: dict[str, str] = field(default_factory=dict)
    """In a dry run: device -> the step that would change it (an audit does not count it as drift)."""


def neighbours(network: Network, names: list[str]) -> list[str]:
    """``names`` and every device one link away from them, in the network, sorted."""
    found = set(names)
    for name in names:
        found |= {link.far_end(name)[0] for link in network.links_of(name)}
    return sorted(n for n in found if n in network.devices)


def run_playbook(
    book: Playbook, network: Network, target: DeployTarget, *, commit: bool, lab: bool,
    state_dir: Path | None = None, echo: Echo = print, filters: list[str] | None = None,
    batch_size: int | None = None, management: ManagementProbe | None = None,
) -> PlayResult:
    """Run the steps in order; a failed deploy step stops the playbook (exit 1).

    ``filters`` (``govnet play --filter``) narrow every step's devices; ``batch_size`` overrides
    every deploy step's. In a dry run an audit does not count as drift what an earlier step would
    have changed (it says so instead).
    """
    result = PlayResult()
    creds = target.credentials()
    allowed = set(select(network, filters, lab=lab)) if filters else None
    touched: list[str] = []

    def configs_for(names: list[str]) -> dict[str, str]:
        return intended_configs(network, names, lab=lab, credentials=creds)

    def names_for(step_filters: list[str]) -> list[str]:
        names = select(network, step_filters, lab=lab)
        if allowed is not None:
            names = [n for n in names if n in allowed]
        return [n for n in names if n in target.lab_ports] if lab else names

    def options(**values: Any) -> DeployOptions:
        opts = DeployOptions(**values, management=management)
        if state_dir is not None:
            opts.state_dir = state_dir
        return opts

    for number, step in enumerate(book.steps, start=1):
        title = step.name or step.action
        echo(f"step {number}/{len(book.steps)}: {title}")
        if step.backup is not None:
            repo = backup_repository(Path(step.backup.repo) if step.backup.repo else None, network)
            done = backup(network, names_for(step.backup.filter), repo, target)
            echo(f"  backup into {repo}: {len(done.changed)} changed, {len(done.failed)} unreachable, "
                 f"commit {done.commit or 'none'}")
            for name, reason in sorted(done.failed.items()):
                echo(f"  {name}: unreachable at {reason}")
            for name, found in sorted(done.duplicates.items()):
                echo(f"  {name}: {len(found)} line(s) printed more than once (kept as printed)")
            if done.failed:
                result.exit_code = 1
            continue
        if step.audit is not None:
            audited = names_for(step.audit.filter) if step.audit.filter or not step.audit.changed else []
            if step.audit.changed:
                near = neighbours(network, touched)
                audited = sorted({*audited, *(n for n in near if n in target.lab_ports or not lab)})
            report = deploy(network, configs_for(audited), target, options(commit=False), echo=echo)
            report.batches = []  # an audit pushes nothing: no plan to show
            result.reports.append((title, report))
            drift = report.by_status("dry-run")
            expected = [n for n in drift if n in result.pending]
            drifted = [n for n in drift if n not in result.pending]
            in_sync = len(report.by_status("unchanged"))
            listed = f": {', '.join(drifted)}" if drifted else ""
            echo(f"  audit of {len(audited)} device(s): {len(drifted)} drifted{listed}, {in_sync} in sync")
            if expected:
                echo(f"  not counted: {len(expected)} device(s) an earlier step would change "
                     "(dry run; --commit pushes them first)")
            if drifted or report.by_status("failed"):
                result.exit_code = 1
            continue
        if step.deploy is not None:
            args = step.deploy
            names = names_for(args.filter)
            opts = options(commit=commit, batch_size=batch_size or args.batch_size,
                           max_failures=args.max_failures, verify_timeout=args.verify_timeout,
                           canary=args.canary)
        else:
            assert step.onboard is not None
            names = onboard_targets(network, step.onboard.site)
            opts = options(commit=commit, verify_timeout=step.onboard.verify_timeout,
                           **({"batch_size": batch_size} if batch_size else {}))
        report = deploy(network, configs_for(names), target, opts, echo=echo)
        result.reports.append((title, report))
        touched += [n for n in names if n not in touched]
        if not commit:
            result.pending.update({n: title for n in report.by_status("dry-run")})
        if commit:
            result.paths.append(report.write(opts.state_for(network, target)))
        counts = {s: len(report.by_status(s)) for s in STATUSES}
        echo("  " + ", ".join(f"{n} {s}" for s, n in counts.items() if n))
        if report.failed:
            result.exit_code = 1
            echo(f"  stopping: {report.halted or 'a device failed'}")
            break
    return result
