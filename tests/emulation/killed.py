"""A govnet push that dies between commit and confirm: a child process commits through a real
driver against an EMULATED device, then is killed with SIGKILL (no cleanup, no rollback)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from govnet.deploy.driver import DriverTarget

_CHILD = """
import json, os, sys, time
from pathlib import Path
from govnet.deploy.driver import DriverTarget
from govnet.deploy.drivers import driver_class
spec = json.loads(sys.argv[1])
target = DriverTarget(
    device=spec["device"], platform=spec["platform"], hostname="127.0.0.1", port=spec["port"],
    username=spec["username"], password=os.environ["EMULATED_PASSWORD"],
    state_dir=Path(spec["state_dir"]), timeout=15.0, extras={"run_id": "killed"},
    target_kind=spec["target_kind"],
)
driver = driver_class(spec["platform"])(target)
driver.open()
driver.load_merge_candidate(spec["config"])
driver.commit_config(revert_in=spec["revert_in"])
print("committed", flush=True)
time.sleep(600)
"""


def commit_then_die(target: DriverTarget, config: str, revert_in: int = 600) -> None:
    """Merge ``config`` and commit it with a window from a child process, then SIGKILL it."""
    spec = {
        "device": target.device,
        "platform": target.platform,
        "port": target.port,
        "username": target.username,
        "state_dir": str(target.state_dir),
        "target_kind": target.target_kind,
        "config": config,
        "revert_in": revert_in,
    }
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "EMULATED_PASSWORD": target.password or "", "PYTHONPATH": str(root)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, json.dumps(spec)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        if line.strip() != "committed":
            child.kill()
            raise AssertionError(f"the child never committed: {line}{child.communicate()[1]}")
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
