"""The edge platforms: Huawei NIP (IPS) and H3C SecPath (load balancer, SSL VPN gateway) render
from the model; one reviewed golden per platform x role, plus the twin's IPS/LB rulesets."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from golden_support import check_golden

from govnet.credentials import Credentials
from govnet.inventory import load_network
from govnet.lab.linux_edge import ruleset
from govnet.model import Network
from govnet.platforms import get_platform
from govnet.render import render_device

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
LAB_GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden_edge_lab"
"""The twin's IPS/LB rulesets (kept apart from golden/nftables, whose files test_golden lists)."""
EDGE_PLATFORMS = {"ips": "huawei_nip", "load_balancer": "h3c_secpath", "vpn_gateway": "h3c_secpath"}
REPRESENTATIVES = {"ips": "kf-ips-1", "load_balancer": "kf-lb-1", "vpn_gateway": "kf-vpn-1"}


@pytest.fixture(scope="module")
def edge_network() -> Network:
    """The shipped inventory: roles.yaml puts the edge roles on their vendor platforms."""
    network = load_network(Path(__file__).resolve().parents[2] / "inventory")
    for role, platform in EDGE_PLATFORMS.items():
        assert {d.platform for d in network.by_role(role)} == {platform}, role
    return network


@pytest.mark.parametrize(("role", "device"), sorted(REPRESENTATIVES.items()))
def test_golden_edge_config(edge_network: Network, role: str, device: str) -> None:
    config = render_device(edge_network, device, credentials=Credentials())
    platform = EDGE_PLATFORMS[role]
    assert (config.platform, config.role) == (platform, role)
    check_golden(GOLDEN / platform / f"{role}.cfg", config.text, what=f"{device} ({platform} {role})")


@pytest.mark.parametrize("role", ["ips", "load_balancer"])
def test_golden_lab_ruleset(network: Network, role: str) -> None:
    device = REPRESENTATIVES[role]
    text = ruleset(network, device)
    check_golden(LAB_GOLDEN / f"{role}.nft", text, what=f"{device} (lab nftables {role})")


@pytest.mark.parametrize("role", ["ips", "load_balancer"])
def test_lab_rulesets_parse_with_nft(network: Network, role: str, tmp_path: Path) -> None:
    path = tmp_path / f"{role}.nft"
    path.write_text(ruleset(network, REPRESENTATIVES[role]))
    proc = subprocess.run(["nft", "-c", "-f", str(path)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_platforms_are_netmiko_driven_and_registered() -> None:
    assert get_platform("huawei_nip").netmiko == "huawei" and get_platform("huawei_nip").os_family == "usg"
    assert get_platform("h3c_secpath").netmiko == "hp_comware"
    assert get_platform("h3c_secpath").change_model == "commit-delay"


def test_ips_passes_only_the_internet_zone_and_routes_to_the_firewall_pair(edge_network: Network) -> None:
    text = render_device(edge_network, "kf-ips-1", credentials=Credentials()).text
    assert "firewall zone untrust\n set priority 5\n add interface GE0/0/3\n" in text
    assert "ip route-static 0.0.0.0 0.0.0.0 10.8.15.1 description internet via the firewall pair" in text
    assert " rule name internet-zone-inspect\n  source-zone trust\n  destination-zone untrust\n" in text
    assert "  source-address 10.64.0.0 mask 255.224.0.0\n  profile ips govnet-inline\n  action permit" in text


def test_load_balancer_balances_both_isps_and_publishes_the_vpn_portal(edge_network: Network) -> None:
    text = render_device(edge_network, "kf-lb-1", credentials=Credentials()).text
    assert (
        "link isp-telecom\n router ip 10.8.0.226\n" in text
        and "link isp-unicom\n router ip 10.8.0.230\n" in text
    )
    assert "link-group isp-links\n predictor round-robin\n link isp-telecom\n link isp-unicom\n" in text
    assert "real-server kf-vpn-1\n ip address 10.8.15.36\n port 443\n" in text
    assert text.count("default server-farm vpn-portal-vpn-1") == 2  # on both ISP-side addresses
    assert "ip route-static 10.64.0.0 11 10.8.15.17" in text  # the firewall pair's virtual address


def test_vpn_gateway_users_land_in_their_zone(edge_network: Network) -> None:
    pool = edge_network.devices["kf-vpn-1"].user_pools["public"]
    zone = edge_network.zones["public"]
    assert pool.subnet_of(zone.site_pool) and pool.prefixlen == 24
    sites = [
        p for d in edge_network.devices.values() for p in (d.site_prefixes.get("public"),) if p is not None
    ]
    assert sites and not any(pool.overlaps(p) for p in sites)
    text = render_device(edge_network, "kf-vpn-1", credentials=Credentials()).text
    assert (  # the pool's first address is the users' gateway on their SSL VPN access interface
        f"sslvpn ip address-pool public-users {pool.network_address + 2} {pool.broadcast_address - 1}" in text
    )
    gateway = pool.network_address + 1
    assert f"interface SSLVPN-AC1\n description SSL VPN users of zone public\n ip address {gateway} " in text
    assert "\n ip-tunnel interface SSLVPN-AC1\n" in text
    assert "security-zone name VPN-public\n import interface SSLVPN-AC1\n" in text
    assert "sslvpn gateway remote-access\n ip address 10.8.15.36 port 443\n" in text
    assert "ip route-static 0.0.0.0 0 10.8.15.33" in text
