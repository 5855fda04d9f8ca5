"""The Nornir object a deploy runs on: ``GovnetInventory`` hosts, a threaded runner.

:class:`DeployTarget` says where devices are reached: real gear (management addresses) or a
lab twin (``lab=True`` with its SSH ports and ``secrets.env``, handed down by the CLI from
``govnet.lab.state.nornir_options``; deploy never reads lab state itself).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from nornir.core import Nornir
from nornir.core.configuration import Config
from nornir.core.plugins.connections import ConnectionPluginRegister
from nornir.plugins.runners import ThreadedRunner

from govnet.credentials import Credentials, load_credentials
from govnet.deploy.connection import TWIN_KNOWN_HOSTS
from govnet.deploy.driver import DeployError
from govnet.deploy.hostkeys import KNOWN_HOSTS
from govnet.inventory.nornir_plugin import GovnetInventory
from govnet.model import Network


@dataclass(frozen=True, slots=True)
class DeployTarget:
    lab: bool = False
    lab_ports: Mapping[str, int] = field(default_factory=dict)
    secrets_file: Path | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, object] | None) -> DeployTarget:
        """From ``nornir_options(workdir)``-shaped values (``lab``, ``lab_ports``, ``secrets_file``)."""
        if not options:
            return cls()
        ports = options.get("lab_ports") or {}
        secrets = options.get("secrets_file")
        return cls(
            lab=bool(options.get("lab")),
            lab_ports=dict(ports) if isinstance(ports, Mapping) else {},
            secrets_file=Path(str(secrets)) if secrets else None,
        )

    @property
    def twin_known_hosts(self) -> Path | None:
        """The twin's own known_hosts (``lab up`` writes it beside ``secrets.env``)."""
        return self.secrets_file.with_name(KNOWN_HOSTS) if self.lab and self.secrets_file else None

    def credentials(self) -> Credentials:
        return load_credentials(self.secrets_file)

    def require_login(self) -> None:
        """Refuse to start without an SSH user and a password or key file (before any connection
        is tried)."""
        creds = self.credentials()
        login = (("GOVNET_SSH_USER", creds.ssh_user),
                 ("GOVNET_SSH_PASSWORD", creds.ssh_password or creds.ssh_key_file))
        missing = [key for key, value in login if not value]
        if missing:
            where = f"the twin's {self.secrets_file}" if self.lab and self.secrets_file else (
                "the environment or a secrets file (--secrets FILE or $GOVNET_SECRETS)")
            raise DeployError(
                f"no device login: set {' and '.join(missing)} in {where}; nothing was contacted")


def build_nornir(network: Network, target: DeployTarget, *, workers: int = 8) -> Nornir:
    """Nornir over the model (lab hosts on loopback ports when ``target.lab``)."""
    ConnectionPluginRegister.auto_register()
    inventory = GovnetInventory(
        secrets_file=target.secrets_file,
        lab=target.lab,
        lab_ports=target.lab_ports or None,
        network=network,
    ).load()
    if target.twin_known_hosts is not None:
        inventory.defaults.data[TWIN_KNOWN_HOSTS] = str(target.twin_known_hosts)
    return Nornir(inventory=inventory, runner=ThreadedRunner(num_workers=workers), config=Config())
