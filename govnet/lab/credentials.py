"""The twin's credentials: generated once into `<workdir>/secrets.env` (mode 0600), never logged."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from govnet.lab.errors import LabStateError

SECRETS_FILE = "secrets.env"
LAB_USER = "govnet-lab"
SNMP_USER = "govnet-noc"


@dataclass(frozen=True)
class LabCredentials:
    """SSH login and SNMPv3 USM user of the twin."""

    ssh_user: str
    ssh_password: str
    snmp_user: str
    snmp_auth_key: str
    snmp_priv_key: str

    def __repr__(self) -> str:
        return f"LabCredentials(ssh_user={self.ssh_user!r}, snmp_user={self.snmp_user!r}, ...)"

    def env_lines(self) -> str:
        return (
            f"GOVNET_SSH_USER={self.ssh_user}\n"
            f"GOVNET_SSH_PASSWORD={self.ssh_password}\n"
            f"GOVNET_SNMP_USER={self.snmp_user}\n"
            f"GOVNET_SNMP_AUTH_KEY={self.snmp_auth_key}\n"
            f"GOVNET_SNMP_PRIV_KEY={self.snmp_priv_key}\n"
        )


def _token() -> str:
    return secrets.token_urlsafe(18).replace("-", "x").replace("_", "y")


def ensure_credentials(workdir: Path) -> LabCredentials:
    """Read `secrets.env`, or create it with fresh random credentials."""
    path = workdir / SECRETS_FILE
    if path.exists():
        return read_credentials(workdir)
    creds = LabCredentials(LAB_USER, _token(), SNMP_USER, _token(), _token())
    workdir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(creds.env_lines())
    return creds


def read_credentials(workdir: Path) -> LabCredentials:
    """Parse `<workdir>/secrets.env`."""
    path = workdir / SECRETS_FILE
    try:
        values = dict(
            line.split("=", 1) for line in path.read_text().splitlines() if "=" in line
        )
        return LabCredentials(
            ssh_user=values["GOVNET_SSH_USER"],
            ssh_password=values["GOVNET_SSH_PASSWORD"],
            snmp_user=values["GOVNET_SNMP_USER"],
            snmp_auth_key=values["GOVNET_SNMP_AUTH_KEY"],
            snmp_priv_key=values["GOVNET_SNMP_PRIV_KEY"],
        )
    except (OSError, KeyError, ValueError) as exc:
        raise LabStateError(f"cannot read the lab credentials {path}: {exc!s}") from None
