"""H3C Comware 7 (S7506X, S6800...): immediate mode with ``configuration commit delay``."""

from __future__ import annotations

from govnet.platforms.base import Platform

PLATFORM = Platform(
    name="h3c_comware",
    vendor="h3c",
    os_family="comware7",
    netmiko="hp_comware",
    napalm="h3c_comware",
    hier_config="HP_COMWARE5",
    mgmt_ports={"core": "M-GigabitEthernet0/0/0", "aggregation": "M-GigabitEthernet0/0/0"},
    default_mgmt_port="M-GigabitEthernet0/0/0",
    change_model="commit-delay",
    driver="comware:ComwareDriver",
    vendor_oids={
        "hh3cEntityExtOperStatus": "1.3.6.1.4.1.25506.2.6.1.1.1.1.3",
        "hh3cEntityExtErrorStatus": "1.3.6.1.4.1.25506.2.6.1.1.1.1.19",
        "hh3cDevMFanStatus": "1.3.6.1.4.1.25506.8.35.9.1.1.1.2",
        "hh3cDevMPowerStatus": "1.3.6.1.4.1.25506.8.35.9.1.2.1.2",
        "hh3cStackBoardRole": "1.3.6.1.4.1.25506.2.91.3.1.1",
        "hh3cStackPortStatus": "1.3.6.1.4.1.25506.2.91.4.1.3",
        "hh3cBgp4v2PeerState": "1.3.6.1.4.1.25506.2.183.1.1.1.3",
        "vrrpOperState": "1.3.6.1.2.1.68.1.3.1.3",
    },
    version_note="Comware 7.1.x",
)
