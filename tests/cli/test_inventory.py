"""``govnet inventory show|graph|plan`` and the global ``--secrets`` option."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govnet.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
INV = str(ROOT / "inventory")


def test_show_json_is_the_documented_shape() -> None:
    result = runner.invoke(app, ["inventory", "show", "--inventory", INV, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"devices", "links", "groups"}
    assert set(data["devices"][0]) == {
        "name",
        "role",
        "platform",
        "model",
        "site",
        "subdistrict",
        "title",
        "mgmt_ip",
        "loopback",
    }
    assert set(data["links"][0]) == {"id", "a", "a_interface", "b", "b_interface", "subnet"}
    assert set(data["groups"][0]) == {"name", "kind", "members"}
    assert len(data["devices"]) == 139


def test_show_filters_by_role() -> None:
    result = runner.invoke(
        app, ["inventory", "show", "--inventory", INV, "--role", "aggregation", "--format", "json"]
    )
    data = json.loads(result.stdout)
    assert {d["role"] for d in data["devices"]} == {"aggregation"} and len(data["devices"]) == 13
    assert all("agg" in lk["a"] + lk["b"] for lk in data["links"])


def test_show_table() -> None:
    result = runner.invoke(app, ["inventory", "show", "--inventory", INV, "--role", "core"])
    assert result.exit_code == 0 and "kf-core-1" in result.stdout and "10.0.0.9" in result.stdout


def test_inventory_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GOVNET_INVENTORY", INV)
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["inventory", "validate"]).exit_code == 0


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz is installed by make setup")
def test_graph_svg_shows_every_device_and_pair(tmp_path: Path) -> None:
    out = tmp_path / "topo.svg"
    result = runner.invoke(app, ["inventory", "graph", "--inventory", INV, "--out", str(out)])
    assert result.exit_code == 0, result.output
    svg = ET.parse(out).getroot()
    titles = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")}
    assert {"kf-core-1", "kf-core-2", "kf-fw-1", "kf-agg-xinhe", "kf-acc-xinhe-c03"} <= titles
    assert "cluster_kf-firewall-pair" in titles and "cluster_kf-core-pair" in titles
    assert "kf-core-1--kf-agg-xinhe" in titles  # edges are titled tail--head


def test_graph_dot_output(tmp_path: Path) -> None:
    out = tmp_path / "topo.dot"
    assert runner.invoke(app, ["inventory", "graph", "--inventory", INV, "--out", str(out)]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "kf-core-1 -- kf-core-2" in text or '"kf-core-1" -- "kf-core-2"' in text


def test_plan_is_stable_csv() -> None:
    first = runner.invoke(app, ["inventory", "plan", "--inventory", INV]).stdout
    second = runner.invoke(app, ["inventory", "plan", "--inventory", INV]).stdout
    assert first == second
    assert first.startswith("kind,owner,item,value\n")
    assert "loopback,kf-core-1,LoopBack0,10.0.0.9/32" in first
    assert "rt,police,POLICE,65010:11" in first


def test_secrets_option_rejects_world_readable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVNET_SECRETS", "")  # the option sets it; monkeypatch restores it afterwards
    secrets = tmp_path / "s.env"
    secrets.write_text("GOVNET_SSH_PASSWORD=x\n", encoding="utf-8")
    secrets.chmod(0o644)
    result = runner.invoke(
        app, ["--secrets", str(secrets), "render", "--inventory", INV, "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "chmod 600" in result.stderr and "Traceback" not in result.output


def test_graph_one_district_of_a_province(tmp_path: Path) -> None:
    from benchmarks.generate import generate

    inv = generate(3, tmp_path / "province")
    out = tmp_path / "d002.dot"
    result = runner.invoke(
        app, ["inventory", "graph", "--inventory", str(inv), "--district", "d002", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "d002-core-1" in text and "d001-" not in text and "d003-" not in text
    bad = runner.invoke(
        app, ["inventory", "graph", "--inventory", str(inv), "--district", "zz", "--out", str(out)]
    )
    assert bad.exit_code == 2 and "no such district" in bad.stderr
