"""``${secret:NAME}`` references resolved at push time, and redaction of everything shown.

Values come from :class:`govnet.credentials.Credentials` (environment or secrets file). A
resolved config only ever exists in memory on its way into the SSH session; logs, reports,
last-known-good files and backups get :meth:`SecretValues.redact`-ed text or the reference.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from govnet.credentials import SECRET_REF_RE, USER_KEYS, Credentials
from govnet.deploy.driver import DeployError

REDACTED = "<redacted>"
DIGEST_ROUNDS = 20_000
"""PBKDF2 rounds of a kept secret digest (slow to guess from, quick enough per push)."""


class SecretValues:
    """Secret values by reference name; ``repr`` shows names only."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self._values = {k: v for k, v in (values or {}).items() if v}

    @classmethod
    def from_credentials(cls, creds: Credentials) -> SecretValues:
        return cls({k: v for k, v in creds.by_key().items() if k not in USER_KEYS})

    def __repr__(self) -> str:
        return f"SecretValues({sorted(self._values)})"

    def resolve(self, text: str, device: str = "") -> str:
        """``text`` with every reference replaced by its value (raises naming a missing one)."""

        def value(match: object) -> str:
            name: str = match.group("name")  # type: ignore[attr-defined]
            try:
                return self._values[name]
            except KeyError:
                raise DeployError(
                    f"{device or 'config'}: ${{secret:{name}}} has no value: set {name} in the "
                    "environment or the secrets file"
                ) from None

        return SECRET_REF_RE.sub(value, text)

    def unresolve(self, text: str) -> str:
        """``text`` with every known secret value turned back into its reference (for texts
        govnet keeps or compares: LKG files, running configs against intended ones)."""
        for name, secret in sorted(self._values.items(), key=lambda kv: len(kv[1]), reverse=True):
            text = text.replace(secret, f"${{secret:{name}}}")
        return text

    def digest(self, name: str, device: str) -> str | None:
        """A slow salted digest of ``name``'s value on ``device`` (PBKDF2-HMAC-SHA256, the
        device and name as salt): what govnet keeps to notice a rotated secret, never the value.
        None when the secret has no value."""
        value = self._values.get(name)
        if value is None:
            return None
        salt = f"govnet:{device}:{name}".encode()
        return hashlib.pbkdf2_hmac("sha256", value.encode(), salt, DIGEST_ROUNDS).hex()

    def redact(self, text: str) -> str:
        """``text`` with every known secret value replaced by a placeholder."""
        for secret in sorted(self._values.values(), key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text
