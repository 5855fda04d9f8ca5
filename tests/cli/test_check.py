"""``govnet check``: exit codes 0/1/2, the four formats, --rules, --configs, --out, --filter, --lab."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import typer
from spec_support import INVENTORY, rendered
from typer.testing import CliRunner

from govnet.check import load_rules
from govnet.check.context import CheckReport, Finding, Location, RuleResult
from govnet.check.report import only_devices
from govnet.cli.check import check_cmd
from govnet.inventory import load_network

RULE_COUNT = len(load_rules().rules)  # one JUnit suite and one SARIF rule per spec rule

app = typer.Typer()
app.command("check")(check_cmd)


@app.command("noop")
def _noop() -> None:  # a second command keeps "check" a subcommand, as in govnet's CLI
    """Unused."""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", "--inventory", str(INVENTORY), *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_shipped_district_checks_clean() -> None:
    code, out, _ = run()
    assert code == 0, out
    assert re.match(
        rf"ok: kaifu-extranet: {RULE_COUNT} rules, \d+ configs, 0 error\(s\)", out.splitlines()[-1]
    )


def test_json_format() -> None:
    code, out, _ = run("--format", "json")
    data = json.loads(out)
    assert code == 0 and data["summary"]["exit_code"] == 0 and data["findings"] == []
    assert {r["status"] for r in data["results"]} == {"pass", "not_applicable"}
    assert all(r["reason"] for r in data["results"] if r["status"] == "not_applicable")


def test_junit_one_testcase_per_rule_and_device() -> None:
    code, out, _ = run("--format", "junit")
    root = ET.fromstring(out)
    cases = root.findall("./testsuite/testcase")
    assert code == 0 and len(root.findall("./testsuite")) == RULE_COUNT
    assert len(cases) == len({(c.get("classname"), c.get("name")) for c in cases}) >= 2000
    skipped = [c for c in cases if c.find("skipped") is not None]
    assert skipped and all("not applicable" in (c.find("skipped").get("message") or "") for c in skipped)  # type: ignore[union-attr]


def test_sarif_format_and_output_file(tmp_path: Path) -> None:
    out_file = tmp_path / "reports" / "govnet.sarif"
    code, out, _ = run("--format", "sarif", "--out", str(out_file))
    assert code == 0 and out == ""
    sarif = json.loads(out_file.read_text())
    assert sarif["version"] == "2.1.0" and len(sarif["runs"][0]["tool"]["driver"]["rules"]) == RULE_COUNT


def test_rules_subset_skips_rendering() -> None:
    code, out, _ = run("--rules", "GN-INT-001,GN-INT-002", "--format", "json")
    data = json.loads(out)
    assert code == 0 and {r["rule_id"] for r in data["results"]} == {"GN-INT-001", "GN-INT-002"}
    assert data["summary"]["configs"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--rules", "GN-INT-001,GN-NOPE-1"), "unknown rule id GN-NOPE-1"),
        (("--rules", ","), "--rules needs at least one rule id"),
        (("--format", "xml"), "unknown format 'xml'"),
        (("--configs", "/nonexistent/dir"), "is not a readable directory"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1


def test_bad_inventory_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", "--inventory", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and result.stderr.startswith("error: ")
    assert "Traceback" not in result.output


def _inventory_copy(tmp_path: Path) -> Path:
    inv = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inv)
    return inv


def test_broken_inventory_exits_1(tmp_path: Path) -> None:
    inv = _inventory_copy(tmp_path)
    district = inv / "districts" / "kaifu.yaml"
    text = district.read_text()
    line = next(x for x in text.splitlines() if "name: firewall-pair" in x)
    district.write_text(text.replace(line + "\n", ""))
    result = CliRunner().invoke(app, ["check", "--inventory", str(inv), "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert {f["rule_id"] for f in data["findings"]} == {"GN-INT-006"}
    assert data["findings"][0]["location"]["path"].endswith("districts/kaifu.yaml")


def _write(configs: dict, directory: Path) -> None:  # type: ignore[type-arg]
    directory.mkdir(parents=True, exist_ok=True)
    for name, config in configs.items():
        (directory / f"{name}.cfg").write_text(config.text)


def test_configs_dir_clean_then_broken(tmp_path: Path) -> None:
    configs = rendered()
    _write(configs, tmp_path / "cfg")
    assert run("--configs", str(tmp_path / "cfg"))[0] == 0
    core = tmp_path / "cfg" / "kf-core-1.cfg"
    core.write_text(core.read_text().replace("undo telnet server enable", "telnet server enable"))
    code, out, _ = run("--configs", str(tmp_path / "cfg"))
    assert code == 1
    header, *findings, summary = out.splitlines()
    assert header.startswith("GN-CFG-101 [error] ") and "finding(s); fix: " in header  # the hint once
    assert any(
        f.startswith("  ") and "kf-core-1.cfg:" in f and "kf-core-1: telnet server enabled" in f
        for f in findings
    )
    assert summary.startswith("FAIL: ")


def test_configs_dir_missing_file_is_a_finding(tmp_path: Path) -> None:
    configs = rendered()
    del configs["kf-acc-dongfenglu-c01"]
    _write(configs, tmp_path / "cfg")
    code, out, _ = run("--configs", str(tmp_path / "cfg"), "--format", "json")
    data = json.loads(out)
    assert code == 1 and {f["rule_id"] for f in data["findings"]} == {"GN-CFG-100"}


def test_lab_configs_check_clean() -> None:
    code, out, _ = run("--lab-configs")
    assert code == 0, out


def test_filter_keeps_the_selected_devices_results(tmp_path: Path) -> None:
    _write(rendered(), tmp_path / "cfg")
    core = tmp_path / "cfg" / "kf-core-1.cfg"
    core.write_text(core.read_text().replace("undo telnet server enable", "telnet server enable"))
    args = ("--configs", str(tmp_path / "cfg"), "--rules", "GN-CFG-101", "--format", "json")
    code, out, _ = run(*args, "--filter", "name=kf-core-2")
    data = json.loads(out)
    assert code == 0 and {r["device"] for r in data["results"]} == {"kf-core-2"}
    code, out, _ = run(*args, "--filter", "role=core")
    data = json.loads(out)
    assert code == 1 and {f["device"] for f in data["findings"]} == {"kf-core-1"}
    assert data["summary"]["configs"] == 2


def test_text_report_groups_by_rule_with_real_paths_only(tmp_path: Path) -> None:
    from govnet.check.context import CheckReport, Finding, Location, RuleResult
    from govnet.check.report import to_text

    template = tmp_path / "core.j2"
    template.write_text("x\n" * 20)
    spec = load_rules()
    rule = spec.rule("GN-CFG-101")
    in_memory = Location("build/intended-not-written/kf-core-1.cfg", 40)
    findings = tuple(
        Finding(rule.id, rule.severity, dev, loc, "telnet server enabled", rule.hint, cfg)
        for dev, loc, cfg in (
            ("kf-core-1", Location(str(template), 12), in_memory),
            ("kf-core-2", Location("build/intended-not-written/kf-core-2.cfg", 41), None),
        )
    )
    report = CheckReport("net", [rule], [RuleResult(rule.id, "kf-core-1", "fail", findings)], 2)
    lines = to_text(report).splitlines()
    assert lines[0] == f"GN-CFG-101 [error] {rule.title}: 2 finding(s); fix: {rule.hint}"
    assert lines[1] == f"  {template}:12: kf-core-1: telnet server enabled (rendered config line 40)"
    assert lines[2] == "  kf-core-2: telnet server enabled (rendered config line 41)"
    assert lines[3].startswith("FAIL: net: 1 rules, 2 configs, 2 error(s)") and len(lines) == 4
    assert "intended-not-written" not in to_text(report)


def test_one_template_line_on_many_devices_is_one_line(tmp_path: Path) -> None:
    from govnet.check.context import CheckReport, Finding, Location, RuleResult
    from govnet.check.report import to_text

    template = tmp_path / "_macros.j2"
    template.write_text("x\n" * 400)
    rule = load_rules().rule("GN-CFG-101")
    devices = [f"kf-acc-{i:02d}" for i in range(1, 6)]
    findings = tuple(
        Finding(rule.id, rule.severity, dev, Location(str(template), 313), "telnet server enabled", rule.hint,
                Location(f"nowhere/{dev}.cfg", 145 + (dev == "kf-acc-05")))
        for dev in devices
    )  # fmt: skip
    report = CheckReport("net", [rule], [RuleResult(rule.id, "kf-acc-01", "fail", findings)], 5)
    lines = to_text(report).splitlines()
    assert lines[1] == (
        f"  {template}:313: 5 devices (kf-acc-01, kf-acc-02, kf-acc-03 and 2 more): telnet server enabled "
        "(rendered config lines vary)"
    )
    assert len(lines) == 3  # header, the one grouped line, summary


def test_only_devices_keeps_the_selected_results_and_findings_about_them() -> None:
    network = load_network(INVENTORY)
    loc = Location("inventory/network.yaml")

    def finding(device: str) -> Finding:
        return Finding("GN-X", "error", device, loc, f"about {device}", "fix it")

    report = CheckReport(
        "kf",
        [],
        [
            RuleResult("GN-A", "kf-core-1", "fail", (finding("kf-core-1"),)),
            RuleResult("GN-A", "kf-core-2", "fail", (finding("kf-core-2"),)),
            # a network-wide result: keeps only the findings about the selection or no device
            RuleResult("GN-N", "network", "fail", tuple(map(finding, ("kf-core-2", "kf-core-1", "isp")))),
            RuleResult("GN-M", "network", "fail", (finding("kf-core-2"),)),
        ],
    )
    only = only_devices(report, {"kf-core-1"}, network, ["kf-core-1", "kf-core-2"])
    assert [(r.rule_id, r.device, r.status) for r in only.results] == [
        ("GN-A", "kf-core-1", "fail"),
        ("GN-N", "network", "fail"),
        ("GN-M", "network", "pass"),  # failed only about an unselected device
    ]
    assert [f.device for f in only.results[1].findings] == ["kf-core-1", "isp"]
    assert only.devices_checked == 1 and report.devices_checked == 0
