"""The address plan pinned: renumbering a live network is the worst thing govnet can do.

Reviewed snapshots in ``tests/fixtures/plan/``: the shipped district (``govnet inventory plan``,
``/30`` links) and a generated three-district province (``/31`` links, a district with a missing
subdistrict, a non-contiguous district id), each with every interface address. Any change to an
existing allocation fails and is shown row by row; adding or removing a site changes only that
site's rows. After a reviewed change: ``GOVNET_UPDATE_GOLDEN=1 pytest tests/inventory/test_plan.py``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from golden_support import check_golden
from typer.testing import CliRunner

from govnet.inventory import load_network
from govnet.inventory.plan import plan_csv
from govnet.model import Network

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "inventory"
SNAPSHOTS = Path(__file__).resolve().parents[1] / "fixtures" / "plan"
HEADER = "kind,owner,item,value"
SHOWN = 30

Rows = dict[str, str]  # "kind,owner,item" -> value


# --- the province: three districts generated from the shipped one ---------------------------

PROVINCE = (
    # (district id, code, name, subdistrict ids left out)
    (1, "cs", "changsha-a", ()),
    (2, "yl", "yuelu", (13,)),  # one subdistrict fewer: later ids must not move
    (5, "xt", "xiangtan", (2, 7)),  # a gap in district ids and two holes in subdistrict ids
)


def _subdistrict(sub: int) -> str:
    """The pattern of one subdistrict entry (it may continue on the next line)."""
    return rf"\n  - \{{id: {sub},\s+name: [a-z]+,\s+title: [^,]+,\s+communities:[^}}]*\}}"


def generate_province(out: Path) -> Path:
    """Write the three-district province inventory (deterministic: same text every time)."""
    (out / "districts").mkdir(parents=True)
    shutil.copy(SHIPPED / "roles.yaml", out / "roles.yaml")
    network = (SHIPPED / "network.yaml").read_text(encoding="utf-8")
    assert network.count("p2p_prefixlen: 30") == 1
    (out / "network.yaml").write_text(network.replace("p2p_prefixlen: 30", "p2p_prefixlen: 31"),
                                      encoding="utf-8")
    template = (SHIPPED / "districts" / "kaifu.yaml").read_text(encoding="utf-8")
    for district, code, name, left_out in PROVINCE:
        text = template
        for sub in left_out:
            text, removed = re.subn(_subdistrict(sub), "", text)
            assert removed == 1, f"subdistrict {sub} not found"
        text, replaced = re.subn(r"district: \{id: 1, code: kf, name: kaifu, title: [^}]*\}",
                                 f"district: {{id: {district}, code: {code}, name: {name}, title: {name}}}",
                                 text)
        assert replaced == 1
        (out / "districts" / f"{code}.yaml").write_text(text, encoding="utf-8")
    return out


# --- rows and a readable diff ---------------------------------------------------------------


def interface_csv(network: Network) -> str:
    """Every interface address of every device (the link ends and attachment ends)."""
    rows = sorted(
        f"interface,{dev.name},{iface.name} to {iface.peer},{iface.ip}"
        + (f" vrf {iface.vrf}" if iface.vrf else "")
        for dev in network.devices.values()
        for iface in dev.interfaces
        if iface.ip is not None
    )
    return "\n".join([HEADER, *rows]) + "\n"


def parse_rows(text: str) -> Rows:
    lines = text.splitlines()
    assert lines and lines[0] == HEADER, "not a plan snapshot"
    rows: Rows = {}
    for line in lines[1:]:
        key, _, value = line.rpartition(",")
        assert key not in rows, f"two allocations for {key}"
        rows[key] = value
    return rows


def plan_diff(expected: str, actual: str) -> str:
    """Moved, new and vanished allocations, one per line (at most SHOWN of each)."""
    old, new = parse_rows(expected), parse_rows(actual)
    sections = {
        "MOVED (renumbers the live network)": [
            f"  {k}: {old[k]} -> {new[k]}" for k in sorted(old.keys() & new.keys()) if old[k] != new[k]],
        "VANISHED": [f"  {k}: {old[k]}" for k in sorted(old.keys() - new.keys())],
        "NEW": [f"  {k}: {new[k]}" for k in sorted(new.keys() - old.keys())],
    }
    out = []
    for title, lines in sections.items():
        if lines:
            out.append(f"{title}: {len(lines)} row(s)")
            out += lines[:SHOWN] + ([f"  ... {len(lines) - SHOWN} more"] if len(lines) > SHOWN else [])
    return "\n".join(out)


def _plan_via_cli(inventory: Path) -> str:
    from govnet.cli import app

    result = CliRunner().invoke(app, ["inventory", "plan", "--inventory", str(inventory)])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_province(tmp_path_factory.mktemp("province") / "inventory")


# --- the snapshots ------------------------------------------------------------------------------


def test_shipped_district_plan_matches_its_snapshot(network: Network) -> None:
    check_golden(SNAPSHOTS / "kaifu.csv", plan_csv(network), what="the shipped district's address plan",
                 differ=plan_diff)


def test_govnet_inventory_plan_prints_the_reviewed_plan() -> None:
    assert _plan_via_cli(SHIPPED) == (SNAPSHOTS / "kaifu.csv").read_text(encoding="utf-8")


def test_shipped_district_interfaces_match_their_snapshot(network: Network) -> None:
    check_golden(SNAPSHOTS / "kaifu-interfaces.csv", interface_csv(network),
                 what="the shipped district's interface addresses", differ=plan_diff)


def test_province_plan_matches_its_snapshot(province: Path) -> None:
    check_golden(SNAPSHOTS / "province.csv", plan_csv(load_network(province)),
                 what="the province's address plan", differ=plan_diff)


def test_province_interfaces_match_their_snapshot(province: Path) -> None:
    check_golden(SNAPSHOTS / "province-interfaces.csv", interface_csv(load_network(province)),
                 what="the province's interface addresses", differ=plan_diff)


def test_the_generator_is_deterministic(province: Path, tmp_path: Path) -> None:
    again = generate_province(tmp_path / "again")
    for rel in ("network.yaml", "roles.yaml", "districts/cs.yaml", "districts/yl.yaml", "districts/xt.yaml"):
        assert (province / rel).read_bytes() == (again / rel).read_bytes(), rel
    assert sorted(p.name for p in (province / "districts").iterdir()) == ["cs.yaml", "xt.yaml", "yl.yaml"]


def test_snapshots_cover_both_link_lengths_and_every_kind() -> None:
    kaifu = parse_rows((SNAPSHOTS / "kaifu.csv").read_text(encoding="utf-8"))
    prov = parse_rows((SNAPSHOTS / "province.csv").read_text(encoding="utf-8"))
    p2p = {k: v for k, v in kaifu.items() if k.startswith("p2p,")}
    assert p2p and all(v.endswith("/30") for v in p2p.values())
    p2p = {k: v for k, v in prov.items() if k.startswith("p2p,")}
    assert p2p and all(v.endswith("/31") for v in p2p.values())
    kinds = {"attachment", "loopback", "mgmt", "p2p", "rd", "rt", "site", "vlan"}
    assert {k.split(",")[0] for k in kaifu} == {k.split(",")[0] for k in prov} == kinds
    owners = {k.split(",")[1].split("-")[0] for k in prov if k.startswith("loopback,")}
    assert owners == {"cs", "yl", "xt"}
    assert not any("yl-agg-shaping" in k or "xt-agg-qingshuitang" in k for k in prov)
    # /31 ends are the subnet's two addresses: e.g. the core-core link of district 5
    ifaces = parse_rows((SNAPSHOTS / "province-interfaces.csv").read_text(encoding="utf-8"))
    core_link = prov[next(k for k in prov if k.startswith("p2p,xt-core-1--xt-core-2,"))]
    ends = sorted(v for k, v in ifaces.items() if ("xt-core-1," in k and "to xt-core-2" in k)
                  or ("xt-core-2," in k and "to xt-core-1" in k))
    base = core_link.split("/")[0]
    assert ends == [f"{base}/31", f"{base[:base.rindex('.') + 1]}{int(base.rsplit('.', 1)[1]) + 1}/31"]


def test_a_moved_allocation_fails_with_a_readable_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a renumbering looks like to the reviewer (the snapshot check itself is check_golden)."""
    monkeypatch.delenv("GOVNET_UPDATE_GOLDEN", raising=False)
    snapshot = (SNAPSHOTS / "kaifu.csv").read_text(encoding="utf-8")
    moved = snapshot.replace("loopback,kf-acc-dongfenglu-c08,LoopBack0,10.0.0.136/32",
                             "loopback,kf-acc-dongfenglu-c08,LoopBack0,10.0.0.137/32")
    assert moved != snapshot
    path = tmp_path / "kaifu.csv"
    path.write_text(snapshot, encoding="utf-8")
    with pytest.raises(pytest.fail.Exception) as info:
        check_golden(path, moved, what="the plan", differ=plan_diff)
    text = str(info.value)
    assert "MOVED (renumbers the live network): 1 row(s)" in text
    assert "  loopback,kf-acc-dongfenglu-c08,LoopBack0: 10.0.0.136/32 -> 10.0.0.137/32" in text
    assert "VANISHED" not in text and "NEW" not in text


def test_plan_diff_lists_vanished_and_new_rows_and_truncates() -> None:
    old = "\n".join([HEADER] + [f"loopback,d{i},LoopBack0,10.0.0.{i}/32" for i in range(40)]) + "\n"
    new = "\n".join([HEADER] + [f"loopback,d{i},LoopBack0,10.0.0.{i}/32" for i in range(1, 41)]) + "\n"
    shifted = "\n".join([HEADER] + [f"loopback,d{i},LoopBack0,10.0.1.{i}/32" for i in range(40)]) + "\n"
    assert plan_diff(old, new).splitlines() == [
        "VANISHED: 1 row(s)", "  loopback,d0,LoopBack0: 10.0.0.0/32",
        "NEW: 1 row(s)", "  loopback,d40,LoopBack0: 10.0.0.40/32",
    ]
    lines = plan_diff(old, shifted).splitlines()
    assert lines[0] == "MOVED (renumbers the live network): 40 row(s)"
    assert len(lines) == 1 + SHOWN + 1 and lines[-1] == "  ... 10 more"
    assert plan_diff(old, old) == ""


# --- adding or removing a site changes only that site's rows --------------------------------


def _belongs(key: str, device: str) -> bool:
    """A row is the site's own: its device, its uplink, or the parent's interface facing it."""
    kind, owner, item = key.split(",", 2)
    return owner == device or device in owner.split("--") or (kind == "interface" and f" to {device}" in item)


def _all_rows(inventory: Path) -> Rows:
    network = load_network(inventory)
    return parse_rows(plan_csv(network)) | parse_rows(interface_csv(network))


def _snapshot_rows() -> Rows:
    return parse_rows((SNAPSHOTS / "kaifu.csv").read_text(encoding="utf-8")) | parse_rows(
        (SNAPSHOTS / "kaifu-interfaces.csv").read_text(encoding="utf-8"))


SITE_CHANGES = [
    pytest.param('name: dongfenglu,   title: 东风路街道,   communities: "1-8"',
                 'name: dongfenglu,   title: 东风路街道,   communities: "1-9"',
                 "kf-acc-dongfenglu-c09", "added", (), id="add-community-last"),
    pytest.param('name: xinhe,        title: 新河街道,     communities: "1-8"',
                 'name: xinhe,        title: 新河街道,     communities: "1-8,12"',
                 "kf-acc-xinhe-c12", "added", (), id="add-community-after-a-gap"),
    pytest.param('name: dongfenglu,   title: 东风路街道,   communities: "1-8"',
                 'name: dongfenglu,   title: 东风路街道,   communities: "1-7"',
                 "kf-acc-dongfenglu-c08", "removed", (), id="remove-community-last"),
    pytest.param('name: qingshuitang, title: 清水塘街道,   communities: "1-8"',
                 'name: qingshuitang, title: 清水塘街道,   communities: "2-8"',
                 "kf-acc-qingshuitang-c01", "removed", (), id="remove-community-first"),
    pytest.param('name: wangluyuan,   title: 望麓园街道,   communities: "1-8"',
                 'name: wangluyuan,   title: 望麓园街道,   communities: "1-3,5-8"',
                 "kf-acc-wangluyuan-c04", "removed", (), id="remove-community-middle"),
    pytest.param("departments: [police, ltax]}", "departments: [police, ltax, court]}",
                 "kf-acc-dongfenglu-court", "added",
                 ("rd,kf-agg-dongfenglu,COURT",), id="add-department-site"),
    pytest.param("departments: [police, ltax]}", "departments: [ltax]}",
                 "kf-acc-dongfenglu-police", "removed",
                 ("rd,kf-agg-dongfenglu,POLICE",), id="remove-department-site"),
]


# ``parent_vrf``: a department site is the only one of its zone on its aggregation node, so the
# parent's VRF (its RD row) comes and goes with it; nothing else of the parent may change.
@pytest.mark.parametrize(("old", "new", "site", "change", "parent_vrf"), SITE_CHANGES)
def test_a_site_change_touches_only_that_sites_rows(
    inventory_copy: Path, old: str, new: str, site: str, change: str, parent_vrf: tuple[str, ...]
) -> None:
    path = inventory_copy / "districts" / "kaifu.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    before, after = _snapshot_rows(), _all_rows(inventory_copy)
    moved = {k: (before[k], after[k]) for k in before.keys() & after.keys() if before[k] != after[k]}
    assert moved == {}, "a site change renumbered other allocations"
    vanished, appeared = before.keys() - after.keys(), after.keys() - before.keys()
    touched = appeared if change == "added" else vanished
    untouched = vanished if change == "added" else appeared
    assert untouched == set()
    foreign = sorted(k for k in touched if not _belongs(k, site))
    assert foreign == list(parent_vrf), f"rows of other devices changed with {site}"
    kinds = {k.split(",")[0] for k in touched}
    assert {"loopback", "mgmt", "p2p", "site", "attachment", "rd", "interface"} <= kinds, kinds


def test_removing_a_subdistrict_leaves_the_other_districts_alone(province: Path, tmp_path: Path) -> None:
    smaller = tmp_path / "inventory"
    shutil.copytree(province, smaller)
    path = smaller / "districts" / "cs.yaml"
    text, removed = re.subn(_subdistrict(4), "", path.read_text(encoding="utf-8"))
    assert removed == 1
    path.write_text(text, encoding="utf-8")
    before = parse_rows((SNAPSHOTS / "province.csv").read_text(encoding="utf-8"))
    after = parse_rows(plan_csv(load_network(smaller)))
    assert after.items() <= before.items(), "removing a subdistrict moved or added allocations"
    gone = before.keys() - after.keys()
    assert gone and all("xiangyalu" in k for k in gone), sorted(gone)[:5]


# --- the two output formats, byte for byte ---------------------------------------------------


def test_plan_formats_are_exact(monkeypatch: pytest.MonkeyPatch, network: Network) -> None:
    """JSON (indent 1, UTF-8 kept) and CSV text of the same rows; a title stays readable."""
    from govnet.inventory import plan

    rows = [plan.PlanRow("vlan", "公用网络区", "PUBLIC", "100"),
            plan.PlanRow("rt", "public", "PUBLIC", "65010:1")]
    monkeypatch.setattr(plan, "address_plan", lambda _network: rows)
    assert plan.plan_json(network) == (
        '[\n {\n  "kind": "vlan",\n  "owner": "公用网络区",\n  "item": "PUBLIC",\n  "value": "100"\n },\n'
        ' {\n  "kind": "rt",\n  "owner": "public",\n  "item": "PUBLIC",\n  "value": "65010:1"\n }\n]\n'
    )
    assert plan.plan_csv(network) == (
        "kind,owner,item,value\nvlan,公用网络区,PUBLIC,100\nrt,public,PUBLIC,65010:1\n")


def test_plan_json_and_csv_carry_the_same_rows(network: Network) -> None:
    import json

    from govnet.inventory.plan import plan_json

    from_json = {f"{r['kind']},{r['owner']},{r['item']}": r["value"] for r in json.loads(plan_json(network))}
    assert from_json == parse_rows((SNAPSHOTS / "kaifu.csv").read_text(encoding="utf-8"))
