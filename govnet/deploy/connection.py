"""``GovnetConnection``: the Nornir connection plugin that opens a platform's govnet driver.

Registered as ``govnet`` under ``nornir.plugins.connections``. The driver class comes from the
platform registry (``driver_class(platform)``); ``host.data["govnet_platform"]`` (set by the
``GovnetInventory``) names the platform. :func:`prepare_hosts` puts the per-run values
(state directory, secret values, run id; on the lab target the twin's own ``known_hosts``) into
each host's ``govnet`` connection options, and for a member of a hot-standby (HRP) pair the
address of the other member (``hrp_standby``; ``Platform.hrp``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nornir.core import Nornir
from nornir.core.configuration import Config
from nornir.core.inventory import ConnectionOptions, Host

from govnet.deploy.driver import DeployError, DeviceDriver, DriverTarget
from govnet.deploy.drivers import driver_class
from govnet.deploy.lkg import target_kind
from govnet.deploy.secrets import SecretValues
from govnet.model import Network
from govnet.platforms import PLATFORMS

CONNECTION = "govnet"
TWIN_KNOWN_HOSTS = "twin_known_hosts"
"""Inventory data key: the lab twin's own known_hosts (written by ``lab up``), trusted for the lab."""


class GovnetConnection:
    """Nornir connection plugin; ``self.connection`` is the device's :class:`DeviceDriver`."""

    connection: DeviceDriver | None = None

    def open(
        self,
        hostname: str | None,
        username: str | None,
        password: str | None,
        port: int | None,
        platform: str | None,
        extras: dict[str, Any] | None = None,
        configuration: Config | None = None,
    ) -> None:
        extras = dict(extras or {})
        device = str(extras.pop("device", hostname))
        govnet_platform = str(extras.pop("govnet_platform", platform or ""))
        if not hostname or not govnet_platform:
            raise DeployError(f"{device}: no address or platform to connect with")
        target = DriverTarget(
            device=device,
            platform=govnet_platform,
            hostname=hostname,
            port=port,
            username=username,
            password=password,
            state_dir=Path(extras.pop("state_dir", DriverTarget.__dataclass_fields__["state_dir"].default)),
            timeout=float(extras.pop("timeout", 30.0)),
            target_kind=str(extras.pop("target_kind", "production")),
            extras=extras,
        )
        driver = driver_class(govnet_platform)(target)
        driver.open()
        self.connection = driver

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def prepare_host(
    host: Host,
    *,
    state_dir: Path,
    secrets: SecretValues,
    run_id: str,
    timeout: float = 30.0,
    hosts: Mapping[str, Host] | None = None,
    lab: bool = False,
) -> None:
    """Give ``host`` the ``govnet`` connection options for this run.

    ``hosts``: the run's inventory hosts, where an HRP member's peer is looked up first (its
    reachable address and port); a peer outside them is reached on its management address.
    """
    platform = host.data.get("govnet_platform", host.platform)
    extras: dict[str, Any] = {
        "device": host.name,
        "govnet_platform": platform,
        "state_dir": str(state_dir),
        "secrets": secrets,
        "run_id": run_id,
        "timeout": timeout,
        "target_kind": target_kind(lab),
    }
    twin_keys = host.get(TWIN_KNOWN_HOSTS)
    if lab and twin_keys:
        extras["known_hosts_extra"] = [str(twin_keys)]
    known = PLATFORMS.get(str(platform))
    if known is not None and known.hrp:
        standby = hrp_standby(host, hosts or {})
        if standby is not None:
            extras["hrp_standby"] = standby
    host.connection_options[CONNECTION] = ConnectionOptions(extras=extras)


def hrp_standby(host: Host, hosts: Mapping[str, Host]) -> dict[str, Any] | None:
    """``{"host": ..., "port": ...}`` of the other member of ``host``'s device redundancy group
    (its hot-standby peer), or None when it is in no two-member group."""
    network = host.get("network")
    if not isinstance(network, Network):
        return None
    for group in network.groups:
        if group.kind != "devices" or host.name not in group.members:
            continue
        others = [m for m in group.members if m != host.name]
        if len(others) != 1:
            continue
        peer = hosts.get(others[0])
        if peer is not None and peer.hostname:
            return {"host": peer.hostname, "port": peer.port or 22}
        device = network.devices.get(others[0])
        if device is not None:
            return {"host": str(device.mgmt_ip.ip), "port": 22}
    return None


def prepare_hosts(nr: Nornir, **values: Any) -> None:
    """:func:`prepare_host` for every host of ``nr`` (HRP peers looked up among them)."""
    hosts = nr.inventory.hosts
    for host in hosts.values():
        prepare_host(host, hosts=hosts, **values)


def driver_of(host: Host, configuration: Config) -> DeviceDriver:
    """The open driver of ``host`` (opened on first use)."""
    conn: DeviceDriver = host.get_connection(CONNECTION, configuration)
    return conn
