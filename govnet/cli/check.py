"""``govnet check``: the platform spec as a CI gate (exit 0 clean, 1 with errors, 2 on bad input).

Register with ``app.command("check")(check_cmd)``.

Without ``--configs`` the inventory is rendered in memory (nothing is written) and findings point
at the template line where traceable, else name the device and the rendered config line. With
``--configs DIR`` the configs are read from ``DIR/<device>.cfg``; a renderable device without its
file is a GN-CFG-100 finding (exit 1), an unreadable DIR a usage error (exit 2).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from govnet.cli.common import (
    ProcessEnd,
    default_inventory,
    filter_option,
    guarded,
    inventory_option,
    load_network_or_exit,
)

if TYPE_CHECKING:
    from govnet.check import CheckReport, IntendedConfig
    from govnet.check.rules import Rule, RuleSet
    from govnet.check.splice import SplicedReport
    from govnet.model import Network


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    junit = "junit"
    sarif = "sarif"


def _rule_ids(rules: str | None) -> list[str] | None:
    from govnet.errors import GovnetError

    if rules is None:
        return None
    ids = [r.strip() for r in rules.split(",") if r.strip()]
    if not ids:
        raise GovnetError("--rules needs at least one rule id, e.g. --rules GN-CFG-101,GN-X-204")
    return ids


_FORMAT = typer.Option("text", "--format", "-f", metavar="text|json|junit|sarif", help="Report format.")
_RULES = typer.Option(None, "--rules", metavar="ID,...", help="Only these rule ids, comma-separated.")
_CONFIGS = typer.Option(
    None,
    "--configs",
    metavar="DIR",
    help="Check DIR/<device>.cfg instead of rendering (configs produced elsewhere).",
)
_OUT = typer.Option(
    None, "--out", "-o", metavar="FILE", help="Write the report here (the summary line goes to stderr)."
)
_FILTER = filter_option()
_LAB = typer.Option(
    False,
    "--lab-configs",
    metavar="",
    help="Check the lab twin's variant of the configs (frr) instead of production's.",
)
_JOBS = typer.Option(
    0,
    "--jobs",
    "-j",
    metavar="N",
    min=0,
    help="Worker processes (default 0: one per CPU from 400 devices on; 1: no pool).",
)
_CHANGED = typer.Option(
    False,
    "--changed",
    help="Re-check only devices whose inputs changed since the last --changed run "
    "(cache in build/check-cache). When only district files were edited (text or json), only "
    "they are loaded and the others' results kept; otherwise cross and intent rules run on all.",
)


@guarded
def check_cmd(
    inventory: Path | None = inventory_option(),
    format_: str = _FORMAT,
    rules: str | None = _RULES,
    configs: Path | None = _CONFIGS,
    out: Path | None = _OUT,
    filter_: list[str] = _FILTER,
    lab: bool = _LAB,
    jobs: int = _JOBS,
    changed: bool = _CHANGED,
) -> None:
    """Check the model and the intended configs against the platform spec (govnet rules lists it).

    With --filter the whole network is checked and the report keeps the selected devices' results
    (network-wide results stay).

    Render, parse and per-device rules run in a process pool (--jobs); --changed reuses the
    outcomes of devices whose inventory file, templates, spec and code did not change, and when
    only district files were edited re-checks those alone, keeping the others' results.

    Example: govnet check; govnet check --changed;
    govnet check --configs build/intended -f sarif -o govnet.sarif

    Exit codes: 0 clean, 1 an error-severity finding, 2 bad input, 3 internal error.
    """
    from govnet.check.report import json_chunks, render_report, summary_line
    from govnet.check.rules import load_rules
    from govnet.errors import GovnetError, did_you_mean

    formats = [f.value for f in CheckFormat]
    if format_ not in formats:
        guess = did_you_mean(format_, formats)
        raise GovnetError(
            f"unknown format {format_!r}: use one of {', '.join(formats)}" + (f" ({guess})" if guess else "")
        )
    if changed and configs is not None:
        raise GovnetError("--changed re-checks rendered configs; drop it with --configs DIR")
    started = time.perf_counter()
    spec = load_rules()
    selected = spec.select(_rule_ids(rules))
    splice = changed and not filter_ and format_ in ("json", "text")
    spliced = _recheck_edited(inventory, spec, selected, lab, jobs, started) if splice else None
    report: CheckReport
    if spliced is not None:
        report, rechecked = spliced
        items = spliced[0].items
        chunks = json_chunks(report, items) if format_ == "json" else [render_report(report, format_)]
        said = f"{rechecked} device(s) of the edited district file(s) re-checked, the others' results kept"
    else:
        report = _check(inventory, spec, selected, configs, filter_, lab, jobs, changed)
        chunks = [render_report(report, format_)]
        said = "every district re-checked where its inputs changed"
    if out is None:
        for chunk in chunks:
            typer.echo(chunk, nl=False)
    else:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("w", encoding="utf-8") as fh:
                fh.writelines(chunks)
        except OSError as exc:
            raise GovnetError(f"cannot write {out}: {exc.strerror}") from None
        print(f"{summary_line(report)}; report in {out}", file=sys.stderr)
    if changed:
        print(f"--changed: {said}", file=sys.stderr)
    ProcessEnd.freeze_heap = True
    raise typer.Exit(report.exit_code)


def _recheck_edited(
    inventory: Path | None, spec: RuleSet, selected: list[Rule], lab: bool, jobs: int, started: float
) -> tuple[SplicedReport, int] | None:
    """The last report with only the edited district files re-checked (None: check it all)."""
    from govnet.check.splice import SpliceStore
    from govnet.render import default_templates_dir

    store = SpliceStore()
    report = store.recheck(
        inventory or default_inventory(),
        spec,
        selected,
        lab,
        templates_dir=default_templates_dir(),
        workers=jobs or None,
        started=started,
    )
    return None if report is None else (report, len(store.rechecked))


def _check(
    inventory: Path | None,
    spec: RuleSet,
    selected: list[Rule],
    configs: Path | None,
    filter_: list[str],
    lab: bool,
    jobs: int,
    changed: bool,
) -> CheckReport:
    """The whole check; with --changed, outcomes reused and the report kept in parts for the next."""
    from govnet.check import run_checks
    from govnet.check.report import only_devices

    with ExitStack() as run:
        network = _load_for_the_run(inventory, run)
        intended: Mapping[str, IntendedConfig] = {}
        if any(rule.kind != "intent" for rule in selected):
            from govnet.check.cache import FileCache
            from govnet.check.pool import check_network

            report, intended = check_network(
                network,
                rule_ids=[r.id for r in selected],
                spec=spec,
                lab=lab,
                configs=_folder(network, configs, lab) if configs is not None else None,
                workers=jobs or None,
                cache=FileCache() if changed else None,
            )
            if changed and configs is None:
                from govnet.check.splice import SpliceStore

                SpliceStore().keep(network, report, selected, lab, intended)
        else:
            report = run_checks(network, intended, [r.id for r in selected], spec=spec, lab=lab)
        if filter_:
            report = only_devices(report, set(network.select(filter_)), network, intended)
        return report


def _load_for_the_run(inventory: Path | None, run: ExitStack) -> Network:
    """The model, frozen while ``run`` lasts: it lives as long as the check, no collection walks it."""
    from govnet.gcpause import frozen, paused_collection

    with paused_collection():
        network = load_network_or_exit(inventory)
        run.enter_context(frozen())
    return network


def _folder(network: Network, configs: Path, lab: bool) -> Mapping[str, IntendedConfig]:
    from govnet.check import read_configs
    from govnet.errors import GovnetError

    if not configs.is_dir():
        raise GovnetError(f"--configs {configs} is not a readable directory")
    try:
        return read_configs(configs, network, lab=lab)
    except (OSError, UnicodeDecodeError) as exc:
        raise GovnetError(f"cannot read configs from {configs}: {exc}") from None
