"""``govnet diff``, ``govnet deploy``, ``govnet play``: the push half.

Register with ``register_deploy(app)``. Where to connect is one flag: ``--lab`` reaches the
running lab twin (its SSH ports, booted devices and ``secrets.env`` come from
``govnet.lab.state`` here and are handed to the deploy stage as values); without it, production
devices on their management addresses. Output: the plan first (batches, canary, pairs kept
apart), one row per device, full diffs with ``--diffs`` or into ``--diff-file``; ``-f json``
(alias ``--json``) gives the same as data. Exit codes are :data:`EXIT_CODES` for every command.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from govnet.cli.common import (
    EXIT_INTERRUPTED,
    emit_table,
    filter_option,
    guarded,
    inventory_option,
    load_network_or_exit,
)
from govnet.cli.common import state as cli_state

DEFAULT_WORKDIR = Path("/var/tmp/govnet-lab")
EXIT_DRIFT = 1


FILTER_OPTION = filter_option()


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


LabOpt = Annotated[
    bool,
    typer.Option("--lab", metavar="",
                 help="Connect to the running lab twin (its SSH ports, booted devices and secrets.env) "
                      "instead of production."),
]
DiffsOpt = Annotated[bool, typer.Option("--diffs", metavar="", help="Also print every device's full diff.")]
DiffFileOpt = Annotated[
    Path | None,
    typer.Option("--diff-file", metavar="FILE", help="Write every device's full diff to FILE.",
                 show_default=False),
]
EXIT_CODES = ("Exit codes: 0 done, nothing to report; 1 drift, or a device failed, was rolled back or not "
              "restored, or the rollout halted; 2 bad input or refused to start (lock held, no twin, no "
              "credentials); 3 internal error; 130 interrupted (the report says where to resume).")
WorkdirOpt = Annotated[
    Path,
    typer.Option("--workdir", envvar="GOVNET_LAB_WORKDIR", metavar="DIR",
                 help="The lab twin's workdir (with --lab)."),
]
StateOpt = Annotated[
    Path | None,
    typer.Option("--state-dir", envvar="GOVNET_STATE_DIR", metavar="DIR",
                 help="State root: last-known-good configs, pending commits, locks and reports, "
                      "kept apart per target in DIR/lab/NETWORK and DIR/production/NETWORK."),
]
CommitOpt = Annotated[
    bool, typer.Option("--commit", metavar="", help="Push (default: deploy steps are dry runs).")
]
SetOpt = Annotated[
    list[str],
    typer.Option("--set", metavar="NAME=VALUE", help="A playbook parameter; repeat for more.",
                 show_default=False),
]
RepoOpt = Annotated[
    Path, typer.Option("--repo", metavar="DIR", help="Git repository for the backups (created if missing).")
]
FormatOpt = Annotated[
    ReportFormat, typer.Option("--format", "-f", metavar="text|json", help="Output format.")
]
JsonOpt = Annotated[bool, typer.Option("--json", metavar="", help="Same as -f json.")]


def lab_facts(lab: bool, workdir: Path) -> tuple[dict[str, Any] | None, list[str] | None]:
    """``nornir_options`` of the twin and its booted devices; without ``--lab`` only the global
    ``--secrets`` file (devices are reached on their management addresses)."""
    if not lab:
        secrets = cli_state().secrets
        return ({"secrets_file": str(secrets)} if secrets else None), None
    from govnet.lab.state import load_state, nornir_options

    options = nornir_options(workdir)
    state = load_state(workdir)
    devices = [n.name for n in state.lab_topology().nodes if not n.stub] if state else None
    return options, devices


def prepare_target(inventory: Path | None, lab: bool, workdir: Path, filters: list[str]) -> Any:
    from govnet.deploy.intended import intended_configs, scope, select
    from govnet.deploy.nornir_setup import DeployTarget

    options, booted = lab_facts(lab, workdir)
    target = DeployTarget.from_options(options)
    network = scope(load_network_or_exit(inventory), booted)
    names = select(network, filters, lab=lab)
    if lab:
        names = [n for n in names if n in target.lab_ports]
    target.require_login()
    return network, names, target, lambda: intended_configs(network, names, lab=lab,
                                                             credentials=target.credentials())


def target_state(state_root: Path | None, network: Any, lab: bool) -> Path:
    """This target's own state directory below the state root (lab and production never share)."""
    from govnet.deploy.lkg import default_state_dir, target_state_dir

    return target_state_dir(state_root or default_state_dir(), network.settings.name, lab)


def _probe(network: Any, target: Any) -> Any:
    """Before each confirm: a fresh SSH login and the poller's SNMPv3 GET (the monitor's plan)."""
    from govnet.deploy.verify import target_probe

    return target_probe(network, target)


def _options(state_dir: Path, **values: Any) -> Any:
    from govnet.deploy.rollout import DeployOptions

    return DeployOptions(state_dir=state_dir, **values)


@guarded
def diff_cmd(
    inventory: Path | None = inventory_option(),
    lab: LabOpt = False,
    workdir: WorkdirOpt = DEFAULT_WORKDIR,
    filter_: list[str] = FILTER_OPTION,
    fmt: FormatOpt = ReportFormat.text,
    json_: JsonOpt = False,
    diffs: Annotated[
        bool, typer.Option("--diffs/--no-diffs", metavar="", help="Print every device's full diff.")
    ] = True,
    diff_file: DiffFileOpt = None,
    state_dir: StateOpt = None,
) -> None:
    """Intended vs running per device: one row each, then the commands a push would send and a unified diff.

    Example: govnet diff --lab; govnet diff --filter role=core -f json; govnet diff --no-diffs

    Exit codes: 0 no drift; 1 drift, or a device could not be read; 2 bad input or refused to start; 3
    internal error; 130 interrupted.
    """
    from govnet.deploy.rollout import deploy
    from govnet.deploy.twin_gaps import twin_gaps

    network, names, target, configs = prepare_target(inventory, lab, workdir, filter_)
    options = _options(target_state(state_dir, network, lab), commit=False)
    intended = configs()
    report = deploy(network, intended, target, options, echo=_err)
    gaps = twin_gaps(network, names, intended, target.credentials()) if lab else None
    _show(report, network, json_ or fmt is ReportFormat.json, diffs=diffs, diff_file=diff_file, plan=False,
          gaps=gaps)
    _hint_twin(report, lab, workdir)
    raise typer.Exit(EXIT_DRIFT if report.drift or report.failed else 0)


@guarded
def deploy_cmd(
    inventory: Path | None = inventory_option(),
    lab: LabOpt = False,
    workdir: WorkdirOpt = DEFAULT_WORKDIR,
    filter_: list[str] = FILTER_OPTION,
    commit: Annotated[
        bool, typer.Option("--commit", metavar="", help="Push (default: a dry run that prints the plan).")
    ] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, metavar="N", help="Devices per batch (after the canary).")
    ] = 4,
    max_failures: Annotated[
        int, typer.Option("--max-failures", min=1, metavar="N", help="Halt the rollout after N failures.")
    ] = 1,
    verify_timeout: Annotated[
        float, typer.Option("--verify-timeout", metavar="SECONDS",
                            help="How long a device may take to verify before it rolls back.")
    ] = 60.0,
    recover_: Annotated[
        bool, typer.Option("--recover", metavar="",
                           help="Only restore devices left with an unconfirmed commit by a killed run.")
    ] = False,
    break_lock_: Annotated[
        str | None, typer.Option("--break-lock", metavar="HOLDER", show_default=False,
                                 help="Only remove a stale deploy lock held by HOLDER ('user@host pid N', "
                                      "as the refusal names it); a live holder is never broken.")
    ] = None,
    fmt: FormatOpt = ReportFormat.text,
    json_: JsonOpt = False,
    diffs: DiffsOpt = False,
    diff_file: DiffFileOpt = None,
    state_dir: StateOpt = None,
) -> None:
    """Push the intended configs: a dry run by default, which prints the plan; --commit pushes it
    in redundancy-safe batches.

    The canary is the least critical device (an access site or one aggregation node), never a core; the
    cores and the in-line internet edge go last, one at a time. Each device commits with a confirm window,
    is diffed again (lines it refused fail the push), verified (OSPF Full, BGP Established, links up) and
    confirmed, or rolled back by itself; the rollout halts at --max-failures. Ctrl-C finishes the batch in
    flight, then stops.

    Example: govnet deploy --lab --filter role=core; govnet deploy --lab --commit --batch-size 8

    Exit codes: 0 done (or a dry run); 1 a device failed, was rolled back or not restored, or the rollout
    halted; 2 bad input or refused to start (lock held, no twin, no credentials); 3 internal error; 130
    interrupted.
    """
    from govnet.deploy import plan_view
    from govnet.deploy.rollout import deploy, recover_network

    if break_lock_ is not None:
        from govnet.deploy.lock import break_lock

        network = load_network_or_exit(inventory)
        typer.echo(break_lock(target_state(state_dir, network, lab), network.settings.name, break_lock_))
        return
    network, _names, target, configs = prepare_target(inventory, lab, workdir, filter_)
    options = _options(target_state(state_dir, network, lab), commit=commit, batch_size=batch_size,
                       max_failures=max_failures, verify_timeout=verify_timeout,
                       management=_probe(network, target) if commit else None)
    if recover_:
        recovery = recover_network(network, target, options, echo=_err)
        typer.echo(f"restored {len(recovery.restored)} device(s): {', '.join(recovery.restored) or '-'}")
        for name, reason in sorted(recovery.failed.items()):
            typer.echo(f"NOT RESTORED {name}: {reason}")
        if recovery.failed:
            raise typer.Exit(EXIT_DRIFT)
        return
    as_json = json_ or fmt is ReportFormat.json
    report = deploy(network, configs(), target, options, echo=_err)
    path = report.write(options.state_dir) if commit else None
    _show(report, network, as_json, diffs=diffs, diff_file=diff_file, plan=True)
    if not as_json:
        if not commit and report.drift:
            typer.echo("dry run: nothing pushed; --commit pushes this plan"
                       + ("" if diffs or diff_file else "; --diffs or --diff-file FILE shows the diffs"))
        if path is not None:
            typer.echo(f"report: {path}")
        for line in plan_view.resume_lines(report, network):
            typer.echo(line)
    _hint_twin(report, lab, workdir)
    if report.halted.startswith("stopped by SIGINT"):
        raise typer.Exit(EXIT_INTERRUPTED)
    if report.failed:
        raise typer.Exit(EXIT_DRIFT)


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _show(report: Any, network: Any, as_json: bool, *, diffs: bool, diff_file: Path | None,
          plan: bool, title: str = "", gaps: Any = None) -> None:
    """The report: JSON (the plan included), or the plan, a table with a header, diffs, a summary."""
    from govnet.deploy import plan_view

    if diff_file is not None:
        _write(diff_file, plan_view.diff_text(report))
    if as_json:
        typer.echo(plan_view.report_json(report, network, gaps))
        return
    if title:
        typer.echo(f"--- {title}")
    if plan:
        for line in plan_view.plan_lines(report, network):
            typer.echo(line)
    emit_table(plan_view.device_rows(report), plan_view.COLUMNS, "table")
    if diffs:
        typer.echo(plan_view.diff_text(report), nl=False)
    typer.echo(plan_view.summary_line(report))
    if gaps is not None and not gaps.empty:
        typer.echo(gaps.line())
    if diff_file is not None:
        typer.echo(f"diffs: {diff_file}")


def _write(path: Path, text: str) -> None:
    from govnet.errors import GovnetError

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise GovnetError(f"--diff-file {path}: {exc.strerror}") from None


def _hint_twin(report: Any, lab: bool, workdir: Path) -> None:
    """Production devices unreachable while a lab twin is up: say --lab exists."""
    if lab or not any("SSH to" in d.reason for d in report.devices.values() if d.status == "failed"):
        return
    from govnet.lab.state import load_state

    if load_state(workdir) is not None:
        _err(f"hint: a lab twin is up in {workdir}; add --lab to reach it instead of production")


@guarded
def play_cmd(
    playbook: Annotated[Path, typer.Argument(metavar="PLAYBOOK", help="The playbook YAML (see playbooks/).")],
    inventory: Path | None = inventory_option(),
    lab: LabOpt = False,
    workdir: WorkdirOpt = DEFAULT_WORKDIR,
    filter_: list[str] = FILTER_OPTION,
    commit: CommitOpt = False,
    batch_size: Annotated[
        int | None, typer.Option("--batch-size", min=1, metavar="N", show_default=False,
                                 help="Devices per batch in every deploy step (default: each step's own).")
    ] = None,
    set_: SetOpt = [],  # noqa: B006
    fmt: FormatOpt = ReportFormat.text,
    json_: JsonOpt = False,
    diffs: DiffsOpt = False,
    diff_file: DiffFileOpt = None,
    state_dir: StateOpt = None,
) -> None:
    """Run a playbook: provision the district, onboard a site, back up, audit drift.

    Each step prints its plan and one row per device; --filter narrows every step. A dry run's audit does
    not count what an earlier step would change.

    Example: govnet play playbooks/onboard-site.yaml --lab --set site=kf-acc-dongfenglu-c02 --commit

    Exit codes: 0 done; 1 drift or a failed step; 2 bad input (the playbook's file:line) or refused to
    start; 3 internal error; 130 interrupted.
    """
    from govnet.deploy import plan_view
    from govnet.deploy.intended import scope
    from govnet.deploy.nornir_setup import DeployTarget
    from govnet.deploy.playbook import PlaybookError, load_playbook, onboard_sites, run_playbook

    values: dict[str, str] = {}
    for item in set_:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise PlaybookError(f"--set {item!r}: use NAME=VALUE")
        values[key.strip()] = value.strip()
    book = load_playbook(playbook, values)
    options, booted = lab_facts(lab, workdir)
    target = DeployTarget.from_options(options)
    target.require_login()
    full = load_network_or_exit(inventory)
    if lab and booted is not None:
        _require_booted(full, onboard_sites(book), booted, workdir, playbook, values)
    network = scope(full, booted)
    result = run_playbook(book, network, target, commit=commit, lab=lab, filters=filter_ or None,
                          batch_size=batch_size, state_dir=target_state(state_dir, network, lab), echo=_err,
                          management=_probe(network, target) if commit else None)
    as_json = json_ or fmt is ReportFormat.json
    if diff_file is not None:
        _write(diff_file, "".join(f"### {t}\n{plan_view.diff_text(r)}" for t, r in result.reports))
    if as_json:
        steps = [{"step": t, "report": json.loads(plan_view.report_json(r, network))}
                 for t, r in result.reports]
        typer.echo(json.dumps({"steps": steps, "exit_code": result.exit_code,
                               "reports": [str(p) for p in result.paths]}, indent=1))
    else:
        for title, report in result.reports:
            _show(report, network, False, diffs=diffs, diff_file=None, plan=bool(report.batches), title=title)
        for path in result.paths:
            typer.echo(f"report: {path}")
        if diff_file is not None:
            typer.echo(f"diffs: {diff_file}")
    if any(r.halted.startswith("stopped by SIGINT") for _t, r in result.reports):
        raise typer.Exit(EXIT_INTERRUPTED)
    raise typer.Exit(result.exit_code)


def _require_booted(network: Any, sites: list[str], booted: list[str], workdir: Path, playbook: Path,
                    values: dict[str, str]) -> None:
    """An onboarding of a site the running twin lacks: say exactly what to run."""
    from govnet.deploy.playbook import onboard_targets
    from govnet.errors import GovnetError

    missing = sorted({n for site in sites for n in onboard_targets(network, site)} - set(booted))
    if not missing:
        return
    devices = ",".join([*booted, *(n for n in missing if n not in booted)])
    sets = " ".join(f"--set {k}={v}" for k, v in values.items())
    raise GovnetError(
        f"onboard: {', '.join(missing)} in the inventory but not booted in the lab twin ({workdir}); "
        "boot the twin with it, provision the rest, then onboard:\n"
        f"  sudo govnet lab down --workdir {workdir}\n"
        f"  sudo govnet lab up --workdir {workdir} --devices {devices}\n"
        f"  govnet play playbooks/provision-district.yaml --lab --workdir {workdir} --commit "
        f"--filter name={','.join(booted)}\n"
        f"  govnet play {playbook} --lab --workdir {workdir} {sets} --commit"
    )


def register_deploy(app: typer.Typer) -> None:
    """Mount diff, deploy and play on ``app``."""
    app.command("diff")(diff_cmd)
    app.command("deploy")(deploy_cmd)
    app.command("play")(play_cmd)
