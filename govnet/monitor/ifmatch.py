"""Planned interfaces matched to the agent's rows as the device names them.

A planned name matches an agent's ifName, else its ifDescr, each compared through the
platform's alias table (``GE1/0/5`` is ``GigabitEthernet1/0/5`` on VRP, ``XGE9/0/10`` is
``Ten-GigabitEthernet9/0/10`` on Comware), case and spacing ignored. What does not match is
reported with the names the agent does show, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

SHOWN_NAMES = 8
"""How many of the agent's names a not-found reason lists."""


@dataclass(slots=True)
class Match:
    """Planned ifName -> (ifIndex, the agent's name); and the planned names not found, with why."""

    found: dict[str, tuple[int, str]] = field(default_factory=dict)
    not_found: dict[str, str] = field(default_factory=dict)


def match_interfaces(
    planned: Iterable[str],
    columns: Iterable[Mapping[int, str]],
    key: Callable[[str], str],
) -> Match:
    """Match ``planned`` names against each column of ifIndex -> name in turn (ifName, ifDescr).

    >>> key = lambda n: n.lower().replace("gigabitethernet", "ge")
    >>> m = match_interfaces(["GigabitEthernet1/0/5", "GigabitEthernet1/0/9"],
    ...                      [{7: "GE1/0/5", 3: "GE1/0/1"}], key)
    >>> m.found
    {'GigabitEthernet1/0/5': (7, 'GE1/0/5')}
    >>> m.not_found["GigabitEthernet1/0/9"]
    'not found in ifName/ifDescr (the agent reports 2 names: GE1/0/1, GE1/0/5)'
    >>> other = match_interfaces(["Ten-GigabitEthernet1/0/5"], [{7: "GE1/0/5"}], key)
    >>> other.not_found["Ten-GigabitEthernet1/0/5"]
    'not found in ifName/ifDescr (the agent reports 1 name: GE1/0/5); same numbering: GE1/0/5'
    """
    wanted = list(dict.fromkeys(planned))
    result = Match()
    shown: set[str] = set()
    for column in columns:
        by_key: dict[str, tuple[int, str]] = {}
        for index, name in sorted(column.items()):
            by_key.setdefault(key(name), (index, name))
            shown.add(name)
        for name in wanted:
            if name not in result.found and key(name) in by_key:
                result.found[name] = by_key[key(name)]
    names = sorted(shown)
    listed = ", ".join(names[:SHOWN_NAMES]) + (", ..." if len(names) > SHOWN_NAMES else "")
    for name in wanted:
        if name in result.found:
            continue
        if not names:
            result.not_found[name] = "not found: the agent reports no interface names"
            continue
        alike = [n for n in names if _numbering(n) == _numbering(name)]
        hint = f"; same numbering: {', '.join(alike[:SHOWN_NAMES])}" if alike else ""
        count = f"{len(names)} name{'s' if len(names) > 1 else ''}"
        result.not_found[name] = f"not found in ifName/ifDescr (the agent reports {count}: {listed}){hint}"
    return result


def _numbering(name: str) -> str:
    """The slot/port part of an interface name (``GE1/0/5`` -> ``1/0/5``)."""
    return re.sub(r"^\D*", "", "".join(name.split()))
