"""The inventory stage: YAML source files -> the typed :class:`~govnet.model.Network`.

Sources and their locations (``sourcefiles``, ``yamlsource``), the schema, the build stages
(``district``, ``sites``, ``edge``), validation, the address plan (``ipam``, ``plan``) and the
topology drawing (``graph``).
"""

from __future__ import annotations

from pathlib import Path

from govnet.gcpause import paused_collection
from govnet.inventory.build import build_network, resolve
from govnet.inventory.schema import DistrictFile, NetworkFile, RolesFile
from govnet.inventory.sourcefiles import InventorySources, one_of, parse
from govnet.model import Network


def load_network(path: Path | str, *, templates_dir: Path | None = None) -> Network:
    """Load, validate and resolve the inventory directory at ``path``.

    With ``templates_dir``, a device whose platform has no template for its role is an error too.
    """
    with paused_collection():  # a province builds ~10 million objects, next to no cycles
        return build_network(Path(path), templates_dir=templates_dir)


def load_districts(path: Path | str, districts: list[Path], *, templates_dir: Path | None = None) -> Network:
    """``network.yaml``, ``roles.yaml`` and only the district files ``districts``, as one network.

    What the whole inventory would say about those districts' own devices, provided they name no
    device or external of another district (``govnet check --changed`` guards the rest).
    """
    directory = Path(path)
    with paused_collection():
        net, net_src = parse(one_of(directory, "network"), NetworkFile)
        roles, roles_src = parse(one_of(directory, "roles"), RolesFile)
        parsed = [parse(p, DistrictFile) for p in districts]
        sources = InventorySources(net, net_src, roles, roles_src, parsed)
        return resolve(sources, directory, templates_dir=templates_dir)


__all__ = ["build_network", "load_districts", "load_network"]
