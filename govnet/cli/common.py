"""Options and error handling shared by every CLI command."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import typer

from govnet.errors import GovnetError
from govnet.inventory import load_network
from govnet.model import Network

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INPUT = 2


def default_inventory() -> Path:
    """``$GOVNET_INVENTORY`` or ``./inventory``."""
    return Path(os.environ.get("GOVNET_INVENTORY", "inventory"))


def inventory_option() -> Any:
    """The ``--inventory DIR`` option every command takes."""
    return typer.Option(
        None,
        "--inventory",
        "-i",
        help="Inventory directory (default: $GOVNET_INVENTORY or ./inventory).",
        show_default=False,
    )


def fail(message: str, code: int = EXIT_INPUT) -> typer.Exit:
    """Print ``error: message`` to stderr and return the Exit to raise."""
    print(f"error: {message}", file=sys.stderr)
    return typer.Exit(code)


def load_network_or_exit(inventory: Path | None) -> Network:
    """Load the inventory, or print the one-line error and exit 2."""
    try:
        return load_network(inventory or default_inventory())
    except GovnetError as exc:
        raise fail(str(exc)) from None


def guarded(func: F) -> F:
    """Turn any GovnetError raised by a command into a one-line message and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except GovnetError as exc:
            raise fail(str(exc)) from None

    return wrapper  # type: ignore[return-value]
