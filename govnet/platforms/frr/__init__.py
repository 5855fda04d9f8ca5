"""FRR 8.x/10.x in the lab twin: the stand-in for the routing switches, driven over SSH+vtysh.

Interfaces carry kernel names (:func:`govnet.platforms.linux.kernel_ifname`). vtysh applies
immediately and has no usable confirmed commit for bgpd/ospfd, so govnet keeps the confirm
window itself; ``frr-reload.py`` computes the diff.
"""

from __future__ import annotations

from govnet.platforms.base import Platform

PLATFORM = Platform(
    print_style="frr",
    name="frr",
    vendor="frrouting",
    os_family="frr",
    netmiko="cisco_ios",
    hier_config="CISCO_IOS",  # hier_config has no FRR platform; FRR's CLI is IOS-like
    lab=True,
    ifname_style="kernel",
    default_mgmt_port="mgmt0",
    change_model="immediate",
    confirm_window_s=120,
    driver="frr:FrrDriver",
)
