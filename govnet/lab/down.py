"""`govnet lab down`: remove exactly what the state says govnet made, even after a crash."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from govnet.lab import edge_access, frr, netns, sshd
from govnet.lab.preflight import require_root
from govnet.lab.procs import children, pid_alive, read_pidfile, same_process, terminate
from govnet.lab.state import (
    STATE_FILE,
    LabState,
    load_state,
    registered_workdirs,
    unregister_workdir,
)

Echo = Callable[[str], None]
LAB_EXECUTABLES = ("zebra", "staticd", "ospfd", "bgpd", "ldpd", "snmpd", "sshd", "keepalived")
RUNTIME_ENTRIES = ("snmpd", "sshd", "nftables", "keepalived", "edge", "ifmap.json", STATE_FILE, "state.tmp")


def lab_down(workdir: Path, *, echo: Echo = print) -> bool:
    """Tear the lab in `workdir` down; False if there was nothing to remove."""
    require_root("tear down the lab twin")
    workdir = workdir.resolve()
    state = load_state(workdir)
    if state is None:
        echo(f"no lab state in {workdir}; nothing to remove")
        return False
    state.update(phase="stopping")
    stop_processes(state)
    for name in state.netns:
        if name.startswith(netns.NETNS_PREFIX):
            netns.delete_netns(name)
    terminate(sorted(_started_by_lab(state)))  # a second sweep for stragglers of a crashed up
    for link in state.root_links:
        netns.delete_link(link)
    for directory in state.dirs:
        frr.remove_pathspace(Path(directory))
        edge_access.remove_run_dir(Path(directory))
    if state.user_created:
        sshd.remove_user(state.user_created)
    _remove_runtime(workdir)
    unregister_workdir(workdir)
    echo(f"lab down: removed {len(state.netns)} namespaces, {len(state.root_links)} host "
         f"interfaces and {len(state.processes)} recorded processes")
    return True


def abandoned(state: LabState) -> bool:
    """True if nothing runs this lab any more: the `lab up` that made it is gone and none of its
    daemons (recorded, in a pidfile, or inside its namespaces) is alive, as after a host's
    processes were killed wholesale. Its namespaces and interfaces are then only litter."""
    if state.phase == "down" or same_process(state.booted_by, state.booted_by_started):
        return False
    if any(pid_alive(p) and _is_lab_process(p) for p in _recorded_pids(state)):
        return False
    live = set(netns.list_netns())
    return not any(netns.netns_pids(n) for n in state.netns if n in live)


def reap_abandoned(*, under: Path | None = None, echo: Echo = print) -> list[Path]:
    """Tear down every registered lab that is :func:`abandoned` (only those whose workdir is
    inside `under`, if given); returns their workdirs. A registered workdir whose state file is
    gone is forgotten: what it made can no longer be told from foreign resources."""
    reaped: list[Path] = []
    for workdir in sorted(registered_workdirs()):
        if under is not None and not workdir.is_relative_to(under):
            continue
        state = load_state(workdir)
        if state is None:
            echo(f"{workdir}: registered but its state file is gone; forgetting it")
            unregister_workdir(workdir)
        elif abandoned(state):
            echo(f"{workdir}: abandoned lab (no process of it runs); removing it")
            lab_down(workdir, echo=echo)
            reaped.append(workdir)
    return reaped


def _recorded_pids(state: LabState) -> set[int]:
    """PIDs the state, the daemons' pidfiles and sshd's pidfiles name (alive or not)."""
    pids: set[int] = set()
    for proc in state.processes:
        pid = proc.pid
        if proc.pidfile:  # a restarted daemon may have a newer pid than the record
            pids.update(p for p in (read_pidfile(Path(proc.pidfile)),) if p is not None)
        pids.add(pid)
    for directory in state.dirs:
        path = Path(directory)
        if path.parent == frr.FRR_RUN and path.is_dir():
            pids.update(p for f in path.glob("*.pid") if (p := read_pidfile(f)) is not None)
    pids.update(
        p for f in sshd.ssh_dir(state.workdir).glob("sshd*.pid") if (p := read_pidfile(f)) is not None
    )
    return pids


def stop_processes(state: LabState) -> None:
    """Stop recorded daemons, anything left inside govnet's namespaces, and sshd's sessions."""
    pids = _recorded_pids(state)
    owned = {p for p in pids if pid_alive(p) and _is_lab_process(p)}
    owned.update(_started_by_lab(state))
    for name in state.netns:
        if name.startswith(netns.NETNS_PREFIX) and name in netns.list_netns():
            owned.update(netns.netns_pids(name))
    for pid in list(owned):
        owned.update(children(pid))
    terminate(sorted(owned))


def _started_by_lab(state: LabState) -> set[int]:
    """Processes whose command line names this lab's FRR pathspaces or workdir.

    Catches daemons (and their `ip netns exec` wrappers) that a crashed `up` left in flight
    before their PID was recorded.
    """
    pathspaces = {Path(d).name for d in state.dirs if Path(d).parent in (frr.FRR_ETC, frr.FRR_RUN)}
    workdir = f"{state.workdir}/"
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        argv = _cmdline(int(entry.name))
        if not argv:
            continue
        frr_daemon = any(a.startswith(str(frr.FRR_SBIN) + "/") for a in argv)
        pathspace = any(a == "-N" and b in pathspaces for a, b in itertools.pairwise(argv))
        in_workdir = any(a.startswith(workdir) for a in argv) and _is_lab_process(int(entry.name), argv)
        if (frr_daemon and pathspace) or in_workdir:
            found.add(int(entry.name))
    return found


def _is_lab_process(pid: int, argv: list[str] | None = None) -> bool:
    """Guard against PID reuse: only FRR daemons, snmpd, sshd, keepalived, the edge agent and
    `ip netns exec` are ours to stop."""
    if argv is None:
        argv = _cmdline(pid)
    exe = Path(argv[0]).name if argv else ""
    return exe in (*LAB_EXECUTABLES, "ip") or exe.startswith("sshd") or edge_access.is_agent(argv)


def _cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [a.decode(errors="replace") for a in raw.split(b"\0")]


def _remove_runtime(workdir: Path) -> None:
    """Delete runtime files; keep secrets.env so credentials survive a down/up cycle."""
    for entry in RUNTIME_ENTRIES:
        path = workdir / entry
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists():
            path.unlink()
