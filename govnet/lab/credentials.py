"""The twin's credentials: generated once into `<workdir>/secrets.env` (mode 0600), never logged.

They are the one :class:`govnet.credentials.Credentials` type every stage uses;
``LabCredentials`` is kept as its name in the lab's signatures.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from govnet.credentials import SECRET_KEYS, Credentials, credentials_from, parse_secrets_file
from govnet.errors import SecretsError
from govnet.lab.errors import LabStateError

SECRETS_FILE = "secrets.env"
LAB_USER = "govnet-lab"
SNMP_USER = "govnet-noc"
LabCredentials = Credentials
"""The twin's SSH login and SNMPv3 USM user (every field set)."""


def _token() -> str:
    return secrets.token_urlsafe(18).replace("-", "x").replace("_", "y")


def secrets_path(workdir: Path) -> Path:
    """Where the twin in ``workdir`` keeps its credentials."""
    return workdir / SECRETS_FILE


def ensure_credentials(workdir: Path) -> Credentials:
    """Read `secrets.env`, or create it with fresh random credentials."""
    path = secrets_path(workdir)
    if path.exists():
        return read_credentials(workdir)
    creds = Credentials(LAB_USER, _token(), SNMP_USER, _token(), _token())
    workdir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(creds.env_lines())
    return creds


def read_credentials(workdir: Path) -> Credentials:
    """Parse `<workdir>/secrets.env`; every SSH and SNMPv3 key must be there."""
    path = secrets_path(workdir)
    try:
        values = parse_secrets_file(path)
    except SecretsError as exc:
        raise LabStateError(f"cannot read the lab credentials {path}: {exc!s}") from None
    missing = [key for key in SECRET_KEYS[:5] if not values.get(key)]
    if missing:
        raise LabStateError(f"cannot read the lab credentials {path}: {', '.join(missing)} missing")
    return credentials_from(values)
