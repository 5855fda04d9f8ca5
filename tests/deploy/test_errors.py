"""Honest connection failures: address, port, user and what went wrong, from real sockets and an
EMULATED Huawei CE (tests/emulation; not real gear)."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from emulation import Vrp8Device, driver_target, emulated_network, flash_dir

from govnet.deploy.driver import ConnectFailed, DriverTarget
from govnet.deploy.drivers import driver_class

CE = "#\nsysname kf-core-1\n#\nreturn\n"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("platform", ["frr", "huawei_vrpv8", "linux"])
def test_a_refused_connection_names_user_address_port_and_cause(platform: str, tmp_path: Path) -> None:
    port = _closed_port()
    target = DriverTarget("kf-agg-xinhe", platform, "127.0.0.1", port, "netadmin", "pw",
                          state_dir=tmp_path, timeout=5.0)
    with pytest.raises(ConnectFailed) as err:
        driver_class(platform)(target).open()
    assert str(err.value) == (
        f"kf-agg-xinhe: SSH to netadmin@127.0.0.1:{port} failed: "
        "connection refused (nothing listens on that port)"
    )


@pytest.fixture
def ce(tmp_path: Path) -> Iterator[Vrp8Device]:
    with emulated_network() as net:
        device = Vrp8Device("kf-core-1", CE, flash_dir(tmp_path, "kf-core-1"), time_scale=0.02)
        net.add(device)
        yield device


def test_a_wrong_password_says_authentication_failed_for_that_user(ce: Vrp8Device) -> None:
    target = dataclasses.replace(driver_target(ce, "kf-core-1", "huawei_vrpv8"), password="wrong")
    with pytest.raises(ConnectFailed) as err:
        driver_class("huawei_vrpv8")(target).open()
    assert str(err.value) == (
        f"kf-core-1: SSH to {target.username}@127.0.0.1:{ce.port} failed: "
        f"authentication failed for user {target.username!r} (password login)"
    )


def test_a_port_that_speaks_no_ssh_says_so(tmp_path: Path) -> None:
    """A listener that accepts and closes at once (no banner): not 'unreachable'."""
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    port = int(server.getsockname()[1])

    def serve() -> None:
        for _ in range(4):
            try:
                conn, _addr = server.accept()
            except OSError:
                return
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        target = DriverTarget("kf-vpn-1", "linux", "127.0.0.1", port, "netadmin", "pw",
                              state_dir=tmp_path, timeout=5.0)
        with pytest.raises(ConnectFailed) as err:
            driver_class("linux")(target).open()
    finally:
        server.close()
    assert str(err.value) == (
        f"kf-vpn-1: SSH to netadmin@127.0.0.1:{port} failed: "
        "the port answered but spoke no SSH (no protocol banner)"
    )
