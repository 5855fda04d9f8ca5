"""Small, specific exceptions; every user-facing one names the file, key path and what to fix."""

from __future__ import annotations

from pathlib import Path


class GovnetError(Exception):
    """Base of every govnet error that is the user's to fix (exit code 2, never a traceback)."""


class InventoryError(GovnetError):
    """The inventory is invalid: names the file, the key path, the line where known, and a fix."""

    def __init__(
        self,
        message: str,
        *,
        file: Path | str | None = None,
        key: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.key = key
        self.line = line
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        """One clear line (plus a fix hint): ``file:line: key: message (fix: hint)``."""
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "")
        parts = [p for p in (where, self.key) if p]
        text = ": ".join([*parts, self.message])
        if self.hint:
            text += f" (fix: {self.hint})"
        return text


class PoolExhaustedError(InventoryError):
    """An address pool has no room left for what needs it."""


class SecretsError(GovnetError):
    """Credentials are missing or a secrets file is unreadable or malformed."""
