"""The EMULATED devices themselves (not real gear): prompts, dialogs, timers and refusals the
drivers rely on, typed over a raw SSH shell (paramiko) without any govnet code."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import paramiko  # type: ignore[import-untyped]
import pytest

from .devices import ComwareDevice, NipDevice, SecPathDevice, UsgDevice, Vrp5Device, Vrp8Device
from .server import PASSWORD, USERNAME, EmulatedNetwork, emulated_network, flash_dir

CE = "sysname ce-lab-1\n#\ninterface 10GE1/0/1\n description uplink\n#\nreturn\n"


class Terminal:
    """An interactive shell: type a line, read up to the next prompt or question."""

    PROMPT = re.compile(r"(HRP_[MS])?([<\[][^\n]*[>\]]|\[Y/N\]:|\[Y\(yes\)/N\(no\)/C\(cancel\)\]:)\s*$")

    def __init__(self, port: int) -> None:
        self.client = paramiko.SSHClient()
        self.client.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # the emulator keys per run
        self.client.connect(
            "127.0.0.1", port, USERNAME, PASSWORD, look_for_keys=False, allow_agent=False, timeout=10
        )
        self.shell = self.client.invoke_shell()
        self.shell.settimeout(10)
        self.banner = self._read()

    def _read(self) -> str:
        out = ""
        while not self.PROMPT.search(out):
            out += self.shell.recv(65536).decode()
        return out

    def type(self, line: str) -> str:
        self.shell.send((line + "\n").encode())
        return self._read()

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def net() -> Iterator[EmulatedNetwork]:
    with emulated_network() as network:
        yield network


def test_vrp8_prompts_follow_the_candidate_and_return_asks_to_commit(
    net: EmulatedNetwork, tmp_path: Path
) -> None:
    device = Vrp8Device("ce-lab-1", CE, flash_dir(tmp_path, "ce"))
    net.add(device)
    term = Terminal(device.port)
    try:
        assert term.banner.rstrip().endswith("<ce-lab-1>")
        assert term.type("system-view").rstrip().endswith("[~ce-lab-1]")
        assert term.type("interface 10GE1/0/1").rstrip().endswith("[~ce-lab-1-10GE1/0/1]")
        assert term.type("description moved").rstrip().endswith("[*ce-lab-1-10GE1/0/1]")
        assert "[Y(yes)/N(no)/C(cancel)]:" in term.type("return")
        assert term.type("n").rstrip().endswith("<ce-lab-1>")
        assert device.running_lines() == [
            "sysname ce-lab-1",
            "interface 10GE1/0/1",
            " description uplink",
        ], "answering N discards"
    finally:
        term.close()


def test_vrp8_trial_bounds_and_no_edits_during_a_trial(net: EmulatedNetwork, tmp_path: Path) -> None:
    device = Vrp8Device("ce-lab-1", CE, flash_dir(tmp_path, "ce"))
    net.add(device)
    term = Terminal(device.port)
    try:
        term.type("system-view")
        term.type("interface 10GE1/0/1")
        term.type("description moved")
        term.type("quit")
        assert "Error: Wrong parameter found at '^' position." in term.type("commit trial 59")
        assert term.type("commit trial 600 label t1").rstrip().endswith("[~ce-lab-1]")
        out = term.type("sysname other")
        assert "Error: The configuration cannot be modified during a trial commit." in out
        assert "Info: The trial commit has been aborted." in term.type("abort trial")
        assert " description uplink" in device.running_lines()
        assert "Error: Unrecognized command found at '^' position." in term.type("frobnicate")
    finally:
        term.close()


def test_vrp5_save_asks_before_writing_and_refuses_a_bad_mask(net: EmulatedNetwork, tmp_path: Path) -> None:
    device = Vrp5Device("s1", "sysname kf-agg-1\n", flash_dir(tmp_path, "s1"))
    net.add(device)
    term = Terminal(device.port)
    try:
        assert "Are you sure to save the configuration to flash:/b.cfg?[Y/N]:" in term.type("save b.cfg")
        assert "Save the configuration successfully." in term.type("y")
        assert (device.flash / "b.cfg").read_text(encoding="utf-8").startswith("!Software Version")
        term.type("save b.cfg")
        assert "flash:/b.cfg exists, overwrite?[Y/N]:" in term.type("y")
        assert "Save the configuration successfully." not in term.type("n")
        term.type("system-view")
        term.type("interface Vlanif10")
        assert "Error: Wrong parameter found at '^' position." in term.type("ip address 10.0.0.1 255.0.255.0")
    finally:
        term.close()


def test_usg_standby_shows_hrp_s_and_refuses_edits(net: EmulatedNetwork, tmp_path: Path) -> None:
    standby = UsgDevice("fw2", "sysname kf-fw-2\n", flash_dir(tmp_path, "fw2"), role="S")
    net.add(standby)
    term = Terminal(standby.port)
    try:
        assert term.banner.rstrip().endswith("HRP_S<kf-fw-2>")
        assert term.type("system-view").rstrip().endswith("HRP_S[kf-fw-2]")
        assert "Configure the master device." in term.type("ip route-static 0.0.0.0 0 10.0.0.1")
        assert standby.running_lines() == ["sysname kf-fw-2"]
    finally:
        term.close()


def test_comware_delay_reverts_on_its_own_timer(net: EmulatedNetwork, tmp_path: Path) -> None:
    device = ComwareDevice("h3c", "sysname kf-agg-2\n", flash_dir(tmp_path, "h3c"), time_scale=0.01)
    net.add(device)
    term = Terminal(device.port)
    try:
        term.type("system-view")
        assert "% Wrong parameter found at '^' position." in term.type("configuration commit delay 0")
        term.type("configuration commit delay 1")
        term.type("sysname changed")
        assert device.running_lines() == ["sysname changed"]
        assert device.reverted.wait(20)
        assert device.running_lines() == ["sysname kf-agg-2"]
        assert "% Unrecognized command found at '^' position." in term.type("frobnicate")
    finally:
        term.close()


def test_secpath_keeps_its_files_on_cfa0_and_refuses_flash(net: EmulatedNetwork, tmp_path: Path) -> None:
    device = SecPathDevice("vpn", "sysname kf-vpn-1\nssh server enable\n", flash_dir(tmp_path, "vpn"))
    net.add(device)
    term = Terminal(device.port)
    try:
        assert term.type("pwd").splitlines()[1] == "cfa0:"
        assert "% The file system flash: does not exist." in term.type("mkdir flash:/archive")
        assert "Creating directory cfa0:/archive... Done." in term.type("mkdir cfa0:/archive")
        printed = term.type("display current-configuration").replace("\r\n", "\n")
        assert "#\n version 7.1.064, Release 9333P2001" in printed and "#\n sysname kf-vpn-1\n" in printed
        term.type("system-view")
        refused = term.type("archive configuration location flash:/archive filename-prefix govnet")
        assert "% The file system flash: does not exist." in refused
        term.type("archive configuration location cfa0:/archive filename-prefix govnet")
        assert "archive configuration location cfa0:/archive filename-prefix govnet" in device.running_lines()
    finally:
        term.close()


def test_nip_prompt_has_no_hrp_prefix_and_knows_its_ips_views(net: EmulatedNetwork, tmp_path: Path) -> None:
    device = NipDevice("ips", "sysname kf-ips-1\n", flash_dir(tmp_path, "ips"))
    net.add(device)
    term = Terminal(device.port)
    try:
        assert term.banner.rstrip().endswith("<kf-ips-1>")
        term.type("system-view")
        assert (
            term.type("profile type ips name inline")
            .rstrip()
            .endswith("[kf-ips-1-profile-type-ips-name-inline]")
        )
        term.type("signature-set name critical")
        assert "Error: Unrecognized command found at '^' position." in term.type("severty high")
        term.type("severity high")
        assert device.running_lines()[-3:] == [
            "profile type ips name inline",
            " signature-set name critical",
            "  severity high",
        ]
        printed = term.type("display current-configuration").replace("\r\n", "\n")
        assert "\n!Software Version V500R005C00SPC200 (NIP6650, EMULATION)\n#\n sysname kf-ips-1\n" in printed
    finally:
        term.close()


def test_the_server_stops_cleanly(tmp_path: Path) -> None:
    with emulated_network() as network:
        device = network.add(Vrp5Device("s1", "sysname s1\n", flash_dir(tmp_path, "s1")))
        Terminal(device.port).close()
    deadline = time.monotonic() + 5
    refused = False
    while not refused and time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", device.port), timeout=1).close()
        except OSError:
            refused = True
    assert refused
    assert not network.thread.is_alive()
