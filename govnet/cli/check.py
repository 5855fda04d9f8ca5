"""``govnet check``: the platform spec as a CI gate (exit 0 clean, 1 with errors, 2 on bad input).

Register with ``app.command("check")(check_cmd)``.

Without ``--configs`` the inventory is rendered first (nothing is written) and config findings point
at ``build/intended/<device>.cfg`` (what ``govnet render`` writes) and, where traceable, at the
template line. With ``--configs DIR`` the configs are read from ``DIR/<device>.cfg``; a renderable
device without its file is a GN-CFG-100 finding (exit 1), an unreadable DIR a usage error (exit 2).
"""

from __future__ import annotations

from pathlib import Path

import typer

from govnet.check import IntendedConfig, intended_from_rendered, read_configs, run_checks
from govnet.check.report import FORMATS, render_report
from govnet.check.rules import load_rules
from govnet.cli.common import fail, guarded, inventory_option, load_network_or_exit


def _rule_ids(rules: str | None) -> list[str] | None:
    if rules is None:
        return None
    ids = [r.strip() for r in rules.split(",") if r.strip()]
    if not ids:
        raise fail("--rules needs at least one rule id, e.g. --rules GN-CFG-101,GN-X-204")
    return ids


_INVENTORY = inventory_option()
_FORMAT = typer.Option("text", "--format", help="text|json|junit|sarif")
_RULES = typer.Option(None, "--rules", help="Only these rule ids, comma-separated.")
_CONFIGS = typer.Option(
    None, "--configs", help="Check DIR/<device>.cfg instead of rendering (configs produced elsewhere)."
)
_OUTPUT = typer.Option(None, "--output", "-o", help="Write the report here instead of stdout.")
_LAB = typer.Option(False, "--lab", help="Check the lab twin's configs (frr) instead of production.")


@guarded
def check_cmd(
    inventory: Path | None = _INVENTORY,
    format_: str = _FORMAT,
    rules: str | None = _RULES,
    configs: Path | None = _CONFIGS,
    output: Path | None = _OUTPUT,
    lab: bool = _LAB,
) -> None:
    """Check the model and the intended configs against the platform spec."""
    if format_ not in FORMATS:
        raise fail(f"unknown format {format_!r}: use one of {', '.join(FORMATS)}")
    spec = load_rules()
    selected = spec.select(_rule_ids(rules))
    network = load_network_or_exit(inventory)
    intended: dict[str, IntendedConfig] = {}
    if any(rule.kind != "intent" for rule in selected):
        intended = _intended(network, configs, lab)
    report = run_checks(network, intended, [r.id for r in selected], spec=spec, lab=lab)
    text = render_report(report, format_)
    if output is None:
        typer.echo(text, nl=False)
    else:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise fail(f"cannot write {output}: {exc.strerror}") from None
    raise typer.Exit(report.exit_code)


def _intended(network: object, configs: Path | None, lab: bool) -> dict[str, IntendedConfig]:
    from govnet.model import Network

    assert isinstance(network, Network)
    if configs is not None:
        if not configs.is_dir():
            raise fail(f"--configs {configs} is not a readable directory")
        try:
            return read_configs(configs, network, lab=lab)
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(f"cannot read configs from {configs}: {exc}") from None
    from govnet.render import render_network

    return intended_from_rendered(render_network(network, lab=lab, progress=False))
