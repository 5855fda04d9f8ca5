"""Every kind of bad inventory input: exit code 2 and one clear message naming file, key and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Edit
from typer.testing import CliRunner

from govnet.cli import app

runner = CliRunner()


def _validate(inventory: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["inventory", "validate", "--inventory", str(inventory)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stderr


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


DISTRICT = "districts/kaifu.yaml"

CASES = [
    pytest.param(
        DISTRICT,
        "{name: fw-2,    id: 3, role: firewall}",
        "{name: fw-1,    id: 3, role: firewall}",
        "duplicate host name kf-fw-1",
        "edge_devices[2]",
        id="duplicate-host",
    ),
    pytest.param(
        "network.yaml",
        "attach_pool: 10.32.0.0/12}",
        "attach_pool: 10.128.0.0/12}",
        "overlaps attach_pool",
        "zones[0].attach_pool",
        id="overlapping-prefixes-in-zone",
    ),
    pytest.param(
        DISTRICT,
        'title: 新河街道,     communities: "1-8"',
        'title: 新河街道, uplinks: [1, 1],     communities: "1-8"',
        "needs two uplinks to two distinct cores",
        "subdistricts[6].uplinks",
        id="single-homed-agg",
    ),
    pytest.param(
        DISTRICT,
        "departments: [ltax]}",
        "departments: [ltax], sites: [{id: 20, name: orphan, parent: nowhere}]}",
        "has no aggregation parent",
        "subdistricts[6].sites[0].parent",
        id="no-aggregation-parent",
    ),
    pytest.param(
        DISTRICT,
        "departments: [ltax]}",
        "departments: [ltax], sites: [{id: 20, name: stray, parent: tongtai}]}",
        "attached to another subdistrict's node (tongtai)",
        "subdistricts[6].sites[0].parent",
        id="wrong-subdistrict",
    ),
    pytest.param(
        DISTRICT,
        "platform: h3c_comware}",
        "platform: cisco_xr}",
        "unknown platform 'cisco_xr'",
        "subdistricts[11].platform",
        id="unknown-platform",
    ),
    pytest.param(
        DISTRICT,
        "{name: lb-1,    id: 4, role: load_balancer}",
        "{name: lb-1,    id: 4, role: router}",
        "unknown role 'router'",
        "edge_devices[3].role",
        id="unknown-role",
    ),
    pytest.param(
        DISTRICT,
        "  - {id: 1}\n",
        "  - {id: 1\n",
        "YAML syntax error",
        None,
        id="yaml-syntax",
    ),
    pytest.param(
        DISTRICT,
        "b_interface: GE0/0/1, zone: internet}",
        "b_interface: GE0/0/1, zone: nowhere}",
        "unknown zone 'nowhere'",
        "edge_links[0].zone",
        id="unknown-edge-zone",
    ),
    pytest.param(
        "network.yaml",
        "asn: 65010 ",
        "# asn removed ",
        "missing required key 'asn'",
        None,
        id="missing-key",
    ),
    pytest.param(
        "network.yaml",
        "asn: 65010 ",
        "asn: sixty-five ",
        "valid integer",
        "asn",
        id="wrong-type",
    ),
]


@pytest.mark.parametrize(("relpath", "old", "new", "message", "key"), CASES)
def test_bad_input_is_one_clear_error(
    inventory_copy: Path, edit: Edit, relpath: str, old: str, new: str, message: str, key: str | None
) -> None:
    edit(relpath, old, new)
    code, err = _validate(inventory_copy)
    assert code == 2
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert message in err
    path = inventory_copy / relpath
    anchor = new.splitlines()[0].strip() or new
    if "missing" in message:
        # a missing key has no line of its own: the message points at the mapping that lacks it
        expected_line = next(
            n for n, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if ln[:1].isalpha()
        )
    elif message == "YAML syntax error":
        expected_line = _line_of(path, anchor) + 1  # the parser stops at the next line
    else:
        expected_line = _line_of(path, anchor)
    located = f"error: {path}:{expected_line}: " + (f"{key}: " if key else "")
    assert err.startswith(located), f"expected {located!r}, got {err!r}"
    assert "(fix: " in err


def test_missing_inventory_directory(tmp_path: Path) -> None:
    code, err = _validate(tmp_path / "nope")
    assert code == 2 and "inventory directory not found" in err and "--inventory" in err


def test_pool_exhaustion_names_pool_and_need(inventory_copy: Path, edit: Edit) -> None:
    edit("network.yaml", "loopback: 10.0.0.0/15", "loopback: 10.0.0.0/26")
    code, err = _validate(inventory_copy)
    assert code == 2
    assert "pool loopback (10.0.0.0/26)" in err and "needed by kf-agg-" in err


def test_duplicate_host_across_district_files(inventory_copy: Path) -> None:
    src = (inventory_copy / DISTRICT).read_text(encoding="utf-8")
    (inventory_copy / "districts/kaifu2.yaml").write_text(
        src.replace("{id: 1, code: kf,", "{id: 2, code: kf,"), encoding="utf-8"
    )
    code, err = _validate(inventory_copy)
    assert code == 2 and "duplicate host name kf-" in err and "kaifu2.yaml" in err


def test_clean_inventory_validates(inventory_copy: Path) -> None:
    result = runner.invoke(app, ["inventory", "validate", "--inventory", str(inventory_copy)])
    assert result.exit_code == 0, result.output
    assert "139 devices" in result.stdout
