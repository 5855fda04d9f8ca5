"""Sweep mutated inventories: either validate fails with located messages, or render and check
complete without an exception (no input reaches a traceback)."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from govnet.check import intended_from_rendered, run_checks
from govnet.errors import InventoryError, InventoryErrors, LocatedError
from govnet.inventory import load_network
from govnet.render import default_templates_dir, render_network

ROOT = Path(__file__).resolve().parents[2]
FILES = ("network.yaml", "roles.yaml", "districts/kaifu.yaml")
ORIGINAL = {name: yaml.safe_load((ROOT / "inventory" / name).read_text(encoding="utf-8")) for name in FILES}
VALUES: list[Any] = [
    -1, 0, 1, 2, 3, 31, 4095, 99999, "", "x", "新河", "core", "frr", "h3c_comware", "huawei_vrp",
    "appliance", "internet", "police", "10.0.0.0/8", "10.99.0.0/30", "1-40", None, True, [], {}, [1, 1],
    "fw-1", "core-1", "xinhe", "GigabitEthernet1/0/1", "PUBLIC", 100, 300, 576, 9216, "1-3,5",
]  # fmt: skip


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a mapping key or list item."""
    found: list[tuple[Any, ...]] = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _leaves(value, (*path, i))
    return found


def _mutate(data: Any, path: tuple[Any, ...], kind: str, value: Any) -> None:
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if kind == "delete":
        del parent[last]
    elif kind == "set":
        parent[last] = copy.deepcopy(value)  # never share (or nest) the pool's own lists and dicts
    elif kind == "rename" and isinstance(last, str):
        parent[last[:-1] or "x"] = parent.pop(last)
    elif kind == "duplicate" and isinstance(last, int):
        parent.insert(last, copy.deepcopy(parent[last]))


MUTATION = st.tuples(
    st.sampled_from(FILES),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(["delete", "set", "set", "rename", "duplicate"]),
    st.sampled_from(VALUES),
)


def _assert_located(exc: InventoryError, inventory: Path) -> None:
    errors: list[LocatedError] = exc.errors if isinstance(exc, InventoryErrors) else [exc]
    assert errors
    for err in errors:
        assert err.file is not None and err.file.startswith(str(inventory)), err
        assert err.message and err.hint, err
        assert "Input should be" not in err.message and "pydantic" not in err.message, err


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutations=st.lists(MUTATION, min_size=1, max_size=3))
def test_mutated_inventory_fails_validation_or_renders_and_checks(
    tmp_path_factory: Any, mutations: list[tuple[str, int, str, Any]]
) -> None:
    inventory = tmp_path_factory.mktemp("mutated") / "inventory"
    shutil.copytree(ROOT / "inventory", inventory)
    data = {name: yaml.safe_load(yaml.safe_dump(ORIGINAL[name])) for name in FILES}
    for name, pick, kind, value in mutations:
        leaves = _leaves(data[name])
        if leaves:
            _mutate(data[name], leaves[pick % len(leaves)], kind, value)
    for name in FILES:
        (inventory / name).write_text(yaml.safe_dump(data[name], allow_unicode=True), encoding="utf-8")
    try:
        network = load_network(inventory, templates_dir=default_templates_dir())
    except InventoryError as exc:
        _assert_located(exc, inventory)
        event("validate failed, located")
        return
    event("validated: rendered and checked")
    rendered = render_network(network, use_nornir=False)
    run_checks(network, intended_from_rendered(rendered))
    lab = render_network(network, lab=True, use_nornir=False)
    run_checks(network, intended_from_rendered(lab), lab=True)
