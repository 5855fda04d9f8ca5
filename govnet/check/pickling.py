"""Fast pickling for the frozen dataclasses a process pool hands back and the cache keeps.

A slotted dataclass unpickles through ``dataclasses._dataclass_setstate``, which looks its fields
up again for every object; a province hands back tens of thousands of them. Pickled by position,
they are rebuilt by one constructor call.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def by_position(cls: type[T]) -> type[T]:
    """Pickle ``cls`` (a dataclass whose fields are all ``__init__`` arguments) as its constructor
    call with the field values in order."""
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]

    def __reduce__(self: Any) -> tuple[type[T], tuple[Any, ...]]:
        return cls, tuple(getattr(self, name) for name in names)

    setattr(cls, "__reduce__", __reduce__)  # noqa: B010 - a method assigned after the class is built
    return cls
