"""Credentials from the environment or a secrets file outside the repo; never from inventory YAML.

Secrets never reach a rendered config either. Where a platform stores a secret (local-user
password, SNMPv3 keys), the template renders a *reference*::

    >>> secret_ref("GOVNET_SSH_PASSWORD")
    '${secret:GOVNET_SSH_PASSWORD}'

A reference stands for "the value of that environment variable, in the form the device
stores it" (``irreversible-cipher``/``password hash`` hash, SNMP ``cipher`` key). The deploy
stage substitutes the value at push time, over SSH, in the platform's plaintext-input form so
the device hashes or encrypts it itself, and masks these positions when diffing against a
running config. Intended configs on disk therefore never hold a secret or a hash of one.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from govnet.errors import SecretsError

SECRET_KEYS = (
    "GOVNET_SSH_USER",
    "GOVNET_SSH_PASSWORD",
    "GOVNET_SNMP_USER",
    "GOVNET_SNMP_AUTH_KEY",
    "GOVNET_SNMP_PRIV_KEY",
    "GOVNET_SNMP_COMMUNITY",
    "GOVNET_HWTACACS_KEY",
    "GOVNET_NTP_KEY",
    "GOVNET_OSPF_KEY",
    "GOVNET_BGP_PASSWORD",
    "GOVNET_LDP_KEY",
    "GOVNET_SSH_KEY_FILE",
    "GOVNET_SSH_KEY_PASSPHRASE",
)
USER_KEYS = frozenset({"GOVNET_SSH_USER", "GOVNET_SNMP_USER"})
"""Account names: not secret, never redacted (the SSH key file's path is redacted like a secret)."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """Device login and SNMPv3 keys (SHA/AES), or a v2c community where one is configured;
    the one credentials type of every stage and the lab twin. Unset values are ``""``;
    ``repr`` never shows a secret."""

    ssh_user: str = ""
    ssh_password: str = ""
    snmp_user: str = ""
    snmp_auth_key: str = ""
    snmp_priv_key: str = ""
    snmp_community: str = ""
    hwtacacs_key: str = ""
    ntp_key: str = ""
    ospf_key: str = ""
    bgp_password: str = ""
    ldp_key: str = ""
    ssh_key_file: str = ""
    """SSH key authentication: the private key file (mode 0600), tried before the password."""
    ssh_key_passphrase: str = ""

    def __repr__(self) -> str:
        shown = {k: ("***" if v else None) for k, v in self._values().items()}
        return f"Credentials({shown})"

    __str__ = __repr__

    def _values(self) -> dict[str, str]:
        return {
            "ssh_user": self.ssh_user,
            "ssh_password": self.ssh_password,
            "snmp_user": self.snmp_user,
            "snmp_auth_key": self.snmp_auth_key,
            "snmp_priv_key": self.snmp_priv_key,
            "snmp_community": self.snmp_community,
            "hwtacacs_key": self.hwtacacs_key,
            "ntp_key": self.ntp_key,
            "ospf_key": self.ospf_key,
            "bgp_password": self.bgp_password,
            "ldp_key": self.ldp_key,
            "ssh_key_file": self.ssh_key_file,
            "ssh_key_passphrase": self.ssh_key_passphrase,
        }

    def by_key(self) -> dict[str, str]:
        """Every value by its ``GOVNET_*`` key (the names ``${secret:NAME}`` references use)."""
        return dict(zip(SECRET_KEYS, self._values().values(), strict=True))

    def secret_values(self) -> list[str]:
        """Every secret value set, for redaction of logs and outputs."""
        return [v for k, v in self.by_key().items() if v and k not in USER_KEYS]

    def env_lines(self) -> str:
        """The set values as ``KEY=value`` lines of a secrets file (SECRET_KEYS order)."""
        values = self.by_key()
        return "".join(f"{key}={value}\n" for key, value in values.items() if value)


def credentials_from(values: Mapping[str, str]) -> Credentials:
    """Credentials from ``GOVNET_*`` keys (missing keys stay unset)."""
    return Credentials(*(values.get(key, "") for key in SECRET_KEYS))


def parse_secrets_file(path: Path) -> dict[str, str]:
    """Read ``KEY=value`` lines (``#`` comments, blank lines, optional ``export``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SecretsError(f"{path}: cannot read secrets file: {exc.strerror}") from None
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key:
            raise SecretsError(f"{path}:{number}: expected KEY=value")
        if key not in SECRET_KEYS:
            raise SecretsError(
                f"{path}:{number}: unknown key {key} (expected one of {', '.join(SECRET_KEYS)})"
            )
        values[key] = value.strip().strip("'\"")
    return values


def _check_outside_repo(path: Path, repo: Path | None) -> None:
    if repo is None:
        return
    try:
        path.resolve().relative_to(repo.resolve())
    except ValueError:
        return
    raise SecretsError(f"{path}: secrets file is inside the repository {repo}; keep it outside the repo")


def load_credentials(
    secrets_file: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    repo: Path | None = None,
) -> Credentials:
    """Credentials from ``secrets_file`` (or ``$GOVNET_SECRETS``), overridden by the environment."""
    env = os.environ if environ is None else environ
    path = secrets_file or (Path(env["GOVNET_SECRETS"]) if env.get("GOVNET_SECRETS") else None)
    values: dict[str, str] = {}
    if path is not None:
        _check_outside_repo(path, repo)
        if path.exists() and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise SecretsError(f"{path}: secrets file is readable by others; run chmod 600 {path}")
        values = parse_secrets_file(path)
    for key in SECRET_KEYS:
        if env.get(key):
            values[key] = env[key]
    return credentials_from(values)


SECRET_REF_RE = re.compile(r"\$\{secret:(?P<name>[A-Z][A-Z0-9_]*)\}")
"""Matches a secret reference; ``name`` is the environment variable it stands for."""


DEFAULT_SSH_USER = "netadmin"
DEFAULT_SNMP_USER = "noc"


def secret_ref(name: str) -> str:
    """The reference a config carries instead of the secret held in ``$name``."""
    return f"${{secret:{name}}}"


@dataclass(frozen=True, slots=True)
class SecretRefs:
    """Account names (not secret) and references to the secrets a platform stores."""

    ssh_user: str = DEFAULT_SSH_USER
    snmp_user: str = DEFAULT_SNMP_USER
    ssh_password: str = secret_ref("GOVNET_SSH_PASSWORD")
    snmp_auth_key: str = secret_ref("GOVNET_SNMP_AUTH_KEY")
    snmp_priv_key: str = secret_ref("GOVNET_SNMP_PRIV_KEY")

    @classmethod
    def from_credentials(cls, creds: Credentials | None) -> SecretRefs:
        """Take only the account names from ``creds``; secret values are never read."""
        if creds is None:
            return cls()
        return cls(
            ssh_user=creds.ssh_user or DEFAULT_SSH_USER,
            snmp_user=creds.snmp_user or DEFAULT_SNMP_USER,
        )
