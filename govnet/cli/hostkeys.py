"""``govnet hostkeys``: the SSH host keys govnet trusts, per target (lab or production).

Every driver refuses a device whose key is not on record (unknown) or differs from it
(changed), naming the device, the address and both fingerprints. Keys are recorded only here:
``trust`` reads each device's key without logging in and prints the fingerprints it records;
``import`` takes them from an inventory of fingerprints (known_hosts format). The twin's keys
are recorded by ``govnet lab up`` itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from govnet.cli.common import emit_table, guarded, inventory_option, load_network_or_exit
from govnet.cli.deploy import (
    DEFAULT_WORKDIR,
    FILTER_OPTION,
    FormatOpt,
    JsonOpt,
    LabOpt,
    ReportFormat,
    StateOpt,
    WorkdirOpt,
    lab_facts,
    target_state,
)

hostkeys_app = typer.Typer(
    help="SSH host keys govnet trusts, per target (lab or production): every driver refuses an unknown "
    "or changed key, naming the device, the address and both fingerprints.\n\n"
    "Example: govnet hostkeys trust --filter role=core && govnet hostkeys list\n\n"
    "Exit codes: 0 every device trusted, 1 a device unreachable, unlisted or in conflict, 2 bad input.",
    no_args_is_help=True)
ReplaceOpt = Annotated[
    bool, typer.Option("--replace", metavar="",
                       help="Replace a different key already on record (after checking the device).")
]
COLUMNS = ("device", "address", "status", "fingerprint", "detail")


def _reach(inventory: Path | None, lab: bool, workdir: Path, filters: list[str], state_root: Path | None
           ) -> tuple[list[Any], Path, Path | None]:
    """The selected devices' addresses on this target, its known_hosts, the twin's."""
    from govnet.deploy.hostkey_trust import Reach
    from govnet.deploy.hostkeys import known_hosts_path
    from govnet.deploy.intended import scope, select
    from govnet.deploy.nornir_setup import DeployTarget

    options, booted = lab_facts(lab, workdir)
    target = DeployTarget.from_options(options)
    network = scope(load_network_or_exit(inventory), booted)
    names = select(network, filters, lab=lab)
    if lab:
        reach = [Reach(n, "127.0.0.1", target.lab_ports[n]) for n in names if n in target.lab_ports]
    else:
        reach = [Reach(n, str(network.devices[n].mgmt_ip.ip), None) for n in names]
    path = known_hosts_path(target_state(state_root, network, lab))
    return reach, path, target.twin_known_hosts


def _emit(results: list[Any], fmt: ReportFormat, json_: bool) -> None:
    rows = [{c: getattr(r, c) for c in COLUMNS} for r in results]
    emit_table(rows, COLUMNS, "json" if json_ else fmt.value)
    if not all(r.ok for r in results):
        raise typer.Exit(1)


@hostkeys_app.command("trust")
@guarded
def trust_cmd(
    inventory: Path | None = inventory_option(),
    lab: LabOpt = False,
    workdir: WorkdirOpt = DEFAULT_WORKDIR,
    filter_: list[str] = FILTER_OPTION,
    replace: ReplaceOpt = False,
    state_dir: StateOpt = None,
    fmt: FormatOpt = ReportFormat.text,
    json_: JsonOpt = False,
) -> None:
    """Read each device's SSH host key (no login) and record it as trusted for this target.

    Compare the printed fingerprints with the devices' own before the first deploy. A device whose
    recorded key differs is a conflict (both fingerprints shown) and is left as it was unless
    --replace.

    Example: govnet hostkeys trust --filter role=core

    Exit codes: 0 every key recorded or already trusted, 1 a device unreachable or in conflict,
    2 bad input.
    """
    from govnet.deploy.hostkey_trust import trust_devices

    reach, path, _twin = _reach(inventory, lab, workdir, filter_, state_dir)
    _emit(trust_devices(reach, path, replace=replace), fmt, json_)


@hostkeys_app.command("import")
@guarded
def import_cmd(
    source: Annotated[Path, typer.Argument(metavar="FILE", help="Fingerprints in known_hosts format.")],
    inventory: Path | None = inventory_option(),
    lab: LabOpt = False,
    workdir: WorkdirOpt = DEFAULT_WORKDIR,
    filter_: list[str] = FILTER_OPTION,
    replace: ReplaceOpt = False,
    state_dir: StateOpt = None,
    fmt: FormatOpt = ReportFormat.text,
    json_: JsonOpt = False,
) -> None:
    """Record the keys an inventory of fingerprints (known_hosts lines) lists for the devices.

    Example: govnet hostkeys import /etc/govnet/fingerprints

    Exit codes: 0 every device listed and recorded, 1 a device not listed or in conflict, 2 bad input.
    """
    from govnet.deploy.hostkey_trust import import_keys

    reach, path, _twin = _reach(inventory, lab, workdir, filter_, state_dir)
    _emit(import_keys(source, path, reach, replace=replace), fmt, json_)


@hostkeys_app.command("list")
@guarded
def list_cmd(
    inventory: Path | None = inventory_option(),
    lab: LabOpt = False,
    workdir: WorkdirOpt = DEFAULT_WORKDIR,
    filter_: list[str] = FILTER_OPTION,
    state_dir: StateOpt = None,
    fmt: FormatOpt = ReportFormat.text,
    json_: JsonOpt = False,
) -> None:
    """The key trusted for each device on this target, and where it is recorded.

    Example: govnet hostkeys list --lab

    Exit codes: 0 every device has a trusted key, 1 some have none, 2 bad input.
    """
    from govnet.deploy.hostkey_trust import TrustResult
    from govnet.deploy.hostkeys import HostKeyCheck

    reach, path, twin = _reach(inventory, lab, workdir, filter_, state_dir)
    results = []
    for r in reach:
        check = HostKeyCheck(r.device, r.hostname, r.port, [path, *([twin] if twin else [])])
        keys = ", ".join(f"{k.key_type} {k.fingerprint}" for k in check.trusted)
        results.append(TrustResult(r.device, check.address, "already trusted" if keys else "not trusted",
                                   keys, "" if keys else f"no key in {path}"))
    _emit(results, fmt, json_)
