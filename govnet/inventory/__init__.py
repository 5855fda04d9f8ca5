"""The inventory stage: YAML source files -> the typed :class:`~govnet.model.Network`.

Sources and their locations (``sourcefiles``, ``yamlsource``), the schema, the build stages
(``district``, ``sites``, ``edge``), validation, the address plan (``ipam``, ``plan``) and the
topology drawing (``graph``).
"""

from __future__ import annotations

from pathlib import Path

from govnet.gcpause import paused_collection
from govnet.inventory.build import build_network
from govnet.model import Network


def load_network(path: Path | str, *, templates_dir: Path | None = None) -> Network:
    """Load, validate and resolve the inventory directory at ``path``.

    With ``templates_dir``, a device whose platform has no template for its role is an error too.
    """
    with paused_collection():  # a province builds ~10 million objects, next to no cycles
        return build_network(Path(path), templates_dir=templates_dir)


__all__ = ["build_network", "load_network"]
