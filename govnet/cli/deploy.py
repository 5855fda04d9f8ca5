"""``govnet diff``, ``govnet deploy``, ``govnet play``: the push half.

Register with ``register_deploy(app)``. ``--lab`` reaches the running lab twin: its SSH ports,
booted devices and ``secrets.env`` come from ``govnet.lab.state`` here and are handed to the
deploy stage as values.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from govnet.cli.common import filter_option, guarded, inventory_option, load_network_or_exit
from govnet.cli.common import state as cli_state

DEFAULT_WORKDIR = Path("/var/tmp/govnet-lab")
EXIT_DRIFT = 1


FILTER_OPTION = filter_option()


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


LabOpt = Annotated[
    bool,
    typer.Option("--lab", metavar="", help="Reach the running lab twin (its SSH ports and secrets.env)."),
]
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
    return network, names, target, lambda: intended_configs(network, names, lab=lab,
                                                             credentials=target.credentials())


def target_state(state_root: Path | None, network: Any, lab: bool) -> Path:
    """This target's own state directory below the state root (lab and production never share)."""
    from govnet.deploy.lkg import default_state_dir, target_state_dir

    return target_state_dir(state_root or default_state_dir(), network.settings.name, lab)


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
    state_dir: StateOpt = None,
) -> None:
    """Intended vs running per device: the commands a push would send and a unified diff.

    Example: govnet diff --lab; govnet diff --filter role=core -f json

    Exit codes: 0 no drift, 1 drift, 2 bad input or a device could not be read, 3 internal error.
    """
    from govnet.deploy.rollout import deploy

    network, _names, target, configs = prepare_target(inventory, lab, workdir, filter_)
    report = deploy(network, configs(), target, _options(target_state(state_dir, network, lab), commit=False),
                    echo=_err)
    _show(report, json_ or fmt is ReportFormat.json, diffs=True)
    if any(d.status == "failed" for d in report.devices.values()):
        raise typer.Exit(2)
    raise typer.Exit(EXIT_DRIFT if report.drift else 0)


@guarded
def deploy_cmd(
    inventory: Path | None = inventory_option(),
    lab: LabOpt = False,
    workdir: WorkdirOpt = DEFAULT_WORKDIR,
    filter_: list[str] = FILTER_OPTION,
    commit: Annotated[
        bool, typer.Option("--commit", metavar="", help="Push (default: dry run, prints diffs).")
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
    fmt: FormatOpt = ReportFormat.text,
    json_: JsonOpt = False,
    state_dir: StateOpt = None,
) -> None:
    """Push the intended configs: dry run by default; --commit pushes in redundancy-safe batches.

    Each device commits with a confirm window, is verified (OSPF Full, BGP Established, links up)
    and confirmed, or rolled back by itself; a canary batch goes first and the rollout halts at
    --max-failures.

    Example: govnet deploy --lab --filter role=core; govnet deploy --lab --commit --batch-size 8

    Exit codes: 0 done (or dry run), 1 a device failed/rolled back or the rollout halted,
    2 bad input or another deploy holds the lock, 3 internal error.
    """
    from govnet.deploy.rollout import deploy, recover_network

    network, _names, target, configs = prepare_target(inventory, lab, workdir, filter_)
    options = _options(target_state(state_dir, network, lab), commit=commit, batch_size=batch_size,
                       max_failures=max_failures, verify_timeout=verify_timeout)
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
    _show(report, as_json, diffs=not commit)
    if path is not None and not as_json:
        typer.echo(f"report: {path}")
    if report.failed:
        raise typer.Exit(EXIT_DRIFT)


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _show(report: Any, as_json: bool, *, diffs: bool) -> None:
    if as_json:
        typer.echo(report.to_json())
        return
    if diffs:
        for dev in sorted(report.devices.values(), key=lambda d: d.device):
            if dev.commands:
                typer.echo(f"=== {dev.device}: {len(dev.commands)} command(s)")
                typer.echo("\n".join(dev.commands))
                typer.echo(dev.unified)
    if sys.stdout.isatty() and not os.environ.get("NO_RICH"):
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"govnet run {report.run_id} ({'commit' if report.commit else 'dry run'})")
        for col in ("device", "status", "batch", "commands", "seconds", "reason"):
            table.add_column(col)
        for dev in sorted(report.devices.values(), key=lambda d: d.device):
            table.add_row(dev.device, dev.status, str(dev.batch or ""), str(len(dev.commands)),
                          str(sum(dev.timings.values())), dev.reason[:80])
        Console().print(table)
    else:
        for dev in sorted(report.devices.values(), key=lambda d: d.device):
            typer.echo(f"{dev.device:32} {dev.status:12} {len(dev.commands):5} {dev.reason}")
    summary = {s: len(report.by_status(s)) for s in ("unchanged", "dry-run", "changed", "rolled-back",
                                                      "untouched", "failed")}
    typer.echo(", ".join(f"{v} {k}" for k, v in summary.items() if v) + f" in {report.seconds}s"
               + (f"; HALTED: {report.halted}" if report.halted else ""))


@guarded
def play_cmd(
    playbook: Annotated[Path, typer.Argument(metavar="PLAYBOOK", help="The playbook YAML (see playbooks/).")],
    inventory: Path | None = inventory_option(),
    lab: LabOpt = False,
    workdir: WorkdirOpt = DEFAULT_WORKDIR,
    commit: CommitOpt = False,
    set_: SetOpt = [],  # noqa: B006
    state_dir: StateOpt = None,
) -> None:
    """Run a playbook: provision the district, onboard a site, back up, audit drift.

    Example: govnet play playbooks/onboard-site.yaml --lab --set site=kf-acc-dongfenglu-c02 --commit

    Exit codes: 0 done, 1 drift or a failed step, 2 bad input (the playbook's file:line), 3 internal error.
    """
    from govnet.deploy.intended import scope
    from govnet.deploy.nornir_setup import DeployTarget
    from govnet.deploy.playbook import PlaybookError, load_playbook, run_playbook

    values: dict[str, str] = {}
    for item in set_:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise PlaybookError(f"--set {item!r}: use NAME=VALUE")
        values[key.strip()] = value.strip()
    book = load_playbook(playbook, values)
    options, booted = lab_facts(lab, workdir)
    target = DeployTarget.from_options(options)
    network = scope(load_network_or_exit(inventory), booted)
    result = run_playbook(book, network, target, commit=commit, lab=lab,
                          state_dir=target_state(state_dir, network, lab), echo=_err)
    for title, report in result.reports:
        typer.echo(f"--- {title}")
        _show(report, False, diffs=not report.commit)
    raise typer.Exit(result.exit_code)


def register_deploy(app: typer.Typer) -> None:
    """Mount diff, deploy and play on ``app``."""
    app.command("diff")(diff_cmd)
    app.command("deploy")(deploy_cmd)
    app.command("play")(play_cmd)
