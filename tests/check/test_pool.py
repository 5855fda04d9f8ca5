"""The pooled check (``govnet.check.pool``) reports exactly what the serial engine reports.

On a generated two-district inventory whose templates are weakened (findings from config, cross
and intent rules, traced to template lines), and on a folder of configs with lines dropped at
random (parse errors, missing blocks, a stray file): the same results, findings and JSON bytes.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.generate import generate
from govnet.check import CheckReport, intended_from_rendered, read_configs, run_checks
from govnet.check.pool import check_network
from govnet.check.report import to_json, to_text
from govnet.inventory import load_network
from govnet.model import Network
from govnet.render import TEMPLATES_DIR, TEMPLATES_ENV, RenderError, render_network

WEAKENED = (
    # an access switch's MTU differs from its aggregation node's (GN-X-202)
    (" mtu {{ intf.mtu }}\n", ' mtu {{ 1400 if device.role == "access" else intf.mtu }}\n'),
    # no LDP on the core links of devices with an odd-length name (GN-CFG-110, GN-X-205)
    ("{% if intf.ldp %}\n mpls\n", "{% if intf.ldp and device.name | length is even %}\n mpls\n"),
    # telnet left to the default on some devices (GN-CFG-101)
    ("stelnet server enable\n", '{% if not device.name.endswith("7") %}stelnet server enable\n{% endif %}'),
)


def weaken(templates: Path) -> None:
    """Copy the shipped templates to ``templates`` with the WEAKENED lines."""
    shutil.copytree(TEMPLATES_DIR, templates)
    macros = templates / "huawei_vrp" / "_macros.j2"
    text = macros.read_text(encoding="utf-8")
    for old, new in WEAKENED:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    macros.write_text(text, encoding="utf-8")


def body(report: CheckReport) -> str:
    """The JSON report without its run time (the one field that varies)."""
    text = to_json(report)
    return text[: text.rindex('"timings"')]


@pytest.fixture(scope="module")
def weakened(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    """Two generated districts rendered with weakened templates ($GOVNET_TEMPLATES)."""
    root = tmp_path_factory.mktemp("pool")
    weaken(root / "templates")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(TEMPLATES_ENV, str(root / "templates"))
        edited = generate(2, root / "inventory")
        # an intent finding too: the internet link of d002's first core in the public zone
        district = edited / "districts" / "d002.yaml"
        text = district.read_text(encoding="utf-8")
        text = text.replace("b_interface: GE0/0/1, zone: internet", "b_interface: GE0/0/1, zone: public")
        district.write_text(text, encoding="utf-8")
        yield load_network(edited)


@pytest.fixture(scope="module")
def serial(weakened: Network) -> CheckReport:
    return run_checks(weakened, intended_from_rendered(render_network(weakened)))


def test_the_weakened_province_fails_config_cross_and_intent_rules(serial: CheckReport) -> None:
    failed = serial.failed_rule_ids
    assert {"GN-X-202", "GN-X-205", "GN-CFG-110", "GN-CFG-101", "GN-INT-010"} <= failed
    assert len(serial.findings) > 100
    assert any(f.config_location is not None for f in serial.findings)  # traced to a template line


def test_pooled_render_and_check_equals_serial(weakened: Network, serial: CheckReport) -> None:
    pooled, configs = check_network(weakened, workers=2)
    assert pooled.results == serial.results
    assert body(pooled) == body(serial)
    assert to_text(pooled).splitlines()[:-1] == to_text(serial).splitlines()[:-1]
    assert dict(configs) == intended_from_rendered(render_network(weakened))


def test_one_worker_and_rule_subsets_equal_serial(weakened: Network) -> None:
    configs = intended_from_rendered(render_network(weakened))
    for rules in (["GN-X-202", "GN-CFG-101"], ["GN-INT-010", "GN-X-204", "GN-CFG-100", "GN-INT-012"]):
        pooled, _ = check_network(weakened, rule_ids=rules, workers=1)
        assert body(pooled) == body(run_checks(weakened, configs, rules))


def _damaged_folder(network: Network, folder: Path, seed: int) -> None:
    """Every rendered config written to ``folder``, a fifth of them with lines dropped or doubled."""
    rng = random.Random(seed)
    folder.mkdir()
    for name, config in intended_from_rendered(render_network(network)).items():
        lines = config.text.splitlines()
        if rng.random() < 0.2:
            lines = [ln for ln in lines if rng.random() > 0.05]
            if lines and rng.random() < 0.3:
                section = rng.randrange(len(lines))
                lines.insert(section, lines[section])  # a section said twice does not parse
        if rng.random() > 0.02:  # a few devices lose their file (GN-CFG-100)
            (folder / f"{name}.cfg").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "notes.txt").write_text("sysname nobody\n", encoding="utf-8")  # a stray (GN-CFG-113)


@pytest.mark.parametrize("seed", [1, 2])
def test_pooled_folder_check_equals_serial(weakened: Network, tmp_path: Path, seed: int) -> None:
    _damaged_folder(weakened, tmp_path / "configs", seed)
    folder = read_configs(tmp_path / "configs", weakened)
    serial = run_checks(weakened, folder)
    assert {"GN-CFG-100", "GN-CFG-113"} <= serial.failed_rule_ids
    pooled, checked = check_network(weakened, configs=folder, workers=2)
    assert checked is folder
    assert pooled.results == serial.results
    assert body(pooled) == body(serial)


def test_a_template_error_is_the_serial_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(TEMPLATES_DIR, tmp_path / "templates")
    access = tmp_path / "templates" / "huawei_vrp" / "access.j2"
    access.write_text(access.read_text(encoding="utf-8") + "{{ device.no_such_field }}\n", encoding="utf-8")
    monkeypatch.setenv(TEMPLATES_ENV, str(tmp_path / "templates"))
    network = load_network(generate(1, tmp_path / "inventory"))
    with pytest.raises(RenderError) as serial:
        render_network(network)
    with pytest.raises(RenderError) as pooled:
        check_network(network, workers=2)
    assert (pooled.value.device, str(pooled.value)) == (serial.value.device, str(serial.value))
    assert "no_such_field" in str(pooled.value)
