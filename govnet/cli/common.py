"""What every command shares: the option grammar, the one error wrapper, device selection, tables.

Imports stay light (typer and the standard library): ``govnet --help`` must not load the stages.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from govnet.model import Device, Network

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

CONTEXT = {"help_option_names": ["-h", "--help"]}
GLOBAL_FLAGS = ("--debug",)
GLOBAL_VALUES = ("--secrets",)


@dataclass
class State:
    """Global options, passed down as values (never through the process environment)."""

    secrets: Path | None = None
    debug: bool = False


class ProcessEnd:
    """What the console entry point (:func:`govnet.cli.main`) does as the process ends."""

    freeze_heap = False
    """The command built a heap that lives until the process ends (a province check: millions
    of objects): freeze it, so the interpreter's last collection does not walk it (about 0.1 s)."""


_STATE: ContextVar[State | None] = ContextVar("govnet_cli_state", default=None)


def set_state(value: State | None) -> None:
    """Record the global options of this invocation (the root callback does it)."""
    _STATE.set(value)


def state() -> State:
    """The global options of the running command (defaults outside a govnet invocation)."""
    return _STATE.get() or State()


def hoist_globals(args: Sequence[str]) -> list[str]:
    """Move ``--secrets FILE`` and ``--debug`` given after a subcommand to the front.

    >>> hoist_globals(["render", "--secrets", "s.env", "-o", "out", "--debug"])
    ['--secrets', 's.env', '--debug', 'render', '-o', 'out']
    """
    front: list[str] = []
    rest: list[str] = []
    items = list(args)
    i = 0
    while i < len(items):
        arg = items[i]
        if arg == "--":
            rest.extend(items[i:])
            break
        if arg in GLOBAL_FLAGS:
            front.append(arg)
        elif arg in GLOBAL_VALUES and i + 1 < len(items):
            front.extend(items[i : i + 2])
            i += 1
        elif any(arg.startswith(f"{opt}=") for opt in GLOBAL_VALUES):
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


def json_alias(args: Sequence[str]) -> list[str]:
    """``--json`` is ``-f json`` on every command that reports (one alias, everywhere).

    >>> json_alias(["check", "--json", "--", "--json"])
    ['check', '--format', 'json', '--', '--json']
    """
    out: list[str] = []
    for i, arg in enumerate(args):
        if arg == "--":
            return out + list(args[i:])
        out += ["--format", "json"] if arg == "--json" else [arg]
    return out


@contextmanager
def user_errors() -> Iterator[None]:
    """The one error wrapper: a GovnetError becomes ``error: ...`` lines and exit 2.

    Any other exception is a bug: one ``error: internal error`` line and exit 3, or the traceback
    with ``--debug``. Ctrl-C exits 130.
    """
    from govnet.errors import GovnetError

    try:
        yield
    except typer.TyperException as exc:
        usage_error(exc)
    except (typer.Exit, typer.Abort):
        raise
    except GovnetError as exc:
        if state().debug:
            traceback.print_exc()
        for line in str(exc).splitlines() or [type(exc).__name__]:
            print(f"error: {line}", file=sys.stderr)
        raise typer.Exit(EXIT_INPUT) from None
    except BrokenPipeError:  # `govnet ... | head`: the reader is gone, nothing to say
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(EXIT_OK) from None
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as exc:
        if state().debug:
            raise
        first = (str(exc).splitlines() or [""])[0]
        print(
            f"error: internal error: {type(exc).__name__}: {first} (a govnet bug: rerun with --debug "
            "for the traceback and report it)",
            file=sys.stderr,
        )
        raise typer.Exit(EXIT_INTERNAL) from None


def usage_error(exc: typer.TyperException) -> None:
    """A command-line usage error as one ``error:`` line (exit 2); help requests pass through."""
    ctx = getattr(exc, "ctx", None)
    if ctx is None or type(exc).__name__ == "NoArgsIsHelpError":
        raise exc
    message = exc.format_message().replace("Value error, ", "")
    print(f"error: {message} (see '{ctx.command_path} -h')", file=sys.stderr)
    raise typer.Exit(getattr(exc, "exit_code", EXIT_INPUT)) from None


def unwrap_help(doc: str | None) -> str | None:
    """A docstring with each paragraph on one line, so help never breaks a sentence where the
    source wrapped it (the terminal wraps it instead).

    >>> unwrap_help("Push.\\n\\n    Exit codes: 0 done,\\n    1 failed.\\n")
    'Push.\\n\\nExit codes: 0 done, 1 failed.'
    """
    if doc is None:
        return None
    import inspect

    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def guarded(func: F) -> F:
    """Run a command inside :func:`user_errors` (for commands mounted on a plain Typer app); its
    help paragraphs unwrapped (:func:`unwrap_help`)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with user_errors():
            return func(*args, **kwargs)

    wrapper.__doc__ = unwrap_help(func.__doc__)
    return wrapper  # type: ignore[return-value]


class GovnetGroup(TyperGroup):
    """The root group: global options anywhere on the line, every command inside :func:`user_errors`."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        return super().parse_args(ctx, json_alias(hoist_globals(args)))

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except typer.TyperException as exc:
            usage_error(exc)
            raise

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            with user_errors():
                return super().invoke(ctx)
        finally:
            set_state(None)


def default_inventory() -> Path:
    """``$GOVNET_INVENTORY`` or ``./inventory``."""
    return Path(os.environ.get("GOVNET_INVENTORY", "inventory"))


def inventory_option() -> Any:
    """``-i/--inventory DIR``, the same on every command that reads the inventory."""
    return typer.Option(
        None,
        "--inventory",
        "-i",
        metavar="DIR",
        help="Inventory directory (default: $GOVNET_INVENTORY or ./inventory).",
        show_default=False,
    )


def filter_option() -> Any:
    """``--filter KEY=GLOB`` (repeatable), the same on every command that selects devices."""
    return typer.Option(
        [],
        "--filter",
        metavar="KEY=GLOB",
        help="Only devices matching KEY=GLOB (role, site, name, zone, platform, subdistrict); "
        "repeat to narrow, comma-separate alternatives: --filter role=core,aggregation.",
        show_default=False,
    )


def load_network_or_exit(inventory: Path | None, templates: Path | None = None) -> Network:
    """Load and validate the inventory (role templates included); GovnetError on bad input."""
    from govnet.inventory import load_network
    from govnet.render import default_templates_dir

    return load_network(inventory or default_inventory(), templates_dir=templates or default_templates_dir())


def device_or_error(network: Network, name: str) -> Device:
    """The device called ``name``; an error with a suggestion otherwise."""
    from govnet.errors import GovnetError, did_you_mean

    device = network.devices.get(name)
    if device is None:
        guess = did_you_mean(name, network.devices)
        raise GovnetError(f"no device {name!r} in the inventory" + (f" ({guess})" if guess else ""))
    return device


def emit_table(rows: list[dict[str, Any]], columns: Sequence[str], fmt: str, title: str = "") -> None:
    """Print rows as aligned plain columns (never truncated), CSV or JSON."""
    if fmt == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    cells = [[("" if row.get(c) is None else str(row.get(c))) for c in columns] for row in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(cells)
        sys.stdout.write(buffer.getvalue())
        return
    widths = [max([len(c), *(_width(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    if title and sys.stdout.isatty():
        print(title)
    print("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for r in cells:
        print("  ".join(_pad(v, w) for v, w in zip(r, widths, strict=True)).rstrip())


def _width(text: str) -> int:
    """Terminal width of ``text`` (CJK characters take two columns)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
