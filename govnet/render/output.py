"""The render stage's output folder: ``<device>.cfg`` per rendered device, ``<gateway>.policy.yaml``
per isolation gateway, and nothing else govnet wrote there before.

A file govnet wrote for a device that no longer renders (renamed, removed, moved to a platform
govnet does not configure) or for a gateway no longer in the inventory is removed, so a folder
of intended configs is always exactly the inventory's:

    >>> stale_files(["a.cfg", "b.cfg", "gw.policy.yaml", "old.policy.yaml", "notes.txt"], {"a"}, {"gw"})
    ['b.cfg', 'old.policy.yaml']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from govnet.credentials import Credentials
from govnet.errors import GovnetError
from govnet.model import Network
from govnet.render.engine import render_network, renders
from govnet.render.isolation import render_isolation_policies

CONFIG_SUFFIX = ".cfg"
POLICY_SUFFIX = ".policy.yaml"


@dataclass(frozen=True, slots=True)
class RenderSelection:
    """The selected devices split by what the render stage makes of them."""

    configs: tuple[str, ...]
    """Devices with a rendering platform: one ``<device>.cfg`` each."""
    policies: tuple[str, ...]
    """Isolation gateways (production only): one reviewed ``<gateway>.policy.yaml`` each."""
    skipped: tuple[str, ...]
    """Devices on platforms govnet does not configure."""


@dataclass(frozen=True, slots=True)
class WrittenFolder:
    """What :func:`write_folder` wrote into and removed from the folder (file names, sorted)."""

    configs: tuple[str, ...]
    policies: tuple[str, ...]
    removed: tuple[str, ...]


def split_selection(network: Network, names: Iterable[str], *, lab: bool) -> RenderSelection:
    """``names`` split into config devices, isolation gateways and the rest, each in name order."""
    chosen = sorted(set(names))
    configs = tuple(n for n in chosen if renders(network, network.devices[n], lab=lab))
    gateways = () if lab else tuple(n for n in chosen if network.devices[n].role == "isolation_gateway")
    skipped = tuple(n for n in chosen if n not in configs and n not in gateways)
    return RenderSelection(configs, gateways, skipped)


def stale_files(files: Iterable[str], configs: set[str], policies: set[str]) -> list[str]:
    """The ``.cfg`` files of devices outside ``configs`` and the ``.policy.yaml`` files of gateways
    outside ``policies`` among ``files`` (names in a folder), sorted; other files are not govnet's."""
    stale = []
    for name in files:
        if name.endswith(POLICY_SUFFIX):
            if name.removesuffix(POLICY_SUFFIX) not in policies:
                stale.append(name)
        elif name.endswith(CONFIG_SUFFIX) and name.removesuffix(CONFIG_SUFFIX) not in configs:
            stale.append(name)
    return sorted(stale)


def prune_stale(folder: Path, network: Network, *, lab: bool) -> list[str]:
    """Delete the files of devices the inventory no longer renders (:func:`stale_files`) from
    ``folder``; their file names, sorted."""
    configs = {n for n, d in network.devices.items() if renders(network, d, lab=lab)}
    gateways = {d.name for d in network.by_role("isolation_gateway")}
    stale = stale_files((p.name for p in folder.iterdir() if p.is_file()), configs, gateways)
    for name in stale:
        (folder / name).unlink(missing_ok=True)
    return stale


def write_folder(
    network: Network,
    folder: Path,
    selection: RenderSelection,
    *,
    lab: bool = False,
    templates_dir: Path | None = None,
    credentials: Credentials | None = None,
    progress: bool = False,
) -> WrittenFolder:
    """Render ``selection`` into ``folder`` (created if missing), then prune it (:func:`prune_stale`).

    Raises RenderError for a failing template, GovnetError when the folder cannot be written."""
    configs = (
        render_network(
            network,
            names=selection.configs,
            lab=lab,
            templates_dir=templates_dir,
            progress=progress,
            credentials=credentials,
        )
        if selection.configs
        else {}
    )
    wanted = set(selection.policies)
    policies = {n: t for n, t in render_isolation_policies(network).items() if n in wanted}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write(folder, CONFIG_SUFFIX, {n: c.text for n, c in configs.items()})
        _write(folder, POLICY_SUFFIX, policies)
        removed = prune_stale(folder, network, lab=lab)
    except OSError as exc:
        raise GovnetError(f"cannot write into {folder}: {exc.strerror}") from None
    return WrittenFolder(
        configs=tuple(f"{n}{CONFIG_SUFFIX}" for n in sorted(configs)),
        policies=tuple(f"{n}{POLICY_SUFFIX}" for n in sorted(policies)),
        removed=tuple(removed),
    )


def _write(folder: Path, suffix: str, texts: Mapping[str, str]) -> None:
    for name, text in texts.items():
        (folder / f"{name}{suffix}").write_text(text, encoding="utf-8")
