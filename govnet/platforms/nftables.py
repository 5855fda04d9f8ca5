"""Linux nftables: the firewalls of the lab twin (a ruleset rendered from the model)."""

from __future__ import annotations

from govnet.platforms.base import Platform

PLATFORM = Platform(
    name="nftables",
    vendor="linux",
    os_family="linux",
    netmiko="linux",
    lab=True,
    ifname_style="kernel",
    vendor_oids={  # keepalived's SNMP subagent (VRRP-MIB and VRRPv3-MIB over AgentX)
        "vrrpOperState": "1.3.6.1.2.1.68.1.3.1.3",
        "vrrpv3OperationsStatus": "1.3.6.1.2.1.207.1.1.1.1.6",
    },
    default_mgmt_port="mgmt0",
)
