"""One CLI grammar: -h, examples and exit codes in every help, --version, global options after the
subcommand, one error convention (no traceback; --debug shows one), the per-command conveniences."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from govnet.cli import app
from govnet.cli.common import hoist_globals

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
INV = str(ROOT / "inventory")


def _commands(group: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for info in group.registered_commands:
        found.append((*prefix, info.name or (info.callback.__name__ if info.callback else "")))
    for sub in group.registered_groups:
        assert sub.typer_instance is not None and sub.name
        found += _commands(sub.typer_instance, (*prefix, sub.name))
    return found


COMMANDS = _commands(app)
PUSH_AND_POLL = ["backup", "diff", "deploy", "play", "monitor"]


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) or "govnet" for p in COMMANDS])
def test_every_help_has_an_example_and_exit_codes(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "-h"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, result.output
    if len(path) != 1 or path[0] not in ("inventory", "lab"):  # groups: their commands say it
        assert "Exit codes" in result.output or path[:2] == ("lab", "fault"), result.output


@pytest.mark.parametrize("command", PUSH_AND_POLL)
def test_push_and_poll_commands_share_the_option_grammar(command: str) -> None:
    text = runner.invoke(app, [command, "-h"], terminal_width=200).output
    options = [ln for ln in text.splitlines() if "--help" not in ln]
    assert not any("<bool>" in ln or "<list" in ln for ln in options), text
    inventory = [ln.split() for ln in options if "--inventory" in ln]
    assert len(inventory) == 1 and inventory[0][1:4] == ["--inventory", "-i", "DIR"], text
    if command not in ("play", "monitor"):  # the commands that select devices
        selection = [ln.split() for ln in options if "--filter " in ln and "KEY=GLOB" in ln]
        assert len(selection) == 1 and selection[0][1:3] == ["--filter", "KEY=GLOB"], text


@pytest.mark.parametrize("command", ["diff", "deploy"])
def test_report_commands_take_format_and_json(command: str) -> None:
    text = runner.invoke(app, [command, "-h"], terminal_width=200).output
    assert "--format" in text and "text|json" in text and "--json" in text
    bad = runner.invoke(app, [command, "-i", INV, "-f", "xml"])
    assert bad.exit_code == 2 and "'xml' is not one of 'text', 'json'" in bad.stderr


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("govnet ")


def test_hoist_globals_leaves_values_of_other_options_alone() -> None:
    assert hoist_globals(["render", "-o", "--debug-dir", "--debug"]) == [
        "--debug",
        "render",
        "-o",
        "--debug-dir",
    ]
    assert hoist_globals(["check", "--", "--debug"]) == ["check", "--", "--debug"]


@pytest.mark.parametrize("before", [True, False], ids=["before", "after"])
def test_secrets_before_and_after_the_subcommand(tmp_path: Path, before: bool) -> None:
    secrets = tmp_path / "s.env"
    secrets.write_text("GOVNET_SSH_USER=netops\n", encoding="utf-8")
    secrets.chmod(0o600)
    cmd = ["render", "-i", INV, "--filter", "name=kf-core-1", "-o", "-"]
    args = ["--secrets", str(secrets), *cmd] if before else [*cmd, "--secrets", str(secrets)]
    env_before = dict(os.environ)
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "netops" in result.stdout and "sysname kf-core-1" in result.stdout
    assert dict(os.environ) == env_before  # passed as a value, never through the environment


def test_errors_are_one_line_and_debug_shows_the_traceback(tmp_path: Path) -> None:
    plain = runner.invoke(app, ["inventory", "validate", "-i", str(tmp_path / "nope")])
    assert plain.exit_code == 2 and plain.stderr.startswith("error: ") and "Traceback" not in plain.output
    debug = runner.invoke(app, ["inventory", "validate", "-i", str(tmp_path / "nope"), "--debug"])
    assert debug.exit_code == 2 and "Traceback" in debug.stderr and "error: " in debug.stderr


def test_lab_commands_take_only_the_options_they_use() -> None:
    for path in (["lab", "status"], ["lab", "down"], ["lab", "fault", "heal"]):
        assert "--inventory" not in runner.invoke(app, [*path, "-h"], terminal_width=200).output
    assert "--inventory" in runner.invoke(app, ["lab", "up", "-h"], terminal_width=200).output
    result = runner.invoke(app, ["lab", "status", "-i", INV])
    assert result.exit_code == 2 and "No such option" in result.output


def test_show_table_is_plain_sorted_by_role_with_model_and_title() -> None:
    result = runner.invoke(app, ["inventory", "show", "-i", INV])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    header = lines[0].split()
    assert header == [
        "NAME",
        "ROLE",
        "PLATFORM",
        "MODEL",
        "SITE",
        "SUBDISTRICT",
        "TITLE",
        "MGMT_IP",
        "LOOPBACK",
    ]
    roles = [ln.split()[1] for ln in lines[1:]]
    assert roles[:2] == ["core", "core"] and roles[2] == "aggregation"
    assert roles.index("access") > max(i for i, r in enumerate(roles) if r == "aggregation")
    assert all("…" not in ln for ln in lines)  # never truncated, whatever the width
    assert any("10.240.0.71" in ln and "新河街道" in ln and "S7706" in ln for ln in lines)


def test_show_csv_and_unknown_role() -> None:
    csv_out = runner.invoke(app, ["inventory", "show", "-i", INV, "--role", "core", "-f", "csv"]).stdout
    assert csv_out.splitlines()[0] == "name,role,platform,model,site,subdistrict,title,mgmt_ip,loopback"
    assert len(csv_out.splitlines()) == 3
    bad = runner.invoke(app, ["inventory", "show", "-i", INV, "--role", "cores"])
    assert bad.exit_code == 2 and bad.stdout == ""
    assert (
        bad.stderr == "error: --filter role=cores: no role 'cores' in the inventory (did you mean 'core'?)\n"
    )


def test_show_one_device_is_its_render_context() -> None:
    result = runner.invoke(app, ["inventory", "show", "kf-agg-xinhe", "-i", INV, "-f", "json"])
    data = json.loads(result.stdout)
    assert data["name"] == "kf-agg-xinhe" and data["role"] == "aggregation"
    assert {s["peer"] for s in data["bgp_sessions"]} == {"kf-core-1", "kf-core-2"}
    assert data["groups"] == ["kf-uplinks-xinhe"]  # the link group of its two uplinks
    assert any(i["vrf"] == "PUBLIC" for i in data["interfaces"])
    assert {v["name"] for v in data["vrfs"]} >= {"PUBLIC", "INTERNET"}
    text = runner.invoke(app, ["inventory", "show", "kf-agg-xinhe", "-i", INV]).stdout
    assert "bgp_sessions (2)" in text and "interfaces (" in text
    missing = runner.invoke(app, ["inventory", "show", "kf-agg-xinh", "-i", INV])
    assert missing.exit_code == 2 and "did you mean 'kf-agg-xinhe'?" in missing.stderr


def test_rules_list_and_explain() -> None:
    listing = runner.invoke(app, ["rules", "-f", "csv"]).stdout.splitlines()
    assert listing[0] == "id,severity,kind,title,source" and any(
        ln.startswith("GN-CFG-103,") for ln in listing
    )
    explained = runner.invoke(app, ["rules", "GN-CFG-103"]).stdout
    assert "Login locked after at most 3 failed attempts" in explained
    assert (
        "source:    GB/T 22239-2019 8.1.4.1 b)" in explained
        and "fix:" in explained
        and "checks:" in explained
    )
    data = json.loads(runner.invoke(app, ["rules", "gn-cfg-103", "-f", "json"]).stdout)
    assert data["params"] == {"max_attempts": 3} and data["checks"]
    # a rule whose check is a function, not patterns, shows the function's docstring (every family)
    for rule_id, doc in (
        ("GN-CFG-131", "One finding per rendered line that matches no command of the platform in its view."),
        ("GN-INT-008", "A zone (and each of its VRFs) imports another zone's target only under a named "
                       "exception."),
    ):
        checks = json.loads(runner.invoke(app, ["rules", rule_id, "-f", "json"]).stdout)["checks"]
        assert checks[0] == doc, (rule_id, checks)
    bad = runner.invoke(app, ["rules", "GN-CFG-13"])
    assert bad.exit_code == 2 and "unknown rule id GN-CFG-13" in bad.stderr


def test_render_filter_selecting_no_rendering_device_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", "-i", INV, "--filter", "name=kf-srv-1", "-o", str(tmp_path / "o")])
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.startswith("note: nothing to render: the 1 selected device(s)")
    assert "hosts selected" not in result.output and not (tmp_path / "o").exists()


def test_render_prunes_stale_configs_of_renamed_devices(tmp_path: Path) -> None:
    out = tmp_path / "intended"
    out.mkdir()
    (out / "kf-agg-oldname.cfg").write_text("stale\n")
    (out / "notes.txt").write_text("kept\n")
    result = runner.invoke(app, ["render", "-i", INV, "-o", str(out), "--filter", "role=core"])
    assert result.exit_code == 0, result.output
    assert not (out / "kf-agg-oldname.cfg").exists() and (out / "notes.txt").exists()
    assert (out / "kf-core-1.cfg").exists()
    assert "removed 1 stale file(s) of devices no longer rendered: kf-agg-oldname.cfg" in result.stderr


def test_render_prunes_policy_files_of_gateways_no_longer_in_the_inventory(tmp_path: Path) -> None:
    out = tmp_path / "intended"
    out.mkdir()
    (out / "kf-isogw-old.policy.yaml").write_text("stale\n")
    (out / "kf-isogw-1.policy.yaml").write_text("written by an earlier run\n")
    (out / "kf-core-1.policy.yaml").write_text("not a gateway\n")
    result = runner.invoke(app, ["render", "-i", INV, "-o", str(out), "--filter", "role=core"])
    assert result.exit_code == 0, result.output
    assert not (out / "kf-isogw-old.policy.yaml").exists() and not (out / "kf-core-1.policy.yaml").exists()
    # a gateway still in the inventory keeps its file, though this run did not select it
    assert (out / "kf-isogw-1.policy.yaml").read_text() == "written by an earlier run\n"
    removed = "kf-core-1.policy.yaml, kf-isogw-old.policy.yaml"
    assert f"removed 2 stale file(s) of devices no longer rendered: {removed}" in result.stderr
    lab = runner.invoke(app, ["render", "-i", INV, "-o", str(out), "--filter", "role=core", "--lab-configs"])
    assert lab.exit_code == 0, lab.output
    assert (out / "kf-isogw-1.policy.yaml").exists() and "removed" not in lab.stderr


def test_render_stdout_needs_one_device() -> None:
    result = runner.invoke(app, ["render", "-i", INV, "-o", "-", "--filter", "role=core"])
    assert result.exit_code == 2 and "--out - prints one config; 2 selected" in result.stderr


def test_check_out_file_prints_the_summary_on_stderr(tmp_path: Path) -> None:
    report = tmp_path / "check.json"
    result = runner.invoke(
        app, ["check", "-i", INV, "--rules", "GN-INT-001", "-f", "json", "-o", str(report)]
    )
    assert result.stdout == ""
    assert result.stderr.startswith(("ok: ", "FAIL: ")) and f"report in {report}" in result.stderr
    first = json.loads(report.read_text())
    runner.invoke(app, ["check", "-i", INV, "--rules", "GN-INT-001", "-f", "json", "-o", str(report)])
    second = json.loads(report.read_text())
    assert set(first["timings"]) == {"seconds"} and "seconds" not in first["summary"]
    first.pop("timings"), second.pop("timings")
    assert first == second


def test_inventory_copy_with_a_yml_district_is_read(tmp_path: Path) -> None:
    inv = tmp_path / "inventory"
    shutil.copytree(INV, inv)
    (inv / "districts" / "kaifu.yaml").rename(inv / "districts" / "kaifu.yml")
    result = runner.invoke(app, ["inventory", "validate", "-i", str(inv)])
    assert result.exit_code == 0 and "139 devices" in result.stdout


def test_a_bug_is_one_line_and_exit_3_unless_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    import govnet.inventory.plan

    def broken(network: object) -> str:
        raise KeyError("kf-core-9")

    monkeypatch.setattr(govnet.inventory.plan, "plan_csv", broken)
    result = runner.invoke(app, ["inventory", "plan", "-i", INV])
    assert result.exit_code == 3 and "Traceback" not in result.output
    assert result.stderr.splitlines() == [
        "error: internal error: KeyError: 'kf-core-9' "
        "(a govnet bug: rerun with --debug for the traceback and report it)"
    ]
    debug = runner.invoke(app, ["inventory", "plan", "-i", INV, "--debug"])
    assert isinstance(debug.exception, KeyError)  # --debug lets it through: Python prints the traceback


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["inventory", "show", "-i", INV, "-f", "xml"], "'xml' is not one of 'table', 'csv', 'json'"),
        (["--bogus"], "No such option: --bogus"),
        (["render", "--nope"], "No such option: --nope"),
    ],
)
def test_usage_errors_are_one_error_line(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.splitlines()) == 1 and " -h')" in result.stderr


def test_missing_templates_directory_is_one_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["render", "-i", INV, "--templates", str(tmp_path / "nope"), "-o", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {tmp_path / 'nope'}: templates directory not found "
        "(fix: pass --templates DIR or set GOVNET_TEMPLATES to the templates/ directory)"
    ]


def test_shell_completion_knows_commands_and_options() -> None:
    def complete(words: str) -> list[str]:
        env = {
            "_GOVNET_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - 1),
        }
        return runner.invoke(app, [], env=env, prog_name="govnet").stdout.split()

    assert complete("govnet inv") == ["inventory"]
    assert complete("govnet inventory show --f") == ["--filter", "--format"]


def test_plan_and_graph_take_the_device_filter(tmp_path: Path) -> None:
    plan = runner.invoke(app, ["inventory", "plan", "-i", INV, "--filter", "role=core"]).stdout.splitlines()
    owners = {row.split(",")[1] for row in plan[1:] if row.split(",")[0] in ("loopback", "mgmt", "rd")}
    assert owners == {"kf-core-1", "kf-core-2"}
    dot = tmp_path / "xinhe.dot"
    result = runner.invoke(
        app, ["inventory", "graph", "-i", INV, "--filter", "subdistrict=xinhe", "-o", str(dot)]
    )
    assert result.exit_code == 0, result.output
    text = dot.read_text(encoding="utf-8")
    assert "kf-agg-xinhe" in text and "kf-acc-xinhe-c01" in text and "kf-core-1" not in text


@pytest.mark.parametrize("command", [["check"], ["inventory", "show"], ["inventory", "plan"], ["rules"]])
def test_json_is_format_json_on_every_reporting_command(command: list[str]) -> None:
    inventory = ["-i", INV] if command[0] != "rules" else []
    plain = runner.invoke(app, [*command, *inventory, "-f", "json"])
    alias = runner.invoke(app, [*command, *inventory, "--json"])
    assert plain.exit_code == alias.exit_code == 0, alias.output
    same, other = json.loads(alias.stdout), json.loads(plain.stdout)
    if isinstance(same, dict):
        same.pop("timings", None), other.pop("timings", None)
    assert same == other


def test_top_level_help_has_one_exit_code_table_with_diff_and_deploy() -> None:
    text = " ".join(runner.invoke(app, ["-h"], terminal_width=400).output.split())
    for words in ("drift (diff, audit)", "(deploy, play, backup, restore)", "130 interrupted",
                  "--json is -f json on every command that reports", "--lab-configs"):
        assert words in text, text


def _callbacks(group: typer.Typer) -> list[tuple[str, object]]:
    found = [(info.name or "", info.callback) for info in group.registered_commands]
    for sub in group.registered_groups:
        assert sub.typer_instance is not None
        found += _callbacks(sub.typer_instance)
    return found


@pytest.mark.parametrize("name,callback", _callbacks(app), ids=[n for n, _c in _callbacks(app)])
def test_help_paragraphs_are_never_broken_mid_sentence(name: str, callback: object) -> None:
    """Help shows a docstring's line breaks as they are: each paragraph must be one line (the
    terminal wraps it), which ``guarded`` makes of the wrapped source."""
    doc = getattr(callback, "__doc__", None) or ""
    assert doc.strip(), f"{name} has no help"
    for paragraph in doc.split("\n\n"):
        assert "\n" not in paragraph.strip(), (name, paragraph)


REPORTING = [["backup"], ["restore"], ["diff"], ["deploy"], ["play"], ["monitor"], ["status"], ["check"],
             ["lab", "status"], ["inventory", "show"], ["inventory", "plan"], ["inventory", "validate"],
             ["rules"]]


@pytest.mark.parametrize("command", REPORTING, ids=[" ".join(c) for c in REPORTING])
def test_every_reporting_command_takes_format(command: list[str]) -> None:
    text = runner.invoke(app, [*command, "-h"], terminal_width=200).output
    rows = [ln.split() for ln in text.splitlines() if "--format" in ln]
    assert rows and rows[0][1:3] == ["--format", "-f"], text
