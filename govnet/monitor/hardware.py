"""Hardware health rows: which entities to poll (found once, like ifIndex) and what a reading means.

ENTITY-MIB's entPhysicalClass picks the entities that matter (modules/boards, fans, power
supplies); the vendor's entity-indexed columns (CPU, memory, temperature, status) are then read
for those only, so a 234-entity stack costs a few varbinds, not 13 PDUs a cycle. Rows a board
does not fill (CPU and memory both 0, a temperature of 0 or 65535) are dropped at discovery.
Fan, power and stack tables have their own small index and are walked whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from govnet.monitor.oids import Oid, oid
from govnet.monitor.snapshot import HardwareRow
from govnet.monitor.snmp import Client, Value
from govnet.monitor.strings import text
from govnet.platforms.base import HardwareColumn

ENT_PHYSICAL_CLASS = oid("1.3.6.1.2.1.47.1.1.1.1.5")
ENT_PHYSICAL_NAME = oid("1.3.6.1.2.1.47.1.1.1.1.7")
MATTERING_CLASSES = frozenset({6, 7, 9})
"""entPhysicalClass powerSupply(6), fan(7), module(9): boards, fans and power supplies."""
USAGE_KINDS = ("cpu", "memory")


@dataclass(frozen=True)
class HardwareTarget:
    """One planned hardware row: its column, row index and the name it is shown by."""

    column: HardwareColumn
    index: Oid
    entity: str

    @cached_property
    def oid(self) -> Oid:
        """The row's full OID (computed once: the poller asks it every cycle)."""
        return (*oid(self.column.oid), *self.index)

    @property
    def dotted_index(self) -> str:
        return ".".join(map(str, self.index))


def _ints(rows: Mapping[Oid, Value]) -> dict[Oid, int]:
    return {index: value for index, value in rows.items() if isinstance(value, int)}


async def _entity_rows(client: Client, target: str, columns: list[HardwareColumn]) -> list[HardwareTarget]:
    classes = _ints(await client.walk(target, ENT_PHYSICAL_CLASS))
    chosen = sorted(index for index, cls in classes.items() if cls in MATTERING_CLASSES)
    if not chosen:
        return []
    request = [(*ENT_PHYSICAL_NAME, *i) for i in chosen]
    request += [(*oid(c.oid), *i) for c in columns for i in chosen]
    answer = dict(await client.get(target, request))
    names = {i: answer.get((*ENT_PHYSICAL_NAME, *i)) for i in chosen}
    rows: list[HardwareTarget] = []
    for index in chosen:
        values = {c.name: answer.get((*oid(c.oid), *index)) for c in columns}
        used = any(v not in (None, 0) for c in columns if c.kind in USAGE_KINDS for v in [values[c.name]])
        name = names[index]
        label = text(name) if isinstance(name, bytes) and name.strip(b"\x00 ") else f"entity {index[-1]}"
        for column in columns:
            value = values[column.name]
            if not isinstance(value, int) or value in column.ignore:
                continue
            if column.kind in USAGE_KINDS and not used:
                continue
            rows.append(HardwareTarget(column, index, label))
    return rows


async def _table_rows(client: Client, target: str, column: HardwareColumn) -> list[HardwareTarget]:
    values = _ints(await client.walk(target, oid(column.oid)))
    names = await client.walk(target, oid(column.name_oid)) if column.name_oid and values else {}
    rows: list[HardwareTarget] = []
    for index, value in sorted(values.items()):
        if value in column.ignore:
            continue
        name = names.get(index)
        shown = ".".join(map(str, index))
        noun = "member" if column.kind == "stack_role" else column.kind
        label = text(name) if isinstance(name, bytes) and name else f"{noun} {shown}"
        rows.append(HardwareTarget(column, index, label))
    return rows


async def discover_hardware(
    client: Client, target: str, columns: tuple[HardwareColumn, ...]
) -> list[HardwareTarget]:
    """The rows worth polling on ``target`` for ``columns`` (see the module docstring)."""
    if not columns:
        return []
    by_entity = [c for c in columns if c.by_entity]
    rows = await _entity_rows(client, target, by_entity) if by_entity else []
    for column in columns:
        if not column.by_entity:
            rows += await _table_rows(client, target, column)
    return rows


def reading(row: HardwareTarget, value: Value) -> HardwareRow | None:
    """What one answer says: None when the row stopped answering, except a stack member, which
    is reported lost (value None, not ok)."""
    if not isinstance(value, int):
        if row.column.kind == "stack_role":
            return HardwareRow(row.column.name, "stack_role", row.dotted_index, row.entity, None, ok=False)
        return None
    column = row.column
    return HardwareRow(
        column.name, column.kind, row.dotted_index, row.entity, value, ok=value not in column.fault
    )
