"""`govnet monitor` bad input: one `error:` line naming the option, exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOVNET = str(Path(sys.executable).parent / "govnet")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVNET_")}
    return subprocess.run(
        [GOVNET, "monitor", "-i", str(ROOT / "inventory"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=ROOT,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shard", "3/2"], "error: --shard '3/2': expected I/N with 0 <= I < N"),
        (["--listen", "nope"], "error: --listen 'nope': expected HOST:PORT"),
        (["--once"], "error: no SNMP credentials: set GOVNET_SNMP_USER"),
    ],
)
def test_bad_input_is_one_error_line(args: list[str], message: str) -> None:
    proc = _run(*args)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), proc.stderr


def test_lab_without_a_twin_names_the_workdir(tmp_path: Path) -> None:
    proc = _run("--lab", "--workdir", str(tmp_path), "--once")
    assert proc.returncode == 2
    assert f"no lab in {tmp_path}" in proc.stderr
