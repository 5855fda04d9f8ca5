"""Property: whatever sites exist, a site's addresses depend only on its own keys."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govnet.inventory import load_network
from govnet.inventory.plan import PlanRow, address_plan

ROOT = Path(__file__).resolve().parents[2]
SUBDISTRICTS = ("qingshuitang", "xinhe", "shaping")


def _ranges(ids: list[int]) -> str:
    return ",".join(str(i) for i in sorted(ids))


def _plan_with(tmp: Path, sites: dict[str, list[int]]) -> dict[tuple[str, str, str], str]:
    inv = tmp / "inventory"
    if inv.exists():
        shutil.rmtree(inv)
    shutil.copytree(ROOT / "inventory", inv)
    path = inv / "districts" / "kaifu.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        for name, ids in sites.items():
            if f"name: {name}," in line:
                before, _, rest = line.partition('communities: "')
                _, _, after = rest.partition('"')
                lines[i] = f'{before}communities: "{_ranges(ids)}"{after}'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows: list[PlanRow] = address_plan(load_network(inv))
    return {(r.kind, r.owner, r.item): r.value for r in rows}


site_sets = st.fixed_dictionaries(
    {name: st.lists(st.integers(1, 24), min_size=1, max_size=10, unique=True) for name in SUBDISTRICTS}
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=site_sets, second=site_sets)
def test_shared_allocations_never_move(
    tmp_path: Path, first: dict[str, list[int]], second: dict[str, list[int]]
) -> None:
    a = _plan_with(tmp_path / "a", first)
    b = _plan_with(tmp_path / "b", second)
    shared = a.keys() & b.keys()
    assert shared, "the rest of the district is always there"
    moved = {k: (a[k], b[k]) for k in shared if a[k] != b[k]}
    assert moved == {}
    # and every value is unique where it must be: loopbacks and p2p subnets
    for plan in (a, b):
        loopbacks = [v for k, v in plan.items() if k[0] == "loopback"]
        subnets = [v for k, v in plan.items() if k[0] == "p2p"]
        assert len(loopbacks) == len(set(loopbacks)) and len(subnets) == len(set(subnets))
