"""The inventory stage: YAML source files -> the typed :class:`~govnet.model.Network`.

Sources and their locations (``sourcefiles``, ``yamlsource``), the schema, the build stages
(``district``, ``sites``, ``edge``), validation, the address plan (``ipam``, ``plan``) and the
topology drawing (``graph``).
"""

from __future__ import annotations

from pathlib import Path

from govnet.inventory.build import build_network
from govnet.model import Network


def load_network(path: Path | str) -> Network:
    """Load, validate and resolve the inventory directory at ``path``."""
    return build_network(Path(path))


__all__ = ["build_network", "load_network"]
