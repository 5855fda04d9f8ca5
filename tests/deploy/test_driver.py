"""The driver contract: one documented base class, NAPALM's terms, every platform's driver on it."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from govnet.deploy.driver import ConfigDiff, DeployError, DeviceDriver, DriverTarget
from govnet.deploy.drivers import driver_class
from govnet.deploy.drivers.keptwindow import KeptConfirmWindow
from govnet.deploy.drivers.vrp5 import UsgDriver, Vrp5Driver
from govnet.platforms import PLATFORMS

ROOT = Path(__file__).resolve().parents[2]
NAPALM_TERMS = (
    "open", "close", "get_config", "load_merge_candidate", "load_replace_candidate", "compare_config",
    "discard_config", "commit_config", "has_pending_commit", "confirm_commit", "rollback", "cli",
)
"""NAPALM's ``NetworkDriver`` configuration methods (napalm/base/base.py) govnet's drivers keep."""
DRIVEN = sorted(name for name, platform in PLATFORMS.items() if platform.driver)


def _public_methods() -> list[str]:
    return sorted(n for n, v in vars(DeviceDriver).items() if callable(v) and not n.startswith("_"))


def test_the_base_class_speaks_napalms_terms_and_documents_each_method() -> None:
    methods = _public_methods()
    assert set(NAPALM_TERMS) <= set(methods)
    for name in methods:
        doc = inspect.getdoc(getattr(DeviceDriver, name)) or ""
        assert len(doc.split()) >= 12, f"{name}: no docstring to implement it from"
        says_failure = "Raises" in doc or "never raises" in doc or "no-op" in doc or "By default" in doc
        assert says_failure, f"{name}: the docstring does not say what it raises"
    for name in ("compare_config", "residual", "has_pending_commit", "get_config", "cli"):
        assert inspect.signature(getattr(DeviceDriver, name)).return_annotation != "None", name
    assert "revert_in" in inspect.signature(DeviceDriver.commit_config).parameters


@pytest.mark.parametrize("platform", DRIVEN)
def test_every_platform_driver_is_a_complete_device_driver(platform: str) -> None:
    cls = driver_class(platform)
    assert issubclass(cls, DeviceDriver) and not inspect.isabstract(cls), cls


def test_immediate_platforms_keep_one_govnet_window() -> None:
    """VRP5, the USG/NIP, FRR and the Linux edge apply every line at once: their window is the
    one KeptConfirmWindow (no driver runs a timer of its own)."""
    immediate = {driver_class(p) for p in DRIVEN if PLATFORMS[p].change_model == "immediate"}
    assert {Vrp5Driver, UsgDriver} <= immediate
    assert all(issubclass(cls, KeptConfirmWindow) for cls in immediate), immediate
    drivers = ROOT / "govnet" / "deploy" / "drivers"
    timers = [p.name for p in drivers.glob("*.py") if "threading.Timer(" in p.read_text(encoding="utf-8")]
    assert timers == ["keptwindow.py"]


class _Recording(DeviceDriver):
    """A driver that records the session calls (the context manager's part of the contract)."""

    def __init__(self, target: DriverTarget) -> None:
        super().__init__(target)
        self.calls: list[str] = []

    def open(self) -> None:
        self.calls.append("open")

    def close(self) -> None:
        self.calls.append("close")

    def get_config(self) -> str:
        return ""

    def load_merge_candidate(self, config: str) -> None:
        self.calls.append(f"merge {config}")

    def load_replace_candidate(self, config: str) -> None:
        self.calls.append(f"replace {config}")

    def compare_config(self) -> ConfigDiff:
        self.calls.append("compare")
        return ConfigDiff(self.device, ("x",), "")

    def discard_config(self) -> None:
        self.calls.append("discard")

    def commit_config(self, revert_in: int | None = None) -> None:
        raise DeployError(f"{self.device}: refused")

    def has_pending_commit(self) -> bool:
        return False

    def confirm_commit(self) -> None:
        raise DeployError(f"{self.device}: no pending commit to confirm")

    def rollback(self) -> None:
        raise DeployError(f"{self.device}: nothing to roll back")

    def cli(self, command: str) -> str:
        return command


def test_the_context_manager_opens_and_always_closes() -> None:
    target = DriverTarget("r1", "frr", "127.0.0.1")
    with _Recording(target) as driver:
        assert driver.calls == ["open"] and driver.device == "r1" and driver.target is target
        assert driver.residual("a", replace=False).commands == ("x",)
        assert driver.residual("b", replace=True).commands == ("x",)
    loads = ["merge a", "compare", "discard", "replace b", "compare", "discard"]
    assert driver.calls == ["open", *loads, "close"]
    with pytest.raises(DeployError, match=r"^r1: refused"), _Recording(target) as failing:
        failing.commit_config(revert_in=60)
    assert failing.calls == ["open", "close"]


def test_no_private_name_is_imported_across_govnet_modules() -> None:
    found = []
    for path in sorted((ROOT / "govnet").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("govnet"):
                found += [f"{path.relative_to(ROOT)}: {a.name}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
    assert found == []
