"""`govnet monitor` bad input: one `error:` line naming the option, exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
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


def test_status_asks_a_monitor_and_tells_no_answer_from_an_error() -> None:
    """``fetch_state``: the document of a monitor that answers (the district in the query), None where
    none listens (status then polls one cycle), an error for a monitor that answers with an HTTP error."""
    import json
    import socket
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from govnet.errors import GovnetError
    from govnet.monitor.status import fetch_state

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if not self.path.startswith("/api/state"):
                self.send_error(404)
                return
            body = json.dumps({"status": "healthy", "path": self.path}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert fetch_state(base + "/", "kf") == {"status": "healthy", "path": "/api/state?district=kf"}
        assert fetch_state(base, None) == {"status": "healthy", "path": "/api/state"}
        with pytest.raises(GovnetError, match="HTTP 404"):
            fetch_state(base + "/elsewhere", None)
    finally:
        server.shutdown()
        server.server_close()
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    assert fetch_state(f"http://127.0.0.1:{free}", None, timeout=2) is None
