"""Validation is complete: what would break render or check is an inventory error at its line,
every error of a run is reported at once (sorted by file and line), with plain messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import Edit
from typer.testing import CliRunner

from govnet.cli import app

runner = CliRunner()
DISTRICT = "districts/kaifu.yaml"
ROOT_INVENTORY = Path(__file__).resolve().parents[2] / "inventory"


def _errors(inventory: Path) -> list[str]:
    result = runner.invoke(app, ["inventory", "validate", "-i", str(inventory)])
    assert "Traceback" not in result.output
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines and all(ln.startswith("error: ") for ln in lines), result.stderr
    return [ln.removeprefix("error: ") for ln in lines]


def _line(path: Path, needle: str) -> int:
    return next(n for n, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in ln)


CASES = [
    pytest.param(
        DISTRICT,
        "  - {id: 1}\n",
        "  - {id: 1, platform: h3c_comware}\n",
        "kf-core-1: platform h3c_comware has no core template",
        None,
        "use a platform with a core template: frr, huawei_vrp",
        id="core-without-template",
    ),
    pytest.param(
        "network.yaml",
        "vrf: COURT, vlan: 212",
        "vrf: POLICE, vlan: 212",
        "VRF name POLICE is also zone police's",
        "zones[3].vrf",
        "own VRF name",
        id="duplicate-vrf",
    ),
    pytest.param(
        "network.yaml",
        "vrf: INTERNET, vlan: 300",
        "vrf: INTERNET, vlan: 100",
        "VLAN 100 is also zone public's",
        "zones[1].vlan",
        "own VLAN",
        id="internet-vlan-clash",
    ),
    pytest.param(
        "network.yaml",
        "login_attempts: 3",
        "login_attempts: 5",
        "5 is outside the platform spec: login lockout after at most 3 failed attempts (GN-CFG-103)",
        "login_attempts",
        "set login_attempts to at most 3",
        id="login-attempts-over-spec",
    ),
    pytest.param(
        "network.yaml",
        "idle_timeout_minutes: 10 ",
        "idle_timeout_minutes: 30 ",
        "30 is outside the platform spec: idle sessions time out within 10 minutes (GN-CFG-104)",
        "idle_timeout_minutes",
        "at most 10",
        id="idle-timeout-over-spec",
    ),
    pytest.param(
        DISTRICT,
        "{name: fw-1,    id: 2, role: firewall}",
        "{nmae: fw-1,    id: 2, role: firewall}",
        "unknown key 'nmae'",
        "edge_devices[1].nmae",
        "did you mean 'name'?; keys: docs/inventory.md#edgedevicespec",
        id="misspelt-key-not-missing",
    ),
    pytest.param(
        DISTRICT,
        "name: xinhe,",
        "name: 新河,",
        "'name' must be lowercase letters, digits and '-' (got '新河')",
        "subdistricts[6].name",
        "put the display name in 'title:'",
        id="display-name-as-name",
    ),
    pytest.param(
        DISTRICT,
        "{name: lb-1,    id: 4, role: load_balancer}",
        "{name: lb-1,    id: 4, role: load_balancr}",
        "unknown role 'load_balancr'",
        "edge_devices[3].role",
        "did you mean 'load_balancer'?",
        id="misspelt-role",
    ),
    pytest.param(
        DISTRICT,
        "b_interface: GE0/0/1, zone: internet}",
        "b_interface: GE0/0/1, zone: internt}",
        "unknown zone 'internt'",
        "edge_links[0].zone",
        "did you mean 'internet'?",
        id="misspelt-zone",
    ),
    pytest.param(
        DISTRICT,
        "platform: h3c_comware}",
        "platform: h3c_comwar}",
        "unknown platform 'h3c_comwar'",
        "subdistricts[11].platform",
        "did you mean 'h3c_comware'?",
        id="misspelt-platform",
    ),
    pytest.param(
        "roles.yaml",
        "  core:\n",
        "  cor:\n",
        "unknown role 'cor'",
        "roles.cor",
        "did you mean 'core'?",
        id="misspelt-role-key",
    ),
    pytest.param(
        DISTRICT,
        'communities: "1-8", departments: [police, ltax]',
        'communities: "a-8", departments: [police, ltax]',
        "communities must be site ids like '1-8' or '1-3,5,7-9' (got 'a-8')",
        "subdistricts[0].communities",
        "correct the value",
        id="bad-site-ranges",
    ),
    pytest.param(
        "network.yaml",
        "ntp_servers: [10.254.0.11, 10.254.0.12]",
        "ntp_servers: [10.254.0.11]",
        "1 server(s) is outside the platform spec: at least 2 NTP servers (GN-CFG-106)",
        "ntp_servers",
        "set ntp_servers to at least 2 servers",
        id="one-ntp-server",
    ),
    pytest.param(
        "network.yaml",
        "asn: 65010 ",
        "asn: [65010] ",
        "'asn' must be a valid integer (a whole number) (got a list)",
        "asn",
        "write a number without quotes",
        id="list-for-a-number",
    ),
]


@pytest.mark.parametrize(("relpath", "old", "new", "message", "key", "fix"), CASES)
def test_located_plain_error(
    inventory_copy: Path,
    edit: Edit,
    relpath: str,
    old: str,
    new: str,
    message: str,
    key: str | None,
    fix: str,
) -> None:
    edit(relpath, old, new)
    errors = _errors(inventory_copy)
    path = inventory_copy / relpath
    where = f"{path}:{_line(path, new.strip().splitlines()[0])}: " + (f"{key}: " if key else "")
    hit = [e for e in errors if e.startswith(where) and message in e]
    assert hit, f"no {where!r} ... {message!r} in {errors}"
    assert fix in hit[0]


def test_every_error_at_once_sorted_by_file_and_line(inventory_copy: Path, edit: Edit) -> None:
    edit("network.yaml", "login_attempts: 3", "login_attempts: 5")
    edit("network.yaml", "vrf: COURT, vlan: 212", "vrf: POLICE, vlan: 212")
    edit(DISTRICT, "{name: fw-1,    id: 2, role: firewall}", "{nmae: fw-1,    id: 2, role: firewall}")
    edit(DISTRICT, "name: xinhe,", "name: 新河,")
    yml = inventory_copy / "districts" / "yuelu.yml"
    yml.write_text(
        (inventory_copy / DISTRICT)
        .read_text(encoding="utf-8")
        .replace("{id: 1, code: kf,", "{id: 2, code: yl,")
        .replace("{nmae: fw-1,", "{name: fw-1,")
        .replace("name: 新河,", "name: xinhe,")
        .replace("b_interface: GE0/0/1, zone: internet}", "b_interface: GE0/0/1, zone: nowhere}"),
        encoding="utf-8",
    )
    errors = _errors(inventory_copy)
    assert len(errors) == 5, errors
    keys = [(e.split(":")[0], int(e.split(":")[1])) for e in errors]
    assert keys == sorted(keys)
    assert [e.split(": ", 2)[1] for e in errors] == [
        "subdistricts[6].name",
        "edge_devices[1].nmae",
        "edge_links[0].zone",  # the .yml district is read, not ignored
        "login_attempts",
        "zones[3].vrf",
    ]
    assert str(yml) in errors[2]


def test_yml_and_yaml_of_the_same_file_is_an_error(inventory_copy: Path) -> None:
    (inventory_copy / "roles.yml").write_text((inventory_copy / "roles.yaml").read_text())
    errors = _errors(inventory_copy)
    assert errors == [
        f"{inventory_copy / 'roles.yml'}: both roles.yaml and roles.yml exist (fix: keep one roles file)"
    ]


def test_misspelt_group_member_gets_a_suggestion(inventory_copy: Path, edit: Edit) -> None:
    edit(
        DISTRICT,
        "firewall-pair, kind: devices, members: [fw-1, fw-2]",
        "firewall-pair, kind: devices, members: [fw-1, fw2]",
    )
    errors = _errors(inventory_copy)
    path = inventory_copy / DISTRICT
    line = _line(path, "members: [fw-1, fw2]")
    index = [g["name"] for g in yaml.safe_load(path.read_text())["groups"]].index("firewall-pair")
    assert errors == [
        f"{path}:{line}: groups[{index}].members[1]: group firewall-pair member 'fw2' is not a device "
        "of this district (fix: did you mean 'fw-2'? name devices as 'fw-1', links as 'lb-1--isp-telecom')"
    ]


def test_validate_json_lists_the_same_problems(inventory_copy: Path, edit: Edit) -> None:
    edit("network.yaml", "login_attempts: 3", "login_attempts: 5")
    edit(DISTRICT, "name: xinhe,", "name: 新河,")
    result = runner.invoke(app, ["inventory", "validate", "-i", str(inventory_copy), "-f", "json"])
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert [(Path(e["file"]).name, e["key"]) for e in data["errors"]] == [
        ("kaifu.yaml", "subdistricts[6].name"),
        ("network.yaml", "login_attempts"),
    ]
    assert all(e["line"] and e["message"] and e["fix"] for e in data["errors"])
    clean = runner.invoke(app, ["inventory", "validate", "-i", str(ROOT_INVENTORY), "-f", "json"])
    assert json.loads(clean.stdout)["ok"] is True and clean.exit_code == 0


def test_renaming_a_device_lists_every_stale_reference_in_one_run(inventory_copy: Path, edit: Edit) -> None:
    edit(DISTRICT, "{name: fw-1,    id: 2, role: firewall}", "{name: fw-a,    id: 2, role: firewall}")
    path = inventory_copy / DISTRICT
    referencing = {
        n
        for n, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "fw-1" in ln.split("#", 1)[0]
    }
    errors = _errors(inventory_copy)
    assert referencing and {int(e.split(":")[1]) for e in errors} == referencing
    assert all("fw-1" in e for e in errors)
