"""The shipped district inventory: the network of the 2011 Kaifu report, resolved."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import Edit

from govnet.deploy.driver import DeployError
from govnet.deploy.intended import select
from govnet.inventory import load_network
from govnet.inventory.plan import address_plan, plan_json
from govnet.model import FilterError, Network


def test_district_shape(network: Network) -> None:
    roles = Counter(d.role for d in network.devices.values())
    assert roles["core"] == 2
    assert roles["aggregation"] == 13
    communities = [d for d in network.by_role("access") if d.site.rsplit("-", 1)[-1][1:].isdigit()]
    assert len(communities) == 102
    for role in ("firewall", "ips", "load_balancer", "vpn_gateway", "isolation_gateway", "server"):
        assert roles[role] >= 1, role
    assert roles["firewall"] == 2 and roles["server"] == 2
    departments = {z for d in network.by_role("access") for z in d.zones} - {"public", "internet"}
    assert departments == {"police", "court", "procuratorate", "ntax", "ltax", "aic"}


def test_aggregation_dual_homed_to_both_cores(network: Network) -> None:
    cores = {c.name for c in network.by_role("core")}
    for agg in network.by_role("aggregation"):
        uplinks = [lk for lk in network.links_of(agg.name) if lk.kind == "core-aggregation"]
        assert {lk.a for lk in uplinks} == cores, agg.name
        assert all(lk.ldp and lk.b == agg.name for lk in uplinks)


def test_access_sites_hang_off_their_own_subdistrict(network: Network) -> None:
    for acc in network.by_role("access"):
        parents = [lk.a for lk in network.links_of(acc.name)]
        assert parents == [f"kf-agg-{acc.subdistrict}"], acc.name


def test_redundancy_groups_are_first_class(network: Network) -> None:
    kinds = {g.name: g for g in network.groups}
    assert kinds["kf-core-pair"].members == ("kf-core-1", "kf-core-2")
    assert kinds["kf-firewall-pair"].kind == "devices"
    assert len(kinds["kf-isp-pair"].members) == 2 and kinds["kf-isp-pair"].kind == "links"
    assert len(kinds["kf-upstream-pair"].members) == 2
    assert len(kinds["kf-dc-pair"].members) == 2
    assert len([g for g in network.groups if g.name.startswith("kf-uplinks-")]) == 13


def test_zones_have_unique_route_targets(network: Network) -> None:
    rts = [z.route_target for z in network.zones.values()]
    assert len(rts) == len(set(rts))
    assert {z.kind for z in network.zones.values()} == {"public", "private", "internet"}
    rds = [v.rd for d in network.devices.values() for v in d.vrfs]
    assert len(rds) == len(set(rds))


def test_externals_are_not_managed_devices(network: Network) -> None:
    assert {e.split("-", 1)[1] for e in network.externals} == {
        "isp-telecom",
        "isp-unicom",
        "municipal-extranet",
        "provincial-extranet",
        "office-intranet",
    }
    assert not set(network.externals) & set(network.devices)


def test_lab_platforms_are_the_same_topology(network: Network) -> None:
    for dev in network.devices.values():
        assert dev.lab_platform in {"frr", "nftables", "linux"}
    assert network.devices["kf-agg-laodaohe"].platform == "h3c_comware"


def test_interfaces_match_links(network: Network) -> None:
    for link in network.links:
        a = network.devices[link.a].interface(link.a_interface)
        assert a.ip == link.a_ip and a.peer == link.b and link.id in a.description
        if not link.external:
            b = network.devices[link.b].interface(link.b_interface)
            assert b.ip == link.b_ip and b.peer == link.a
        assert link.a_ip.network == link.subnet == link.b_ip.network
        assert link.a_ip != link.b_ip


def test_plan_is_byte_identical(network: Network) -> None:
    again = load_network(network.source_dir)
    assert plan_json(again) == plan_json(network)


def test_adding_and_removing_sites_renumbers_nothing_else(inventory_copy: Path, edit: Edit) -> None:
    before = {(r.kind, r.owner, r.item): r.value for r in address_plan(load_network(inventory_copy))}
    edit("districts/kaifu.yaml", '清水塘街道,   communities: "1-8"', '清水塘街道,   communities: "1-3,5-9"')
    edit(
        "districts/kaifu.yaml",
        'communities: "1-7", departments: [police],',
        'communities: "1-7,12", departments: [police, aic],',
    )
    after = {(r.kind, r.owner, r.item): r.value for r in address_plan(load_network(inventory_copy))}
    removed = {k for k in before if k not in after}
    added = {k for k in after if k not in before}
    assert any("qingshuitang-c04" in k[1] for k in removed)
    assert any("qingshuitang-c09" in k[1] for k in added)
    assert any("laodaohe-aic" in k[1] for k in added)
    changed = {k for k in before.keys() & after.keys() if before[k] != after[k]}
    assert changed == set()
    # the node that gained a VRF keeps every address it had
    assert ("rd", "kf-agg-laodaohe", "AIC") in added


def test_reordering_subdistricts_changes_nothing(inventory_copy: Path) -> None:
    path = inventory_copy / "districts/kaifu.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    subs = [i for i, ln in enumerate(lines) if ln.startswith("  - {id: ") and "name:" in ln and "title" in ln]
    first, last = subs[0], subs[1]
    lines[first], lines[last] = lines[last], lines[first]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert plan_json(load_network(inventory_copy)) == plan_json(
        load_network(Path(__file__).resolve().parents[2] / "inventory")
    )


def test_access_sites_have_a_lan_gateway_per_zone(network: Network) -> None:
    for acc in network.by_role("access"):
        lans = {i.vrf: i for i in acc.interfaces if i.name.startswith("GigabitEthernet0/0/2.")}
        assert set(lans) == {network.zones[z].vrf for z in acc.zones}, acc.name
        for zone, prefix in acc.site_prefixes.items():
            lan = lans[network.zones[zone].vrf]
            assert lan.ip is not None and lan.ip.network == prefix and lan.ip.ip == prefix.network_address + 1
            assert lan.vlan == network.zones[zone].vlan


def test_filters_are_validated_once_in_the_model(network: Network) -> None:
    """``Network.select`` is the one validator behind every command's ``--filter`` (and deploy's)."""
    assert network.select(["role=core"]) == ["kf-core-1", "kf-core-2"]
    assert network.select(["role=core,firewall", "name=*-2"]) == ["kf-core-2", "kf-fw-2"]
    assert network.select(["name=nothing-*"]) == []  # a glob may match nothing
    assert network.select(["role=server"]) == [d.name for d in network.by_role("server")]
    with pytest.raises(FilterError, match=r"no role 'cores' in the inventory \(did you mean 'core'\?\)"):
        network.select(["role=cores"])
    with pytest.raises(FilterError, match=r"bad filter 'rol=core'.*\(did you mean 'role'\?\)"):
        network.select(["rol=core"])
    for malformed in ("role", "role=", "colour=red"):
        with pytest.raises(FilterError, match="bad filter"):
            network.select([malformed])
    with pytest.raises(FilterError, match="no site 'nowhere'"):
        select(network, ["site=nowhere"], lab=False)
    with pytest.raises(DeployError, match="no device govnet deploys to matches name=nothing-"):
        select(network, ["name=nothing-*"], lab=False)


def test_serialised_inventory_is_plain_json(network: Network) -> None:
    import doctest
    import json

    from govnet.inventory import serialize

    result = doctest.testmod(serialize)
    assert result.attempted > 0 and result.failed == 0
    shown = serialize.inventory_json(network, ["kf-core-1", "kf-core-2"])
    assert [d["name"] for d in shown["devices"]] == ["kf-core-1", "kf-core-2"]
    assert shown["links"] and all({"kf-core-1", "kf-core-2"} & {lk["a"], lk["b"]} for lk in shown["links"])
    one = serialize.device_json(network, network.devices["kf-core-1"])
    assert json.loads(json.dumps(one)) == one and one["role"] == "core" and one["bgp_sessions"]
    summary = serialize.summary_json(network)
    assert sum(summary["devices"].values()) == len(network.devices) and list(summary["devices"]) == sorted(
        summary["devices"]
    )
