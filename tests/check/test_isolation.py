"""The isolation gateway (网闸): its policy file from the model, and the rule that rejects a
two-way flow, a route or forwarding between intranet and extranet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Edit

from govnet.check.context import CheckContext
from govnet.check.isolation import check_isolation_policy, isolation_gateway_policy
from govnet.check.rules import Rule, load_rules
from govnet.errors import InventoryError
from govnet.inventory import load_network
from govnet.model import Network
from govnet.render.isolation import isolation_policy, render_isolation_policies

RULE = Rule(
    id="GN-INT-099",
    title="Isolation gateway: only listed one-way flows, no route",
    severity="error",
    source="edge design",
    kind="intent",
    check="isolation_gateway_policy",
    platforms=("*",),
    roles=("isolation_gateway",),
    hint="allow each service one way only; remove routes between intranet and extranet",
)


def _flow(name: str, src: str, dst: str, service: str = "file-ferry", port: int = 21) -> dict[str, Any]:
    return {"name": name, "from": src, "to": dst, "service": service, "protocol": "tcp", "port": port}


def _policy(
    *flows: dict[str, Any], routes: list[dict[str, str]] | None = None, forwarding: bool = False
) -> dict[str, Any]:
    return {"gateway": "gw", "ip_forwarding": forwarding, "routes": routes or [], "flows": list(flows)}


def _findings(network: Network) -> list[str]:
    ctx = CheckContext(network=network, spec=load_rules(), configs={})
    return [f.message for f in isolation_gateway_policy(RULE, ctx)]


def test_shipped_policy_file_is_one_way_flows_and_no_routes(network: Network) -> None:
    text = render_isolation_policies(network)["kf-isogw-1"]
    data = yaml.safe_load(text)
    assert data["gateway"] == "kf-isogw-1" and data["routes"] == [] and data["ip_forwarding"] is False
    assert [(s["side"], s["peer"]) for s in data["sides"]] == [
        ("extranet", "kf-core-1"),
        ("intranet", "kf-office-intranet"),
    ]
    assert [(f["name"], f["from"], f["to"], f["port"]) for f in data["flows"]] == [
        ("document-inbound", "extranet", "intranet", 21),
        ("report-outbound", "intranet", "extranet", 25),
        ("db-sync-inbound", "extranet", "intranet", 1521),
    ]
    assert check_isolation_policy(data) == []
    assert _findings(network) == []
    assert render_isolation_policies(network)["kf-isogw-1"] == text  # deterministic


def test_one_way_flows_in_both_directions_for_different_services_pass() -> None:
    assert (
        check_isolation_policy(
            _policy(_flow("a", "extranet", "intranet"), _flow("b", "intranet", "extranet", "mail-relay", 25))
        )
        == []
    )


def test_a_service_allowed_both_ways_is_rejected() -> None:
    problems = check_isolation_policy(
        _policy(_flow("in", "extranet", "intranet"), _flow("out", "intranet", "extranet"))
    )
    assert problems == [
        "gw: flows in and out allow file-ferry (tcp/21) both ways: "
        "an isolation gateway passes a service one way only"
    ]


@pytest.mark.parametrize(
    ("src", "dst"), [("extranet", "extranet"), ("both", "intranet"), ("intranet", "internet")]
)
def test_a_flow_that_is_not_one_way_across_is_rejected(src: str, dst: str) -> None:
    (problem,) = check_isolation_policy(_policy(_flow("x", src, dst)))
    assert f"flow x goes {src} -> {dst}" in problem


def test_a_route_or_forwarding_is_rejected() -> None:
    routed = _policy(
        _flow("a", "extranet", "intranet"), routes=[{"prefix": "10.0.0.0/8", "next_hop": "10.8.0.254"}]
    )
    assert check_isolation_policy(routed) == [
        "gw: route 10.0.0.0/8 via 10.8.0.254: no route may join the intranet and the extranet"
    ]
    assert "IP forwarding is on" in check_isolation_policy(_policy(forwarding=True))[0]


def test_inventory_with_a_two_way_flow_fails_the_check(inventory_copy: Path, edit: Edit) -> None:
    edit(
        "districts/kaifu.yaml",
        "service: mail-relay,\n     protocol: tcp, port: 25",
        "service: file-ferry,\n     protocol: tcp, port: 21",
    )
    network = load_network(inventory_copy)
    assert _findings(network) == [
        "kf-isogw-1: flows document-inbound and report-outbound allow file-ferry (tcp/21) "
        "both ways: an isolation gateway passes a service one way only"
    ]


def test_policy_lists_a_route_the_gateway_would_carry(network: Network) -> None:
    policy = isolation_policy(network, "kf-isogw-1")
    policy["routes"] = [{"prefix": "192.168.0.0/16", "next_hop": "10.8.0.254", "description": "office"}]
    assert len(check_isolation_policy(policy)) == 1


def test_flow_on_a_device_that_is_not_an_isolation_gateway_names_the_key(
    inventory_copy: Path, edit: Edit
) -> None:
    edit(
        "districts/kaifu.yaml",
        "- {gateway: isogw-1, name: db-sync-inbound",
        "- {gateway: fw-1, name: db-sync-inbound",
    )
    with pytest.raises(InventoryError) as err:
        load_network(inventory_copy)
    assert "'fw-1' is not an isolation gateway" in str(err.value) and "isolation_flows[2].gateway" in str(
        err.value
    )
