"""The deploy commands' CLI: helps with examples and exit codes, bad input as one line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from govnet.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("command", ["backup", "diff", "deploy", "play"])
def test_help_has_an_example_and_exit_codes(command: str) -> None:
    result = runner.invoke(app, [command, "-h"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Example" in result.output and "Exit codes" in result.output


def test_bad_filter_is_one_line_and_exit_2() -> None:
    result = runner.invoke(app, ["diff", "-i", str(ROOT / "inventory"), "--filter", "colour=red"])
    assert result.exit_code == 2
    assert "bad filter 'colour=red'" in result.output and "Traceback" not in result.output


def test_lab_without_a_twin_names_the_workdir(tmp_path: Path) -> None:
    args = ["deploy", "-i", str(ROOT / "inventory"), "--lab", "--workdir", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert f"{tmp_path}: no lab twin here" in result.output


def test_bad_playbook_names_file_and_line(tmp_path: Path) -> None:
    book = tmp_path / "bad.yaml"
    book.write_text("name: bad\nsteps:\n  - deploy: {batch_size: many}\n")
    result = runner.invoke(app, ["play", str(book)])
    assert result.exit_code == 2
    assert f"{book}:3: steps.0.deploy.batch_size" in result.output


def test_unknown_playbook_parameter_is_refused() -> None:
    result = runner.invoke(app, ["play", str(ROOT / "playbooks" / "audit.yaml"), "--set", "colour=red"])
    assert result.exit_code == 2 and "unknown parameter(s) colour" in result.output


def test_global_secrets_file_is_used_for_real_gear(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.env"
    secrets.write_text("GOVNET_SSH_PASSWORD=x\n")
    secrets.chmod(0o644)
    result = runner.invoke(app, ["diff", "-i", str(ROOT / "inventory"), "--secrets", str(secrets),
                                 "--filter", "name=kf-core-1"])
    assert result.exit_code == 2
    assert f"{secrets}: secrets file is readable by others" in result.output


def test_no_login_is_refused_before_any_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("GOVNET_SECRETS", "GOVNET_SSH_USER", "GOVNET_SSH_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    for command in (["diff"], ["deploy", "--commit"], ["deploy", "--recover"]):
        result = runner.invoke(app, [*command, "-i", str(ROOT / "inventory"), "--filter", "role=core"])
        assert result.exit_code == 2, result.output
        assert result.output.strip() == (
            "error: no device login: set GOVNET_SSH_USER and GOVNET_SSH_PASSWORD in the environment or a "
            "secrets file (--secrets FILE or $GOVNET_SECRETS); nothing was contacted")


def test_onboarding_a_site_the_twin_did_not_boot_says_exactly_what_to_run(tmp_path: Path) -> None:
    from govnet.cli.common import load_network_or_exit
    from govnet.cli.deploy import _require_booted
    from govnet.errors import GovnetError

    network = load_network_or_exit(ROOT / "inventory")
    booted = ["kf-core-1", "kf-core-2", "kf-agg-dongfenglu", "kf-acc-dongfenglu-c01"]
    book = ROOT / "playbooks" / "onboard-site.yaml"
    site = "kf-acc-dongfenglu-c02"
    with pytest.raises(GovnetError) as err:
        _require_booted(network, [site], booted, tmp_path, book, {"site": site})
    assert str(err.value).splitlines() == [
        f"onboard: {site} in the inventory but not booted in the lab twin ({tmp_path}); boot the twin "
        "with it, provision the rest, then onboard:",
        f"  sudo govnet lab down --workdir {tmp_path}",
        f"  sudo govnet lab up --workdir {tmp_path} --devices {','.join(booted)},{site}",
        f"  govnet play playbooks/provision-district.yaml --lab --workdir {tmp_path} --commit "
        f"--filter name={','.join(booted)}",
        f"  govnet play {book} --lab --workdir {tmp_path} --set site={site} --commit",
    ]
    _require_booted(network, ["kf-acc-dongfenglu-c01"], booted, tmp_path, book, {})  # booted: fine
