"""FRR 8.x/10.x in the lab twin: the stand-in for the routing switches, driven over SSH+vtysh.

Interfaces carry kernel names (:func:`govnet.platforms.linux.kernel_ifname`). vtysh applies
immediately and has no usable confirmed commit for bgpd/ospfd, so govnet keeps the confirm
window itself; ``frr-reload.py`` computes the diff.
"""

from __future__ import annotations

import re

from govnet.platforms.base import FamilyMarker, Platform, SecretRule

FRR_MARKER = FamilyMarker(
    "an FRR",
    # vtysh `show running-config` opens with `frr version 8.4.4` / `frr defaults traditional`
    # (tests/fixtures/frr-show/kf-core-1.converged.running-config.txt)
    re.compile(r"^frr (version|defaults) ", re.MULTILINE),
)
FRR_SECRET_RULES = (
    # Cisco-like forms: snmp-server community NAME, password [TYPE] X, authentication-key
    # [TYPE] X, message-digest-key N md5 X, enable password X (FRR's vtysh and IOS print them so)
    SecretRule("snmp-server community", re.compile(r"^\s*snmp-server community (?P<v>\S+)"), "command"),
    SecretRule(
        "frr password", re.compile(r"(?<![-\w])password (?!hash |cipher |simple )(?:\d+ )?(?P<v>\S+)"), "bare"
    ),
    SecretRule(
        "frr authentication-key", re.compile(r"(?<![-\w])authentication-key (?:\d+ )?(?P<v>\S+)"), "bare"
    ),
    SecretRule("frr message-digest-key", re.compile(r"message-digest-key \d+ md5 (?P<v>\S+)"), "bare"),
    SecretRule("frr enable password", re.compile(r"^\s*enable password (?P<v>\S+)"), "bare"),
)
"""Where FRR prints secrets."""

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
    family_marker=FRR_MARKER,
    secret_rules=FRR_SECRET_RULES,
)
