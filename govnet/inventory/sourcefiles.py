"""Read and schema-validate the inventory files; errors name file, key path and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from govnet.errors import InventoryError, InventoryErrors, LocatedError, did_you_mean, raise_all
from govnet.inventory.messages import anchor, describe
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


_EMPTY_HINT = {
    "NetworkFile": "write name, asn, noc_prefix, syslog_host, ntp_servers, pools and zones",
    "RolesFile": "write 'roles:' with one entry per role",
    "DistrictFile": "write district, cores and subdistricts",
}


def _schema_errors(
    path: Path, raw: Any, model: type[BaseModel], exc: ValidationError
) -> list[InventoryError]:
    """Every schema error of one file; a misspelt key hides the 'missing' error it causes."""
    errors: list[dict[str, Any]] = [dict(e) for e in exc.errors()]
    extras = {(tuple(e["loc"][:-1]), str(e["loc"][-1])) for e in errors if e.get("type") == "extra_forbidden"}
    found: list[InventoryError] = []
    for err in errors:
        loc: tuple[int | str, ...] = tuple(err["loc"])
        if err.get("type") == "missing" and any(
            parent == loc[:-1] and did_you_mean(key, [str(loc[-1])]) for parent, key in extras
        ):
            continue  # the unknown key next to it says it all ("did you mean ...")
        loc = tuple(p for p in loc if p != "[key]")
        message, hint = describe(err, model)
        found.append(InventoryError(message, file=path, key=key_path(loc), line=line_of(raw, loc), hint=hint))
    return found


def parse(path: Path, model: type[M]) -> tuple[M, Source]:
    """Parse ``path`` as YAML and validate it against ``model`` (all its schema errors at once)."""
    raw = load_yaml(path)
    if raw is None:
        raise InventoryError(
            "file is empty",
            file=path,
            hint=f"{_EMPTY_HINT.get(model.__name__, 'write its keys')} ({anchor(model)})",
        )
    if not isinstance(raw, dict):
        raise InventoryError(
            "top level must be a mapping of keys", file=path, line=1, hint="start with 'key: value'"
        )
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        raise_all(list(_schema_errors(path, raw, model, exc)))
        raise  # unreachable: a ValidationError has at least one error
    return parsed, Source(path, raw)


def one_of(directory: Path, stem: str) -> Path:
    """``<stem>.yaml``, or ``<stem>.yml`` when only that exists."""
    yaml_path = directory / f"{stem}.yaml"
    yml_path = directory / f"{stem}.yml"
    if yml_path.is_file() and yaml_path.is_file():
        raise InventoryError(
            f"both {stem}.yaml and {stem}.yml exist", file=yml_path, hint=f"keep one {stem} file"
        )
    return yml_path if yml_path.is_file() else yaml_path


def district_paths(directory: Path) -> list[Path]:
    """``districts/*.yaml`` and ``districts/*.yml``, sorted."""
    folder = directory / "districts"
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def read_sources(directory: Path) -> InventorySources:
    """Read ``network.yaml``, ``roles.yaml`` and ``districts/*.yaml``; every file's errors together."""
    sources, errors = collect_sources(directory)
    raise_all(errors)
    assert sources is not None
    return sources


def collect_sources(directory: Path) -> tuple[InventorySources | None, list[LocatedError]]:
    """The files that parse, and the errors of those that do not.

    Sources are None when ``network.yaml`` or ``roles.yaml`` is unusable; districts with schema
    errors are left out, so the others can still be checked in the same run.
    """
    if not directory.is_dir():
        raise InventoryError(
            "inventory directory not found",
            file=directory,
            hint="pass --inventory DIR or set GOVNET_INVENTORY",
        )
    errors: list[LocatedError] = []
    paths = {stem: one_of(directory, stem) for stem in ("network", "roles")}
    for stem, path in paths.items():
        if not path.is_file():
            errors.append(InventoryError(f"missing {stem}.yaml", file=path, hint=f"create {stem}.yaml"))
    districts = district_paths(directory)
    if not districts:
        errors.append(
            InventoryError(
                "no district files", file=directory / "districts", hint="add districts/<name>.yaml"
            )
        )
    if errors:
        return None, errors
    parsed: list[Any] = []
    for path, model in [(paths["network"], NetworkFile), (paths["roles"], RolesFile)] + [
        (p, DistrictFile) for p in districts
    ]:
        try:
            parsed.append(parse(path, model))
        except InventoryErrors as exc:
            errors.extend(exc.errors)
            parsed.append(None)
        except InventoryError as exc:
            errors.append(exc)
            parsed.append(None)
    network, roles, *rest = parsed
    if network is None or roles is None:
        return None, errors
    return InventorySources(network[0], network[1], roles[0], roles[1], [d for d in rest if d]), errors
