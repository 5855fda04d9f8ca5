"""``GovnetInventory``: a Nornir inventory plugin built from the govnet model.

Registered under the ``nornir.plugins.inventory`` entry point::

    nr = InitNornir(inventory={"plugin": "GovnetInventory",
                               "options": {"inventory_dir": "inventory"}})
    nr.filter(role="core")
    nr.filter(F(zones__contains="police"))

Every host carries its platform, groups (``role_*``, ``site_*``, ``subdistrict_*``,
``zone_*``, ``platform_*``), connection options for netmiko and napalm, and its slice of the
model in ``data`` (``device``, ``role``, ``site``, ``subdistrict``, ``zones``, ``loopback``).
With ``lab=True`` hosts point at the lab twin's SSH ports on loopback and its lab platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nornir.core.inventory import (
    ConnectionOptions,
    Defaults,
    Group,
    Groups,
    Host,
    Hosts,
    Inventory,
    ParentGroups,
)

from govnet.credentials import Credentials, load_credentials
from govnet.inventory import load_network
from govnet.model import Device, Network
from govnet.platforms import get_platform


def group_names(device: Device) -> list[str]:
    """The Nornir groups of a device, most specific last."""
    names = [f"role_{device.role}", f"platform_{device.platform}", f"site_{device.site}"]
    if device.subdistrict:
        names.append(f"subdistrict_{device.subdistrict}")
    names += [f"zone_{z}" for z in device.zones]
    return names


def _connection_options(
    platform: str, creds: Credentials, port: int | None
) -> dict[str, ConnectionOptions]:
    spec = get_platform(platform)
    options: dict[str, ConnectionOptions] = {}
    if spec.netmiko:
        extras: dict[str, Any] = {"fast_cli": False}
        options["netmiko"] = ConnectionOptions(platform=spec.netmiko, port=port, extras=extras)
    if spec.napalm:
        options["napalm"] = ConnectionOptions(
            platform=spec.napalm, port=port, extras={"optional_args": {"port": port or 22}}
        )
    return options


class GovnetInventory:
    """Nornir inventory plugin over a govnet inventory directory."""

    def __init__(
        self,
        inventory_dir: str | Path = "inventory",
        secrets_file: str | Path | None = None,
        lab: bool = False,
        lab_ports: Mapping[str, int] | None = None,
        network: Network | None = None,
    ) -> None:
        """``lab``/``lab_ports``/``secrets_file`` point hosts at a running twin: take them from
        :func:`govnet.lab.state.nornir_options` (the lab knows its ports; this plugin does not
        read lab state)."""
        self.inventory_dir = Path(inventory_dir)
        self.secrets_file = Path(secrets_file) if secrets_file else None
        self.lab = lab or lab_ports is not None
        self.lab_ports = dict(lab_ports or {})
        self.network = network

    def load(self) -> Inventory:
        """Build the Nornir inventory (raises InventoryError/SecretsError on bad input)."""
        network = self.network or load_network(self.inventory_dir)
        creds = load_credentials(self.secrets_file)
        defaults = Defaults(
            username=creds.ssh_user or None,
            password=creds.ssh_password or None,
            data={"network": network, "asn": network.settings.asn},
        )
        groups = Groups()
        hosts = Hosts()
        for device in network.devices.values():
            if self.lab and self.lab_ports and device.name not in self.lab_ports:
                continue
            names = group_names(device)
            for gname in names:
                if gname not in groups:
                    groups[gname] = Group(name=gname, defaults=defaults)
            platform = device.platform_for(lab=self.lab)
            port = self.lab_ports.get(device.name) if self.lab else None
            hosts[device.name] = Host(
                name=device.name,
                hostname="127.0.0.1" if self.lab else str(device.mgmt_ip.ip),
                port=port,
                platform=get_platform(platform).netmiko or platform,
                groups=ParentGroups([groups[g] for g in names]),
                data={
                    "device": device,
                    "role": device.role,
                    "site": device.site,
                    "subdistrict": device.subdistrict,
                    "zones": list(device.zones),
                    "govnet_platform": platform,
                    "loopback": str(device.loopback.ip) if device.loopback else None,
                    "mgmt_ip": str(device.mgmt_ip.ip),
                },
                connection_options=_connection_options(platform, creds, port),
                defaults=defaults,
            )
        return Inventory(hosts=hosts, groups=groups, defaults=defaults)
