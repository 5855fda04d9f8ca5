"""One deploy at a time per network: a lock file naming its holder.

``<state_dir>/<network>.lock`` holds ``user@host pid N since ISO-time``. A second deploy is
refused with that line; a lock whose process is gone (same host) is taken over.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from govnet.deploy.driver import DeployError


class LockHeld(DeployError):
    """Another deploy runs against this network."""


def _holder() -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return f"{getpass.getuser()}@{socket.gethostname()} pid {os.getpid()} since {stamp}"


def _stale(text: str) -> bool:
    parts = text.split()
    try:
        pid = int(parts[parts.index("pid") + 1])
        host = parts[0].split("@", 1)[1]
    except (ValueError, IndexError):
        return False
    if host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


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
            raise LockHeld(f"a deploy to {network} is already running ({text}); lock file {path}") from None
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(_holder() + "\n")
        break
    else:
        raise LockHeld(f"cannot take the deploy lock {path}")
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
