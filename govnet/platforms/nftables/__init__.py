"""Linux nftables: the firewalls of the lab twin (a ruleset rendered from the model, keepalived
for the pair), pushed by the same driver as the other Linux edge namespaces."""

from __future__ import annotations

from govnet.platforms.base import Platform
from govnet.platforms.linux import EDGE_DRIVER, KEEPALIVED_HA_TABLES, KEEPALIVED_VRRP_OIDS

PLATFORM = Platform(
    print_style="plain",
    name="nftables",
    vendor="linux",
    os_family="linux",
    netmiko="linux",
    lab=True,
    ifname_style="kernel",
    vendor_oids=KEEPALIVED_VRRP_OIDS,
    ha_tables=KEEPALIVED_HA_TABLES,
    default_mgmt_port="mgmt0",
    change_model="immediate",
    confirm_window_s=120,
    driver=EDGE_DRIVER,
    linux_edge=True,
)
