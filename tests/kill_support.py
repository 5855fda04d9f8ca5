"""Kill a child process at a named step: it prints ``at STEP`` when it gets there and waits."""

from __future__ import annotations

import os
import signal
import subprocess


def sigkill_at(argv: list[str], step: str, env: dict[str, str] | None = None) -> None:
    """Start ``argv``, wait for its ``at STEP`` line and SIGKILL it there; an AssertionError with
    its stderr tail when it never gets there. The child is always reaped and its pipes closed."""
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             encoding="utf-8", env={**os.environ, **(env or {})})
    try:
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        if line != f"at {step}":
            child.kill()
            raise AssertionError(f"the child never reached {step}: {line!r} {child.communicate()[1][-2000:]}")
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
        for pipe in (child.stdout, child.stderr):
            if pipe is not None:
                pipe.close()
