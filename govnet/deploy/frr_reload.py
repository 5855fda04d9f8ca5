"""FRR's own diff logic (``frr-reload.py`` from Debian ``frr-pythontools``) on config texts.

``frr-reload.py`` is loaded as a module; its ``Config`` objects parse a running and a target
config (both read first by the reader of printed configs, :mod:`govnet.platforms.printed`, in
vtysh's print style; then marked by the local ``vtysh -m``, which needs no daemon) and
``compare_context_objects`` gives the lines to delete and to add. govnet sends those lines
itself over the SSH vtysh session instead of the script's local ``vtysh -c``/``-f`` calls.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

from govnet.deploy.driver import DeployError
from govnet.platforms.base import PrintStyle
from govnet.platforms.frr import PLATFORM as FRR
from govnet.platforms.printed import config_text

FRR_RELOAD = Path("/usr/lib/frr/frr-reload.py")
FRR_RELOAD_ENV = "GOVNET_FRR_RELOAD"
VTYSH_STYLE: PrintStyle = FRR.print_style
"""How vtysh prints a config (``show running-config``): the print style frr-reload's input is read in
(this module is the FRR platform's own reload tool, so it reads as that platform prints)."""

Block = tuple[str, ...]
"""One command in context: the context keys, then the line (``router bgp 1``, `` neighbor ...``)."""


@lru_cache(maxsize=1)
def frr_reload_module() -> ModuleType:
    """``frr-reload.py`` as a module (``$GOVNET_FRR_RELOAD`` or the Debian path)."""
    path = Path(os.environ.get(FRR_RELOAD_ENV) or FRR_RELOAD)
    if not path.exists():
        raise DeployError(f"{path} not found: install the frr-pythontools package (make setup)")
    spec = importlib.util.spec_from_file_location("govnet_frr_reload", path)
    if spec is None or spec.loader is None:
        raise DeployError(f"{path}: cannot load as a Python module")
    module = importlib.util.module_from_spec(spec)
    with warnings.catch_warnings():  # its regexes are not raw strings (invalid escape warnings)
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", SyntaxWarning)
        spec.loader.exec_module(module)
    return module


def _mark(text: str) -> str:
    """``vtysh -m``: the config with explicit context ends, parsed locally."""
    try:
        proc = subprocess.run(
            ["vtysh", "-m", "-f", "-"], input=text, capture_output=True, text=True, encoding="utf-8",
            timeout=30, check=False,
        )
    except FileNotFoundError:
        raise DeployError("vtysh not found: install frr (the local vtysh parses FRR configs)") from None
    if proc.returncode != 0:
        raise DeployError(f"vtysh -m could not parse the config: {proc.stderr.strip()[:300]}")
    return proc.stdout


@lru_cache(maxsize=256)
def _marked(text: str) -> str:
    """:func:`_mark`, once per distinct text (a device's intended config is marked once, not at
    every diff of a push)."""
    return _mark(text)


class _LocalVtysh:
    """Stands in for frr-reload's ``Vtysh``: marks texts locally, never talks to a daemon."""

    def __init__(self, running: str) -> None:
        self.running = running

    def mark_file(self, filename: str, stdin: Any = None) -> str:
        return _marked(Path(filename).read_text(encoding="utf-8"))

    def mark_show_run(self, daemon: Any = None) -> str:
        return _marked(self.running)


INTERFACE_VRF_RE = re.compile(r"^(interface \S+) vrf \S+\s*$")
UNSHOWN_CONTEXTS = ("line vty",)
"""Contexts vtysh accepts but ``show running-config`` never prints (vtysh's own ``line vty``)."""


def as_shown(config: str) -> str:
    """``config`` the way FRR 8.4 prints it back, so an applied config shows no drift.

    FRR 8.4 prints ``interface X vrf V`` as ``interface X`` (the VRF is the kernel device's
    master, not part of the interface key) and keeps ``line vty`` out of the running config.
    """
    out: list[str] = []
    skipping = False
    for line in config.splitlines():
        if skipping:
            if line.startswith((" ", "exit")) or not line.strip():
                continue
            skipping = False
        if line.rstrip() in UNSHOWN_CONTEXTS:
            skipping = True
            continue
        out.append(INTERFACE_VRF_RE.sub(r"\1", line))
    return "\n".join(out) + "\n"


UNTOUCHED = ("frr version", "service integrated-vtysh-config")
"""Lines frr-reload leaves alone (it cannot change them through vtysh)."""


@dataclass(frozen=True, slots=True)
class ReloadPlan:
    """What frr-reload would do: ``no`` commands first (pass 1), then additions (pass 2)."""

    deletes: tuple[Block, ...]
    adds: tuple[Block, ...]
    running: str = ""
    target: str = ""
    """Both configs as FRR parses them, contexts sorted (what a unified diff compares)."""

    @property
    def empty(self) -> bool:
        return not self.deletes and not self.adds

    def commands(self) -> list[str]:
        """Flat, indented command list (the form people read in a diff)."""
        return [ln for block in (*self.deletes, *self.adds) for ln in block]


@lru_cache(maxsize=128)
def plan_reload(running: str, target: str) -> ReloadPlan:
    """Lines to delete and to add to turn ``running`` into ``target`` (frr-reload's compare).

    Cached by both texts (the plan is a pure function of them, and immutable): the diff before a
    push, the commit's own re-read and the re-plan of a two-pass apply share one parse while the
    device's running config has not changed."""
    mod = frr_reload_module()
    running_conf = _running_config(running)
    target_conf = mod.Config(running_conf.vtysh)
    with tempfile.NamedTemporaryFile("w", suffix=".conf", encoding="utf-8") as fh:
        fh.write(as_shown(config_text(target, VTYSH_STYLE)))
        fh.flush()
        target_conf.load_from_file(fh.name)
    lines_to_add, lines_to_del = mod.compare_context_objects(target_conf, running_conf)
    deletes = tuple(
        _bare_negation(tuple(mod.lines_to_config(keys, line, True)))
        for keys, line in lines_to_del if line != "!"
    )
    adds = tuple(
        tuple(mod.lines_to_config(keys, line, False)) for keys, line in lines_to_add if line != "!"
    )
    return ReloadPlan(deletes=deletes, adds=adds, running=_normalized(running_conf),
                      target=_normalized(target_conf))


def _running_config(running: str) -> Any:
    """frr-reload's ``Config`` of ``running`` (read as vtysh prints it, marked locally)."""
    conf = frr_reload_module().Config(_LocalVtysh(config_text(running, VTYSH_STYLE)))
    conf.load_from_show_running(None)
    return conf


def running_contexts(running: str) -> dict[tuple[str, ...], tuple[str, ...]]:
    """``running`` as frr-reload's diff reads it: each context's keys and its lines."""
    return {tuple(keys): tuple(ctx.lines) for keys, ctx in _running_config(running).contexts.items()}


FREE_TEXT = ("description",)
"""Commands whose argument is free text: vtysh refuses ``no description <text>`` (``% Unknown
command``, seen on the twin's FRR when the text holds ``[...]``); ``no description`` alone is the
negation FRR documents (docs.frrouting.org, Interface Commands: ``description DESCRIPTION``)."""


def _bare_negation(block: tuple[str, ...]) -> tuple[str, ...]:
    """``... no description some text`` as ``... no description``.

    >>> _bare_negation(("interface ge0-0-1", " no description to kf-agg-x [link]"))
    ('interface ge0-0-1', ' no description')
    """
    *keys, line = block
    indent = line[: len(line) - len(line.lstrip(" "))]
    words = line.split()
    if len(words) > 2 and words[0] == "no" and words[1] in FREE_TEXT:
        return (*keys, f"{indent}no {words[1]}")
    return block


def _normalized(conf: Any) -> str:
    """A parsed config printed with sorted contexts and lines, without repeats or the lines
    frr-reload never touches (stable for diffs)."""
    out: list[str] = []
    for keys in sorted(conf.contexts):
        if keys[0].startswith(UNTOUCHED):
            continue
        out += [" " * i + key for i, key in enumerate(keys)]
        out += [" " * len(keys) + line for line in sorted(set(conf.contexts[keys].lines)) if line != "!"]
    return "\n".join(out) + "\n"
