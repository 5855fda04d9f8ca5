"""Sweep mutated inventories: either validate fails with located messages, or render and check
complete without an exception (no input reaches a traceback)."""

from __future__ import annotations

import copy
import shutil
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from inventory_support import edited, refused

from govnet.check import intended_from_rendered, run_checks
from govnet.errors import InventoryError, InventoryErrors, LocatedError
from govnet.inventory import load_network
from govnet.inventory.sourcefiles import read_sources
from govnet.inventory.validate import check_network, check_templates, first_overlap, spec_limits
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


# -- exact tests of validate.py's checks (each pins the file, key, line and text of an error) -----

INVENTORY = ROOT / "inventory"




@pytest.mark.parametrize(
    ("prefixes", "expected"),
    [
        ([], None),
        ([("10.0.0.4/30", "b"), ("10.0.0.0/30", "a"), ("10.0.0.8/29", "c")], None),  # adjacent
        (
            [("10.0.0.3/32", "end"), ("10.0.0.0/30", "link")],
            (("10.0.0.0/30", "link"), ("10.0.0.3/32", "end")),
        ),
        (  # the same prefix twice: reported in the order given, whatever the labels
            [("10.0.0.0/24", "second"), ("10.0.0.0/24", "first")],
            (("10.0.0.0/24", "second"), ("10.0.0.0/24", "first")),
        ),
        (
            [("10.0.0.0/25", "narrow"), ("10.0.0.0/24", "wide")],
            (("10.0.0.0/24", "wide"), ("10.0.0.0/25", "narrow")),
        ),
        (  # the overlap is with the second prefix, not the first
            [("10.0.0.0/30", "a"), ("10.0.0.4/30", "b"), ("10.0.0.6/31", "c")],
            (("10.0.0.4/30", "b"), ("10.0.0.6/31", "c")),
        ),
        (  # a wide prefix stays the one compared after a narrower one inside it was passed by
            [("10.0.1.0/24", "inner"), ("10.0.0.0/16", "outer"), ("10.0.0.0/30", "first")],
            (("10.0.0.0/16", "outer"), ("10.0.0.0/30", "first")),
        ),
        (
            [("10.0.0.0/24", "a"), ("10.0.1.0/24", "b"), ("10.0.0.128/25", "c")],
            (("10.0.0.0/24", "a"), ("10.0.0.128/25", "c")),
        ),
        (  # the ends of the address space
            [("255.255.255.255/32", "top"), ("0.0.0.0/1", "low"), ("0.0.0.0/0", "all")],
            (("0.0.0.0/0", "all"), ("0.0.0.0/1", "low")),
        ),
        ([("255.255.255.254/31", "top"), ("0.0.0.0/32", "zero")], None),
    ],
)
def test_first_overlap_is_the_first_pair_in_address_order(
    prefixes: list[tuple[str, str]], expected: tuple[tuple[str, str], tuple[str, str]] | None
) -> None:
    got = first_overlap([(IPv4Network(p), who) for p, who in prefixes])
    assert got == (None if expected is None else tuple((IPv4Network(p), who) for p, who in expected))


def test_overlapping_underlay_pools_name_both_pools_at_the_second_ones_line(tmp_path: Path) -> None:
    mgmt = edited(tmp_path, {"network.yaml": [("mgmt: 10.240.0.0/14", "mgmt: 10.0.0.0/14")]}, "mgmt")
    assert refused(mgmt) == [
        "INV/network.yaml:18: pools.loopback: pools.mgmt 10.0.0.0/14 overlaps pools.loopback 10.0.0.0/15 "
        "in the underlay (fix: make the underlay pools disjoint)"
    ]
    noc_edit = ("noc_prefix: 10.254.0.0/24", "noc_prefix: 10.9.0.0/24")
    noc = edited(tmp_path, {"network.yaml": [noc_edit]}, "noc")
    assert refused(noc) == [
        "INV/network.yaml:7: noc_prefix: pools.p2p 10.8.0.0/13 overlaps noc_prefix 10.9.0.0/24 in the "
        "underlay (fix: make the underlay pools disjoint)"
    ]


def test_a_zone_whose_site_and_attach_pools_overlap_is_refused_at_its_attach_pool(tmp_path: Path) -> None:
    inventory = edited(
        tmp_path,
        {
            "network.yaml": [
                (
                    "department_site: 26,\n     site_pool: 172.16.0.0/12, site_prefixlen: 26, attach_pool: "
                    "192.168.0.0/16}",
                    "department_site: 26,\n     site_pool: 172.16.0.0/12, site_prefixlen: "
                    "26, attach_pool: 172.31.0.0/16}",
                )
            ]
        },
    )
    assert refused(inventory) == [
        "INV/network.yaml:33: zones[3].attach_pool: zone court: site_pool 172.16.0.0/12 overlaps "
        "attach_pool 172.31.0.0/16; prefixes inside one zone must not overlap (fix: give the zone "
        "disjoint site and attachment pools)"
    ]


def test_shared_zones_overlap_is_named_at_the_later_zone_and_private_zones_may_overlap(
    tmp_path: Path,
) -> None:
    guest = (
        "  - {name: guest, id: 3, kind: public, title: guest, vrf: GUEST, vlan: 400,\n"
        "     site_pool: 10.20.0.0/16, site_prefixlen: 28, attach_pool: 10.21.0.0/16}\n"
    )
    # three shared zones: guest (index 2) overlaps public's attach pool, internet overlaps nothing
    inventory = edited(
        tmp_path,
        {
            "network.yaml": [
                ("  # department VPNs", guest.replace("10.21.0.0/16", "10.33.0.0/16") + "  # department VPNs")
            ]
        },
    )
    assert refused(inventory) == [
        "INV/network.yaml:29: zones[2]: zones public and guest share address space (10.32.0.0/12 / "
        "10.33.0.0/16); only department VPNs may plan overlapping addresses (fix: give the public and "
        "internet zones disjoint pools)"
    ]
    later = edited(
        tmp_path,
        {
            "network.yaml": [
                ("  # department VPNs", guest.replace("10.20.0.0/16", "10.64.0.0/16") + "  # department VPNs")
            ]
        },
        "later",
    )
    assert refused(later) == [  # internet's site pool against guest's site pool (not public's)
        "INV/network.yaml:29: zones[2]: zones internet and guest share address space (10.64.0.0/11 / "
        "10.64.0.0/16); only department VPNs may plan overlapping addresses (fix: give the public and "
        "internet zones disjoint pools)"
    ]
    guest_edit = ("  # department VPNs", guest + "  # department VPNs")
    fine = edited(tmp_path, {"network.yaml": [guest_edit]}, "fine")
    network = load_network(fine)  # the six department VPNs share 172.16.0.0/12 and 192.168.0.0/16
    assert network.devices["kf-acc-dongfenglu-c01"].zones == ["public", "internet", "guest"]


def test_spec_limits_are_the_integer_params_of_the_platform_spec() -> None:
    assert spec_limits() == {
        "GN-INT-001.cores": 2,
        "GN-INT-006.min_members": 2,
        "GN-CFG-103.max_attempts": 3,
        "GN-CFG-104.max_idle_minutes": 10,
        "GN-CFG-106.min_ntp_servers": 2,
        "GN-CFG-118.max_age_days": 90,
        "GN-CFG-118.min_length": 8,
        "GN-CFG-118.min_types": 3,
    }  # lists (GN-INT-006.expected, GN-CFG-109.link_kinds) are not limits


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("login_attempts: 3", "login_attempts: 2", None),  # under the maximum
        (
            "login_attempts: 3",
            "login_attempts: 4",
            "INV/network.yaml:12: login_attempts: 4 is outside the "
            "platform spec: login lockout after at most 3 failed attempts (GN-CFG-103) "
            "(fix: set login_attempts "
            "to at most 3)",
        ),
        (
            "idle_timeout_minutes: 10 ",
            "idle_timeout_minutes: 11 ",
            "INV/network.yaml:11: idle_timeout_minutes: "
            "11 is outside the platform spec: idle sessions time out within 10 minutes (GN-CFG-104) "
            "(fix: set "
            "idle_timeout_minutes to at most 10)",
        ),
        (
            "ntp_servers: [10.254.0.11, 10.254.0.12]",
            "ntp_servers: [10.254.0.11, 10.254.0.12, 10.254.0.13]",
            None,
        ),
        (
            "ntp_servers: [10.254.0.11, 10.254.0.12]",
            "ntp_servers: [10.254.0.11]",
            "INV/network.yaml:9: "
            "ntp_servers: 1 server(s) is outside the platform spec: at least 2 NTP servers (GN-CFG-106) "
            "(fix: set "
            "ntp_servers to at least 2 servers)",
        ),
    ],
)
def test_hardening_settings_at_their_limits(tmp_path: Path, old: str, new: str, error: str | None) -> None:
    inventory = edited(tmp_path, {"network.yaml": [(old, new)]})
    if error is None:
        assert load_network(inventory).devices
    else:
        assert refused(inventory) == [error]


def test_a_template_missing_everywhere_names_every_device_and_each_lab_role_once(tmp_path: Path) -> None:
    inventory = tmp_path / "inv:copy"  # a ':' in the path: the device's line is after the last one
    shutil.copytree(INVENTORY, inventory)
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    for path in ("huawei_vrp/access.j2", "frr/access.j2", "frr/aggregation.j2"):
        (templates / path).unlink()
    network, sources = load_network(inventory), read_sources(inventory)
    district = (inventory / "districts" / "kaifu.yaml").read_text(encoding="utf-8").splitlines()
    expected: list[str] = []
    for name, dev in network.devices.items():
        if dev.role == "access":
            line = next(n for n, text in enumerate(district, 1) if f"name: {dev.subdistrict}," in text)
            expected.append(
                f"INV/districts/kaifu.yaml:{line}: {name}: platform huawei_vrp has no access template "
                f"({templates}/huawei_vrp/access.j2) (fix: use a platform with a access template: none)"
            )
        if dev.role in ("access", "aggregation") and not any(f"roles.{dev.role}." in e for e in expected):
            expected.append(
                {
                    "access": "INV/roles.yaml:38: roles.access.lab_platform: lab platform frr has no access "
                    "template (fix: use a lab platform with a access template: )",
                    "aggregation": "INV/roles.yaml:22: roles.aggregation.lab_platform: "
                    "lab platform frr has no "
                    "aggregation template (fix: use a lab platform with a aggregation template: h3c_comware, "
                    "huawei_vrp, huawei_vrpv8)",
                }[dev.role]
            )
    errors = [str(e).replace(str(inventory), "INV") for e in check_templates(network, sources, templates)]
    assert errors == expected
    assert len(errors) == 116 + 2 and errors[1].startswith("INV/roles.yaml:38: ")
    assert check_templates(network, sources, ROOT / "templates") == []
    missing = check_templates(network, sources, tmp_path / "none")
    assert [str(e) for e in missing] == [
        f"{tmp_path / 'none'}: templates directory not found (fix: pass --templates DIR or set "
        "GOVNET_TEMPLATES to the templates/ directory)"
    ]


def test_site_prefixes_are_compared_in_a_zone_without_any_attachment() -> None:
    network = copy.deepcopy(load_network(INVENTORY))  # edited below: never the shared object
    network.links = [link for link in network.links if not link.attachments]
    c01, c02 = network.devices["kf-acc-xinhe-c01"], network.devices["kf-acc-xinhe-c02"]
    # xinhe c01: slot (7 - 1) * 32 + 1 = 193, its /28 at 193 * 16 = 12 * 256 + 16
    c02.site_prefixes["internet"] = c01.site_prefixes["internet"]
    assert [str(e) for e in check_network(network, read_sources(INVENTORY))] == [
        f"{INVENTORY}/network.yaml:27: zones[1]: zone internet: kf-acc-xinhe-c01 site prefix 10.64.12.16/28 "
        "overlaps kf-acc-xinhe-c02 site prefix 10.64.12.16/28 (fix: prefixes inside one zone must be unique; "
        "check the zone's pools and site ids)"
    ]
