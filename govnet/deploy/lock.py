"""One deploy at a time per network: a lock file naming its holder, kept fresh by a heartbeat.

``<state_dir>/<network>.lock`` holds ``user@host pid N since ISO-time``. While a deploy holds it,
a heartbeat thread touches the file every :data:`HEARTBEAT_S` seconds, so its modification time
says when its holder was last alive. A second deploy is refused with the holder's line. Whether
a lock is stale:

- **this host**: its process is gone -> taken over (the pending commits it left are recovered
  by the run that takes it, before anything is pushed);
- **another host** (a state directory on shared storage): govnet cannot see that process, so it
  never takes such a lock by itself. When the heartbeat is older than :data:`STALE_AFTER_S` the
  refusal says the lock looks stale, since when, and how to break it once the operator has
  checked that no govnet runs on that host any more (:func:`break_lock`, which removes the lock
  only if it still names the holder the operator saw). A host cut off from the storage may still
  be pushing, which is why a person decides.

Ages come from the file's modification time against this host's clock; a heartbeat "in the
future" (a skewed clock) counts as fresh, so skew can only delay a break, never cause one.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from govnet.deploy.driver import DeployError

HEARTBEAT_S = 30.0
"""How often a held lock's modification time is refreshed."""
STALE_AFTER_S = 600.0
"""A lock from another host whose heartbeat is older than this looks stale (20 missed beats)."""


class LockHeld(DeployError):
    """Another deploy runs against this network."""


def _holder() -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return f"{getpass.getuser()}@{socket.gethostname()} pid {os.getpid()} since {stamp}"


def holder_id(text: str) -> str:
    """``user@host pid N`` of a lock's line (what :func:`break_lock` must be given).

    >>> holder_id("ops@noc-2 pid 4711 since 2026-12-07T04:00:00Z")
    'ops@noc-2 pid 4711'
    """
    return text.split(" since ", 1)[0].strip()


def _pid_host(text: str) -> tuple[int, str] | None:
    parts = text.split()
    try:
        return int(parts[parts.index("pid") + 1]), parts[0].split("@", 1)[1]
    except (ValueError, IndexError):
        return None


def _alive_here(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale(text: str) -> bool:
    """A lock of this host whose process is gone (taken over without asking)."""
    found = _pid_host(text)
    if found is None:
        return False
    pid, host = found
    return host == socket.gethostname() and not _alive_here(pid)


def heartbeat_age(path: Path, now: float | None = None) -> float:
    """Seconds since the lock's last heartbeat (0 when it is in the future: clock skew)."""
    return max(0.0, (time.time() if now is None else now) - path.stat().st_mtime)


def _duration(seconds: float) -> str:
    """
    >>> _duration(7380.0), _duration(610.0)
    ('2 h 3 min', '10 min')
    """
    hours, minutes = int(seconds // 3600), int(seconds % 3600 // 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def refusal(path: Path, network: str, text: str) -> str:
    """Why a deploy cannot take the lock: the holder, and for a silent holder on another host
    that it looks stale and how to break it."""
    line = f"a deploy to {network} is already running ({text}); lock file {path}"
    found = _pid_host(text)
    if found is None or found[1] == socket.gethostname():
        return line
    try:
        age = heartbeat_age(path)
    except FileNotFoundError:
        return line
    if age < STALE_AFTER_S:
        return line
    return (f"{line}: it looks STALE: no heartbeat from {found[1]} for {_duration(age)} (a live deploy "
            f"refreshes it every {HEARTBEAT_S:g} s). If no govnet runs on {found[1]} any more, break it "
            f"naming its holder ('{holder_id(text)}'); the next deploy recovers any commit it left "
            "unconfirmed first")


def break_lock(state_dir: Path, network: str, holder: str) -> str:
    """Remove the network's lock if it still names ``holder`` (``user@host pid N``); refuse a lock
    held by a live process of this host, or by anyone else. Returns what was removed."""
    path = state_dir / f"{network}.lock"
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except FileNotFoundError:
        raise DeployError(f"no deploy lock for {network} in {state_dir}: nothing to break") from None
    if holder_id(text) != holder.strip():
        raise LockHeld(f"the lock {path} is held by '{holder_id(text)}', not '{holder.strip()}'; "
                       "nothing broken")
    found = _pid_host(text)
    if found is not None and found[1] == socket.gethostname() and _alive_here(found[0]):
        raise LockHeld(f"the lock {path} is held by a running process of this host ({text}); "
                       "stop that deploy instead")
    path.unlink()
    return f"broke the deploy lock of {network} ({text})"


@contextlib.contextmanager
def network_lock(state_dir: Path, network: str) -> Iterator[Path]:
    """Hold the network's deploy lock for the ``with`` block (released on any exit)."""
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = state_dir / f"{network}.lock"
    for _attempt in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            text = path.read_text(encoding="utf-8", errors="replace").strip()
            if _stale(text):
                path.unlink(missing_ok=True)
                continue
            raise LockHeld(refusal(path, network, text)) from None
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(_holder() + "\n")
        break
    else:
        raise LockHeld(f"cannot take the deploy lock {path}")
    stop = threading.Event()
    beat = threading.Thread(target=_beat, args=(path, stop), name=f"lock-{network}", daemon=True)
    beat.start()
    try:
        yield path
    finally:
        stop.set()
        beat.join(timeout=5)
        path.unlink(missing_ok=True)


def _beat(path: Path, stop: threading.Event) -> None:
    """Refresh the lock's modification time until ``stop`` (a vanished lock stops it)."""
    while not stop.wait(HEARTBEAT_S):
        try:
            os.utime(path)
        except FileNotFoundError:
            return
        except OSError:
            continue
