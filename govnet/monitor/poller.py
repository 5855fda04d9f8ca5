"""The poll cycle: per device one GET of exactly the planned rows, after a one-time discovery.

Discovery maps each planned interface to its ifIndex by the name the agent reports (ifName,
then ifDescr, through the platform's aliases; :mod:`govnet.monitor.ifmatch`), and finds LDP
session, vendor/HA table and hardware rows (:mod:`govnet.monitor.hardware`); it is redone when
sysUpTime goes backwards (a reboot renumbers ifIndex) or a planned row disappears. A device the
model puts in a VRRP group whose HA tables have no rows has them walked again every cycle, so a
restarted HA daemon is seen at once. Devices are polled concurrently under a semaphore, their
start times spread over ``spread`` seconds so a large shard does not burst.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from ipaddress import IPv4Address

from govnet.monitor import oids
from govnet.monitor.hardware import HardwareTarget, discover_hardware, reading
from govnet.monitor.ifmatch import match_interfaces
from govnet.monitor.oids import Oid, dotted, oid
from govnet.monitor.plan import DevicePlan, Plan
from govnet.monitor.snapshot import DeviceState, InterfaceState, Snapshot
from govnet.monitor.snmp import Client, ErrorKind, SnmpError, SnmpTarget, Value
from govnet.monitor.strings import text

REDISCOVER_MISSING_EVERY = 10
"""Cycles between discovery retries while a planned interface is not found on the agent."""
ALIAS_EVERY = 10
"""Cycles between re-reads of ifAlias (also read right after discovery)."""


@dataclass(slots=True)
class Discovery:
    """Row indexes found on one agent."""

    ifindex: dict[str, int] = field(default_factory=dict)
    agent_names: dict[str, str] = field(default_factory=dict)
    """Planned ifName -> the name the agent reports for that port."""
    not_found: dict[str, str] = field(default_factory=dict)
    alias: dict[str, str] = field(default_factory=dict)
    ldp_rows: dict[str, Oid] = field(default_factory=dict)
    vendor_rows: dict[str, list[Oid]] = field(default_factory=dict)
    table_bases: dict[str, Oid] = field(default_factory=dict)
    """Vendor/HA table name -> its column OID (parsed once per discovery)."""
    ha_names: frozenset[str] = frozenset()
    hardware: list[HardwareTarget] = field(default_factory=list)
    ha_missing: bool = False
    age: int = 0
    requests: dict[bool, tuple[list[Oid], list[Oid]]] = field(default_factory=dict)
    """The GET list and its rows that must answer integers, by whether it reads ifAlias: built
    from the rows above once, and again only after they are looked up again."""

    @property
    def missing_ifnames(self) -> bool:
        return bool(self.not_found)


def _ip_index(address: IPv4Address) -> Oid:
    return tuple(address.packed)


def ldp_peer(index: Oid) -> str:
    """The peer LSR id in an mplsLdpSessionTable index (the last 6 components are the peer's
    LDP id: 4 octets of router id, 2 of label space)."""
    return ".".join(str(part) for part in index[-6:-2])


class Poller:
    """Polls a plan through one :class:`SnmpClient`; ``snapshot`` is the last completed cycle."""

    def __init__(
        self,
        plan: Plan,
        client: Client,
        *,
        spread: float = 0.0,
        concurrency: int = 64,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.plan = plan
        self.client = client
        self.spread = spread
        self._limit = asyncio.Semaphore(concurrency)
        self._found: dict[str, Discovery] = {}
        self._last: dict[str, DeviceState] = {}
        self._answered: set[str] = set()
        self._reported: dict[str, set[str]] = {}
        self.errors_total = {"timeout": 0, "auth": 0, "decode": 0}
        self.cycles_total = 0
        self.snapshot = Snapshot()
        self.log = log or (lambda _line: None)
        """Where discovery reports what it could not find (one line per device and discovery)."""
        for dev in plan.devices:
            client.add_target(SnmpTarget(dev.name, dev.host, dev.port, dev.timeout))

    async def cycle(self) -> Snapshot:
        """Poll every device once; the new snapshot replaces the old when all are done."""
        started = time.time()
        t0 = time.monotonic()
        count = max(len(self.plan.devices), 1)
        states = await asyncio.gather(
            *(self._poll_later(dev, self.spread * i / count) for i, dev in enumerate(self.plan.devices))
        )
        self.cycles_total += 1
        for state in states:
            if state.error:
                self.errors_total[state.error] += 1
        self.snapshot = Snapshot(
            started=started,
            duration_s=time.monotonic() - t0,
            devices={s.name: s for s in states},
            errors_total=dict(self.errors_total),
            retries_total=getattr(self.client, "retries_total", 0),
            cycles_total=self.cycles_total,
            complete=True,
        )
        return self.snapshot

    async def _poll_later(self, dev: DevicePlan, delay: float) -> DeviceState:
        if delay:
            await asyncio.sleep(delay)
        async with self._limit:
            return await self.poll_device(dev)

    async def poll_device(self, dev: DevicePlan) -> DeviceState:
        """One device: discover if needed, then GET its rows. A device that answered last cycle
        and now does not is retried once after forgetting its engine ID (an agent restarted
        with a new one answers the retry)."""
        t0 = time.monotonic()
        previous = self._last.get(dev.name)
        try:
            try:
                state = await self._poll(dev, previous)
            except SnmpError as exc:
                if dev.name not in self._answered or exc.kind == "decode":
                    raise
                self.client.forget_engine(dev.name)
                state = await self._poll(dev, previous)
        except SnmpError as exc:
            state = self._failed(dev, previous, exc.kind, str(exc))
            state.duration_s = time.monotonic() - t0
            return state
        except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
            # an answer this poller cannot use must fail this device only, never the cycle
            state = self._failed(dev, previous, "decode", f"{dev.name}: unusable answer: {exc!r}")
            state.duration_s = time.monotonic() - t0
            return state
        self._answered.add(dev.name)
        state.duration_s = time.monotonic() - t0
        self._last[dev.name] = state
        return state

    def _failed(
        self, dev: DevicePlan, previous: DeviceState | None, kind: ErrorKind, reason: str
    ) -> DeviceState:
        self._answered.discard(dev.name)
        return DeviceState(
            dev.name,
            up=False,
            error=kind,
            reason=reason,
            last_success=previous.last_success if previous else None,
        )

    async def _poll(self, dev: DevicePlan, previous: DeviceState | None) -> DeviceState:
        found = self._found.get(dev.name)
        if found is None or (found.missing_ifnames and found.age >= REDISCOVER_MISSING_EVERY):
            found = await self.discover(dev)
        elif found.ha_missing:
            await self._vendor_rows(dev, found)  # an HA daemon restarted: see its rows at once
        state, stale = await self._read(dev, found, previous)
        if stale:  # rebooted or a row disappeared: discover again and re-read now
            rebooted = state.rebooted
            found = await self.discover(dev)
            state, _ = await self._read(dev, found, previous)
            state.rebooted = rebooted
        elif any(str(p.address) not in found.ldp_rows for p in dev.ldp):
            found.ldp_rows = await self._ldp_rows(dev)  # a session without a row: look again
            found.requests.clear()
        found.age += 1
        return state

    async def discover(self, dev: DevicePlan) -> Discovery:
        """Find the planned interfaces (ifName, then ifDescr), LDP session, vendor/HA table and
        hardware rows; log the planned interfaces the agent does not show, once."""
        wanted = [end.ifname for end in dev.links]
        columns = [await self._names(dev, oids.IF_NAME)]
        match = match_interfaces(wanted, columns, dev.interface_key)
        if match.not_found:
            columns.append(await self._names(dev, oids.IF_DESCR))
            match = match_interfaces(wanted, columns, dev.interface_key)
        found = Discovery(
            ifindex={n: i for n, (i, _) in match.found.items()},
            agent_names={n: shown for n, (_, shown) in match.found.items()},
            not_found=match.not_found,
        )
        reported = self._reported.setdefault(dev.name, set())
        for name, why in match.not_found.items():
            if name not in reported:  # once, not at every rediscovery
                end = dev.link_end(name)
                self.log(f"{dev.name}: interface {end.interface} (link {end.link}) {why}")
        self._reported[dev.name] = set(match.not_found)
        if dev.ldp:
            found.ldp_rows = await self._ldp_rows(dev)
        await self._vendor_rows(dev, found)
        found.hardware = await discover_hardware(self.client, dev.name, dev.hardware)
        self._found[dev.name] = found
        return found

    async def _names(self, dev: DevicePlan, column: Oid) -> dict[int, str]:
        rows = await self.client.walk(dev.name, column)
        return {index[0]: text(v) for index, v in rows.items() if isinstance(v, bytes) and len(index) == 1}

    async def _vendor_rows(self, dev: DevicePlan, found: Discovery) -> None:
        found.requests.clear()
        found.vendor_rows = {}
        found.table_bases = {name: oid(text_oid) for name, text_oid in dev.table_oids.items()}
        found.ha_names = frozenset(t.name for t in dev.ha_tables)
        for name, base in found.table_bases.items():
            rows = await self.client.walk(dev.name, base)
            if rows:
                found.vendor_rows[name] = sorted(rows)
        found.ha_missing = dev.ha_expected and not any(found.vendor_rows.get(n) for n in found.ha_names)

    async def _ldp_rows(self, dev: DevicePlan) -> dict[str, Oid]:
        rows = await self.client.walk(dev.name, oids.LDP_SESSION_STATE)
        return {ldp_peer(index): index for index in rows}

    def _request(self, dev: DevicePlan, found: Discovery) -> tuple[list[Oid], list[Oid]]:
        """The rows to GET this cycle, and those of them that must answer integers."""
        with_alias = found.age % ALIAS_EVERY == 0
        if with_alias not in found.requests:
            request = self._rows(dev, found, with_alias)
            found.requests[with_alias] = (request, [o for o in request if _integer_row(o)])
        return found.requests[with_alias]

    def _rows(self, dev: DevicePlan, found: Discovery, with_alias: bool) -> list[Oid]:
        request = [oids.SYS_UPTIME]
        for end in dev.links:
            index = found.ifindex.get(end.ifname)
            if index is not None:
                request += [(*column, index) for column in oids.INTERFACE_COLUMNS.values()]
                if with_alias:
                    request.append((*oids.IF_ALIAS, index))
        for peer in dev.bgp:
            request += [
                oids.BGP_PEER_STATE + _ip_index(peer.address),
                oids.BGP_PEER_FSM_ESTABLISHED_TIME + _ip_index(peer.address),
            ]
        request += [oids.OSPF_NBR_STATE + _ip_index(p.address) + (0,) for p in dev.ospf]
        for peer in dev.ldp:
            row = found.ldp_rows.get(str(peer.address))
            if row is not None:
                request.append(oids.LDP_SESSION_STATE + row)
        for name, rows in found.vendor_rows.items():
            base = found.table_bases[name]
            request += [base + row for row in rows]
        request += [row.oid for row in found.hardware]
        return request

    async def _read(
        self, dev: DevicePlan, found: Discovery, previous: DeviceState | None
    ) -> tuple[DeviceState, bool]:
        """GET the planned rows; ``stale`` when the discovery no longer matches the agent."""
        request, integers = self._request(dev, found)
        answer = dict(await self.client.get(dev.name, request))
        _integers_only(dev.name, answer, integers)
        uptime = _int(answer.get(oids.SYS_UPTIME))
        state = DeviceState(dev.name, up=True, last_success=time.time(), sys_uptime=uptime)
        rebooted = bool(
            previous and previous.sys_uptime and uptime is not None and uptime < previous.sys_uptime
        )
        state.rebooted = rebooted
        stale = rebooted
        state.not_found = dict(found.not_found)
        for end in dev.links:
            index = found.ifindex.get(end.ifname)
            if index is None:
                continue
            row = InterfaceState(ifindex=index, name=found.agent_names.get(end.ifname, end.ifname))
            for name, column in oids.INTERFACE_COLUMNS.items():
                setattr(row, name, _int(answer.get((*column, index))))
            alias = answer.get((*oids.IF_ALIAS, index))
            if isinstance(alias, bytes):
                found.alias[end.ifname] = text(alias)
            row.alias = found.alias.get(end.ifname, "")
            if row.oper_status is None:
                stale = True  # the row disappeared: ifIndex renumbered
                continue
            state.interfaces[end.ifname] = row
        for peer in dev.bgp:
            key = _ip_index(peer.address)
            state.bgp[str(peer.address)] = (
                _int(answer.get(oids.BGP_PEER_STATE + key)),
                _int(answer.get(oids.BGP_PEER_FSM_ESTABLISHED_TIME + key)),
            )
        for peer in dev.ospf:
            state.ospf[str(peer.address)] = _int(
                answer.get(oids.OSPF_NBR_STATE + _ip_index(peer.address) + (0,))
            )
        for peer in dev.ldp:
            row_index = found.ldp_rows.get(str(peer.address))
            state.ldp[str(peer.address)] = (
                _int(answer.get(oids.LDP_SESSION_STATE + row_index)) if row_index is not None else None
            )
        for name, rows in found.vendor_rows.items():
            base = found.table_bases[name]
            values = {".".join(map(str, r)): _int(answer.get(base + r)) for r in rows}
            state.vendor[name] = {k: v for k, v in values.items() if v is not None}
        ha_rows = [name for name in found.ha_names if found.vendor_rows.get(name)]
        if ha_rows and not any(state.vendor[name] for name in ha_rows):
            found.ha_missing = True  # the HA state went away: walk the HA tables again next cycle
        for target in found.hardware:
            row_reading = reading(target, answer.get(target.oid))
            if row_reading is not None:
                state.hardware.append(row_reading)
        return state, stale


MIB_2 = (1, 3, 6, 1, 2, 1)
"""Standard MIBs (IF-MIB, BGP4, OSPF, LDP, VRRP): integer columns whatever the vendor; vendor rows
of another type are dropped one by one instead, as a firmware may type them differently."""


def _integer_row(name: Oid) -> bool:
    """Whether ``name`` is a standard row (MIB-2) other than ifAlias: an integer when answered."""
    return name[:6] == MIB_2 and name[:-1] != oids.IF_ALIAS


def _integers_only(device: str, answer: dict[Oid, Value], integers: list[Oid]) -> None:
    """Every asked standard row but ifAlias (``integers``, see :func:`_integer_row`) is an integer
    (or absent): an agent that answers another type is broken (a decode error), not a port
    without a row."""
    for name in integers:
        value = answer.get(name)
        if value is None or isinstance(value, int):
            continue
        shown = repr(value)[:40]
        raise SnmpError("decode", f"{device}: {dotted(name)} answered {shown} where an integer belongs")


def _int(value: Value) -> int | None:
    return value if isinstance(value, int) else None
