"""Every line govnet renders is a command its platform accepts, in the view it is typed in.

Matched against the platform's command reference (``commands.yaml`` in its package, read by
:mod:`govnet.platforms.commandref`). Only govnet's own renders are held to it: a config read back
from a device (``--configs``) carries much more than govnet renders and is not judged here.
"""

from __future__ import annotations

from govnet.check.configfiles import ConfigFolder
from govnet.check.configtree import ConfigLine, ConfigTree
from govnet.check.context import CheckContext, Finding
from govnet.check.rules import Rule
from govnet.model import Device
from govnet.platforms import get_platform
from govnet.platforms.commandref import CommandRef, reference_of


def command_reference(rule: Rule, ctx: CheckContext, device: Device, tree: ConfigTree) -> list[Finding]:
    """One finding per rendered line that matches no command of the platform in its view."""
    config = ctx.configs.get(device.name)
    if config is None or config.template is None or isinstance(ctx.configs, ConfigFolder):
        return []  # not rendered by govnet from a template: read back, or produced elsewhere
    ref = reference_of(get_platform(config.platform))
    if ref is None:
        return []
    refused: list[tuple[ConfigLine, tuple[str, ...]]] = []
    _refused(ref, tree.root, (), ref.view_of(()), refused)
    found: list[Finding] = []
    for node, parents in refused:
        view = ref.view_of(parents) or f"unknown view under '{parents[-1]}'"
        message = f"line {node.line} '{node.text}' is no {config.platform} command in the {view} view"
        found.append(ctx.finding(rule, device.name, ctx.config_location(device.name, node.line), message))
    return found


def _refused(
    ref: CommandRef,
    node: ConfigLine,
    parents: tuple[str, ...],
    view: str | None,
    out: list[tuple[ConfigLine, tuple[str, ...]]],
) -> None:
    """Add to ``out``, in config order, each line under ``node`` that is no command of its view,
    with the texts of the lines enclosing it, top first (``parents``: those of ``node``'s
    children, ``view`` the view they enclose)."""
    remembered = ref.remembered(view)
    for child in node.children:
        accepted = remembered.get(child.text)
        if accepted is None:
            accepted = ref.accepts_in(view, child.text)
        if not accepted:
            out.append((child, parents))
        if child.children:
            inner = (*parents, child.text)
            _refused(ref, child, inner, ref.view_of(inner), out)


CHECKS = {"command_reference": command_reference}
"""The config check this module adds (composed with the config rule families in ``govnet.check.engine``)."""
