"""The one error convention: every error that is the user's to fix is a :class:`GovnetError`.

A :class:`LocatedError` also says where (file, line, key path) and how to fix it; inventory,
render, check and lab errors share it. The CLI prints ``error: <str(exc)>`` and exits 2.

    >>> str(LocatedError("unknown key 'nmae'", file="inv/network.yaml", line=3, key="zones[0].nmae",
    ...                  hint="did you mean 'name'?"))
    "inv/network.yaml:3: zones[0].nmae: unknown key 'nmae' (fix: did you mean 'name'?)"
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class GovnetError(Exception):
    """Base of every govnet error that is the user's to fix (exit code 2, never a traceback)."""


class LocatedError(GovnetError):
    """An error at a place the user can open: ``file:line: key.path: message (fix: hint)``."""

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

    def sort_key(self) -> tuple[str, int, str]:
        """Order of a report: by file, then line, then key path."""
        return (self.file or "", self.line or 0, self.key or "")


class InventoryError(LocatedError):
    """The inventory is invalid: names the file, the key path, the line where known, and a fix."""


class PoolExhaustedError(InventoryError):
    """An address pool has no room left for what needs it."""


class InventoryErrors(InventoryError):
    """Every problem one validation run found, sorted by file and line (one line each)."""

    def __init__(self, errors: Iterable[LocatedError]) -> None:
        unique: dict[str, LocatedError] = {}
        for err in sorted(errors, key=lambda e: e.sort_key()):
            unique.setdefault(err.render(), err)
        self.errors = list(unique.values())
        first = self.errors[0] if self.errors else None
        super().__init__(
            first.message if first else "invalid inventory",
            file=first.file if first else None,
            key=first.key if first else None,
            line=first.line if first else None,
            hint=first.hint if first else None,
        )

    def render(self) -> str:
        """One line per problem."""
        return "\n".join(e.render() for e in getattr(self, "errors", ())) or super().render()

    def __str__(self) -> str:
        return self.render()


class SecretsError(GovnetError):
    """Credentials are missing or a secrets file is unreadable or malformed."""


def raise_all(errors: list[LocatedError]) -> None:
    """Raise the one error, or all of them together; nothing when the list is empty."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InventoryErrors(errors)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """``"did you mean 'x'?"`` for the closest candidate to a misspelt ``word`` (None if none is close).

    >>> did_you_mean("nmae", ["name", "id", "title"])
    "did you mean 'name'?"
    """
    import difflib

    pool = sorted({str(c) for c in candidates})
    close = difflib.get_close_matches(str(word), pool, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in pool}
        hit = lowered.get(str(word).lower())
        close = [hit] if hit else []
    return f"did you mean '{close[0]}'?" if close else None
