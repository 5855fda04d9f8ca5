"""Read and schema-validate the inventory files; errors name file, key path and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from govnet.errors import InventoryError
from govnet.inventory.schema import DistrictFile, NetworkFile, RolesFile
from govnet.inventory.yamlsource import key_path, line_of, load_yaml

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Source:
    """One parsed inventory file: its path, raw YAML (with lines) and validated schema."""

    path: Path
    raw: Any


@dataclass(frozen=True, slots=True)
class InventorySources:
    network: NetworkFile
    network_src: Source
    roles: RolesFile
    roles_src: Source
    districts: list[tuple[DistrictFile, Source]]


def _describe(err: dict[str, Any]) -> tuple[str, str]:
    kind = err.get("type", "")
    loc = tuple(err.get("loc", ()))
    name = str(loc[-1]) if loc else "value"
    if kind == "missing":
        return f"missing required key '{name}'", f"add '{name}'"
    if kind == "extra_forbidden":
        return f"unknown key '{name}'", f"remove '{name}' or correct its spelling"
    value = err.get("input")
    shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
    return f"{err.get('msg', 'invalid value')} (got {shown})", "correct the value"


def parse(path: Path, model: type[M]) -> tuple[M, Source]:
    """Parse ``path`` as YAML and validate it against ``model``."""
    raw = load_yaml(path)
    if raw is None:
        raise InventoryError("file is empty", file=path, hint=f"write the {model.__name__} keys")
    if not isinstance(raw, dict):
        raise InventoryError(
            "top level must be a mapping of keys", file=path, line=1, hint="start with 'key: value'"
        )
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        message, hint = _describe(dict(first))
        more = exc.error_count() - 1
        if more:
            message += f" (and {more} more error{'s' if more > 1 else ''} in this file)"
        raise InventoryError(
            message, file=path, key=key_path(loc), line=line_of(raw, loc), hint=hint
        ) from None
    return parsed, Source(path, raw)


def read_sources(directory: Path) -> InventorySources:
    """Read ``network.yaml``, ``roles.yaml`` and ``districts/*.yaml`` from an inventory dir."""
    if not directory.is_dir():
        raise InventoryError(
            "inventory directory not found",
            file=directory,
            hint="pass --inventory DIR or set GOVNET_INVENTORY",
        )
    for required in ("network.yaml", "roles.yaml"):
        if not (directory / required).is_file():
            raise InventoryError(f"missing {required}", file=directory / required, hint=f"create {required}")
    network, network_src = parse(directory / "network.yaml", NetworkFile)
    roles, roles_src = parse(directory / "roles.yaml", RolesFile)
    district_paths = sorted((directory / "districts").glob("*.yaml"))
    if not district_paths:
        raise InventoryError(
            "no district files", file=directory / "districts", hint="add districts/<name>.yaml"
        )
    districts = [parse(p, DistrictFile) for p in district_paths]
    return InventorySources(network, network_src, roles, roles_src, districts)
