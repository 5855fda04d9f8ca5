"""``govnet check --changed``: outcomes reused from ``build/check-cache`` give the full run's report.

A generated two-district inventory with weakened templates (findings in config, cross and intent
rules) is edited at random, edit after edit; after each, the incremental run (cache) and a full
serial run (no cache) must give the same JSON, and the incremental run must have re-checked only
the edited district.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from benchmarks.generate import generate
from check.test_pool import body, weaken
from govnet.check import CheckReport, intended_from_rendered, run_checks
from govnet.check.cache import FileCache
from govnet.check.pool import check_network
from govnet.cli.check import check_cmd
from govnet.inventory import load_network
from govnet.model import Network
from govnet.render import TEMPLATES_ENV, render_network

EDITS = (
    # two communities fewer (sites, links and their attachments go)
    ('communities: "1-8", departments: [court]}', 'communities: "1-6", departments: [court]}'),
    # a department site more
    ("departments: [ntax]}", "departments: [ntax, police]}"),
    # the other aggregation vendor for a subdistrict
    ("departments: [aic]}", "departments: [aic], platform: h3c_comware}"),
    # a subdistrict renamed (descriptions)
    ("title: 新河街道", "title: 新河街道二"),
    # a core-IPS link in the wrong zone (an intent finding)
    ("b_interface: GE0/0/1, zone: internet", "b_interface: GE0/0/1, zone: public"),
    # an ISP hand-off renamed
    ("b: isp-unicom, b_interface: unicom-cpe}", "b: isp-unicom, b_interface: unicom-cpe2}"),
)


@contextmanager
def weakened(tmp_path: Path, districts: int) -> Iterator[Path]:
    """``districts`` generated districts, checked with weakened templates, from inside ``tmp_path``."""
    weaken(tmp_path / "templates")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(TEMPLATES_ENV, str(tmp_path / "templates"))
        mp.chdir(tmp_path)
        yield generate(districts, tmp_path / "inventory")


@pytest.fixture
def inventory(tmp_path: Path) -> Iterator[Path]:
    """Two generated districts (:func:`weakened`)."""
    with weakened(tmp_path, 2) as path:
        yield path


def full(network: Network, serial: bool = False) -> CheckReport:
    """A full run: the serial engine, or the pool without a cache (the same report, test_check_speed)."""
    if serial:
        return run_checks(network, intended_from_rendered(render_network(network)))
    return check_network(network, workers=2)[0]


def in_file(network: Network, path: Path) -> set[str]:
    return {n for n, d in network.devices.items() if d.source.rpartition(":")[0] == str(path)}


def test_incremental_equals_full_after_random_edits(inventory: Path, tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "cache")
    network = load_network(inventory)
    first, _ = check_network(network, workers=1, cache=cache)
    assert cache.hits == 0
    assert body(first) == body(full(network, serial=True))
    again, _ = check_network(network, workers=1, cache=cache)
    assert cache.hits == len(network.devices)
    assert body(again) == body(first)
    rng = random.Random(24)
    districts = sorted((inventory / "districts").glob("*.yaml"))
    for old, new in rng.sample(EDITS, 3):
        district = rng.choice([d for d in districts if old in d.read_text(encoding="utf-8")])
        district.write_text(district.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        network = load_network(inventory)
        incremental, _ = check_network(network, workers=2, cache=cache)
        assert cache.hits == len(network.devices) - len(in_file(network, district)) > 0, (old, new)
        assert body(incremental) == body(full(network)), (old, new)
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == len(districts)  # stale entries pruned


def test_network_wide_inputs_invalidate_every_entry(inventory: Path, tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "cache")
    network = load_network(inventory)
    check_network(network, workers=2, cache=cache, rule_ids=["GN-CFG-101", "GN-X-202"])
    check_network(network, workers=2, cache=cache)  # other rules: other keys
    assert cache.hits == 0
    settings = inventory / "network.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("mtu: 1500", "mtu: 1600"), "utf-8")
    network = load_network(inventory)
    changed, _ = check_network(network, workers=2, cache=cache)
    assert cache.hits == 0
    assert body(changed) == body(full(network, serial=True))
    macros = tmp_path / "templates" / "huawei_vrp" / "_macros.j2"
    macros.write_text(macros.read_text(encoding="utf-8").replace("stelnet", "stelnet ", 1), "utf-8")
    check_network(network, workers=2, cache=cache)
    assert cache.hits == 0


app = typer.Typer()
app.command("check")(check_cmd)


@app.command("noop")
def _noop() -> None:  # a second command keeps "check" a subcommand, as in govnet's CLI
    """Unused."""


def test_cli_changed_reuses_its_cache_and_reports_the_same(inventory: Path, tmp_path: Path) -> None:
    def check(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, ["check", "-i", str(inventory), "-f", "json", *args])
        assert "Traceback" not in result.output
        return result.exit_code, result.stdout.partition('"timings"')[0]

    plain = check("--jobs", "1")
    assert plain[0] == 1  # the weakened templates fail error rules
    assert check("--changed") == plain
    entries = sorted((tmp_path / "build" / "check-cache").glob("*.pickle"))
    assert len(entries) == 2
    assert check("--changed", "--jobs", "2") == plain
    assert sorted((tmp_path / "build" / "check-cache").glob("*.pickle")) == entries
    assert check("--changed", "--configs", str(tmp_path)) == (2, "")
