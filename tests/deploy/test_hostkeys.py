"""SSH host keys: every driver refuses an unknown or changed key before logging in; keys are
recorded only by ``govnet hostkeys trust|import`` (or the twin's own file); key authentication.

The devices are EMULATED (asyncssh servers on 127.0.0.1, tests/emulation), served with
``trusted=False`` where a test needs govnet not to know their key yet.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import asyncssh
import pytest
from emulation import USERNAME, Vrp8Device, driver_target, emulated_network, flash_dir, opened
from emulation.server import HOST_KEY, host_key_record
from fault_record import note
from typer.testing import CliRunner

from govnet.cli import app
from govnet.deploy import hostkeys
from govnet.deploy.driver import ConnectFailed, DriverTarget
from govnet.deploy.drivers.frr import FrrDriver
from govnet.deploy.drivers.linux_edge import LinuxEdgeDriver
from govnet.deploy.drivers.vrp8 import Vrp8Driver
from govnet.deploy.hostkey_trust import Reach, import_keys, trust_devices
from govnet.deploy.hostkeys import (
    HostKeyChanged,
    HostKeyFileError,
    HostKeyUnknown,
    TrustedKey,
    check_for,
    host_entry,
    known_hosts_path,
    read_known_hosts,
    write_known_hosts,
)
from govnet.deploy.nornir_setup import DeployTarget
from govnet.deploy.secrets import SecretValues
from govnet.lab.sshd import Listener
from govnet.lab.sshd import write_known_hosts as lab_known_hosts

ROOT = Path(__file__).resolve().parents[2]
CE_CONFIG = "sysname kf-core-1\n#\ninterface 10GE1/0/1\n description uplink\n#\n"
OTHER_KEY = asyncssh.generate_private_key("ssh-ed25519")
ECDSA_KEY = asyncssh.generate_private_key("ecdsa-sha2-nistp256")


def _fp(key: asyncssh.SSHKey) -> str:
    return host_key_record(1, "", key).fingerprint


@pytest.fixture
def unknown_ce(tmp_path: Path):  # type: ignore[no-untyped-def]
    """An emulated CE whose host key govnet has not been told (not in any fingerprint file)."""
    with emulated_network(trusted=False) as net:
        yield net, net.add(Vrp8Device("kf-core-1", CE_CONFIG, flash_dir(tmp_path, "ce")))


def test_an_unknown_key_is_refused_before_login_naming_device_address_and_fingerprint(  # type: ignore[no-untyped-def]
    unknown_ce, request: pytest.FixtureRequest
) -> None:
    _net, ce = unknown_ce
    target = driver_target(ce, "kf-core-1", "huawei_vrpv8")
    for driver_cls in (Vrp8Driver, FrrDriver, LinuxEdgeDriver):
        with pytest.raises(HostKeyUnknown) as err:
            driver_cls(target).open()
        text = str(err.value)
        assert text.startswith(f"kf-core-1: SSH host key of [127.0.0.1]:{ce.port} is not trusted")
        assert _fp(HOST_KEY) in text and str(known_hosts_path(target.state_dir)) in text
        assert "govnet hostkeys trust --filter name=kf-core-1" in text
    assert ce.log == []  # no session ever reached the shell
    assert not known_hosts_path(target.state_dir).exists()  # nothing recorded on the way
    note(request.node.name, "SSH host key unknown (first contact, or a man in the middle)",
         "EMULATED huawei_vrpv8 via the VRP8, FRR and Linux edge drivers", 3,
         "refused before login, naming device, address, fingerprint and the trust command", 0)


def test_a_changed_key_is_refused_with_both_fingerprints(  # type: ignore[no-untyped-def]
    unknown_ce, request: pytest.FixtureRequest
) -> None:
    _net, ce = unknown_ce
    target = driver_target(ce, "kf-core-1", "huawei_vrpv8")
    write_known_hosts(known_hosts_path(target.state_dir), [host_key_record(ce.port, "kf-core-1", OTHER_KEY)])
    for driver_cls in (Vrp8Driver, LinuxEdgeDriver):
        with pytest.raises(HostKeyChanged) as err:
            driver_cls(target).open()
        text = str(err.value)
        assert f"kf-core-1: SSH host key of [127.0.0.1]:{ce.port} CHANGED" in text
        assert f"trusted ssh-ed25519 {_fp(OTHER_KEY)}" in text
        assert f"offered ssh-ed25519 {_fp(HOST_KEY)}" in text
        assert "refusing to log in" in text
    assert ce.log == []
    note(request.node.name, "SSH host key changed (a man in the middle)", "EMULATED huawei_vrpv8 via the "
         "VRP8 and Linux edge drivers", 2, "refused before login with both fingerprints", 0)


def test_a_trusted_key_of_another_type_is_a_change_not_a_silent_downgrade(unknown_ce) -> None:  # type: ignore[no-untyped-def]
    _net, ce = unknown_ce
    target = driver_target(ce, "kf-core-1", "huawei_vrpv8")
    write_known_hosts(known_hosts_path(target.state_dir), [host_key_record(ce.port, "kf-core-1", ECDSA_KEY)])
    with pytest.raises(HostKeyChanged) as err:
        Vrp8Driver(target).open()
    assert f"trusted ecdsa-sha2-nistp256 {_fp(ECDSA_KEY)}" in str(err.value)
    assert "offers no key of that type" in str(err.value)


def test_trust_records_on_first_contact_then_the_driver_logs_in(unknown_ce) -> None:  # type: ignore[no-untyped-def]
    _net, ce = unknown_ce
    target = driver_target(ce, "kf-core-1", "huawei_vrpv8")
    path = known_hosts_path(target.state_dir)
    first = trust_devices([Reach("kf-core-1", "127.0.0.1", ce.port)], path)
    assert [(r.status, r.fingerprint) for r in first] == [("recorded", _fp(HOST_KEY))]
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert read_known_hosts(path) == [host_key_record(ce.port, "kf-core-1")]
    assert ce.log == []  # trust reads the key and never logs in
    with opened(Vrp8Driver(target)) as driver:
        assert "sysname kf-core-1" in driver.get_config()
    again = trust_devices([Reach("kf-core-1", "127.0.0.1", ce.port)], path)
    assert [r.status for r in again] == ["already trusted"]


def test_trust_never_overwrites_a_different_key_unless_replace(unknown_ce) -> None:  # type: ignore[no-untyped-def]
    _net, ce = unknown_ce
    path = known_hosts_path(driver_target(ce, "kf-core-1", "huawei_vrpv8").state_dir)
    old = host_key_record(ce.port, "kf-core-1", OTHER_KEY)
    write_known_hosts(path, [old])
    [conflict] = trust_devices([Reach("kf-core-1", "127.0.0.1", ce.port)], path)
    assert conflict.status == "conflict" and not conflict.ok
    assert _fp(OTHER_KEY) in conflict.detail and _fp(HOST_KEY) in conflict.detail
    assert read_known_hosts(path) == [old]
    [replaced] = trust_devices([Reach("kf-core-1", "127.0.0.1", ce.port)], path, replace=True)
    assert replaced.status == "replaced"
    assert read_known_hosts(path) == [host_key_record(ce.port, "kf-core-1")]


def test_trust_reports_an_unreachable_device_in_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: refused
        [result] = trust_devices([Reach("kf-core-1", "127.0.0.1", port)], tmp_path / "known_hosts")
    assert result.status == "unreachable" and "refused" in result.detail.lower()
    assert not (tmp_path / "known_hosts").exists()


def test_import_from_an_inventory_of_fingerprints(tmp_path: Path) -> None:
    inventory = tmp_path / "fingerprints"
    listed = host_key_record(2201, "", HOST_KEY)
    inventory.write_text(f"# asset register export\n{listed.line()}\n", encoding="utf-8")
    path = tmp_path / "state" / "known_hosts"
    results = import_keys(inventory, path, [Reach("kf-core-1", "127.0.0.1", 2201),
                                            Reach("kf-core-2", "127.0.0.1", 2202)])
    assert [(r.device, r.status) for r in results] == [("kf-core-1", "recorded"), ("kf-core-2", "not listed")]
    assert read_known_hosts(path) == [dataclasses.replace(listed, device="kf-core-1")]


def test_a_damaged_known_hosts_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "known_hosts"
    path.write_text("# ok\n[127.0.0.1]:2201 ssh-ed25519\n", encoding="utf-8")
    with pytest.raises(HostKeyFileError, match=r"known_hosts:2: expected 'host keytype base64"):
        read_known_hosts(path)
    path.write_text("[127.0.0.1]:2201 ssh-ed25519 not*base64\n", encoding="utf-8")
    with pytest.raises(HostKeyFileError, match=r"known_hosts:1: the key is not base64"):
        read_known_hosts(path)


def test_key_authentication_from_the_credentials_store(tmp_path: Path) -> None:
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    key_file = tmp_path / "id_ed25519"
    key_file.write_bytes(client_key.export_private_key())
    key_file.chmod(0o600)
    with emulated_network(authorized_keys=[client_key]) as net:
        ce = net.add(Vrp8Device("kf-core-1", CE_CONFIG, flash_dir(tmp_path, "ce")))
        secrets = SecretValues({"GOVNET_SSH_KEY_FILE": str(key_file)})
        target = dataclasses.replace(driver_target(ce, "kf-core-1", "huawei_vrpv8", secrets=secrets),
                                     password=None)
        with opened(Vrp8Driver(target)) as driver:
            assert "sysname kf-core-1" in driver.get_config()
        no_key = dataclasses.replace(target, extras={"run_id": "t1"})
        refused = f"SSH to {USERNAME}@127.0.0.1:{ce.port} failed: authentication"
        with pytest.raises(ConnectFailed, match=refused):
            Vrp8Driver(no_key).open()


def test_the_lab_writes_its_known_hosts_and_the_lab_target_trusts_it(tmp_path: Path) -> None:
    public = tmp_path / "sshd" / "host_ed25519.pub"
    public.parent.mkdir()
    public.write_bytes(HOST_KEY.export_public_key("openssh"))
    published = tmp_path / "run" / "known_hosts"
    published.parent.mkdir()
    older = host_key_record(2201, "kf-core-1", OTHER_KEY)  # a previous twin's key on the same port
    other = host_key_record(2299, "kf-acc-x", OTHER_KEY)
    published.write_text(f"{older.line()}\n{other.line()}\n", encoding="utf-8")
    listeners = [Listener("kf-core-1", 2201, "vtysh"), Listener("kf-fw-1", 2240, "relay")]
    written = lab_known_hosts(tmp_path, listeners, public, published)
    assert written == tmp_path / "known_hosts"
    mine = [host_key_record(2201, "kf-core-1"), host_key_record(2240, "kf-fw-1")]
    assert read_known_hosts(written) == mine
    assert read_known_hosts(published) == [other, *mine]
    assert oct(published.stat().st_mode & 0o777) == "0o644"
    target = DeployTarget(lab=True, lab_ports={"kf-core-1": 2201}, secrets_file=tmp_path / "secrets.env")
    assert target.twin_known_hosts == written
    assert DeployTarget(lab=False, secrets_file=tmp_path / "secrets.env").twin_known_hosts is None


def test_the_twins_published_keys_count_for_loopback_only_and_only_from_a_safe_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = tmp_path / "known_hosts"
    write_known_hosts(published, [host_key_record(2201, "kf-core-1"),
                                  TrustedKey(host_entry("10.240.0.9", 2201), *_openssh(HOST_KEY))])
    published.chmod(0o644)
    monkeypatch.setattr(hostkeys, "TWIN_PUBLISHED", published)
    lab = DriverTarget("kf-core-1", "frr", "127.0.0.1", 2201, state_dir=tmp_path / "state")
    assert [k.fingerprint for k in check_for(lab).trusted] == [_fp(HOST_KEY)]
    production = dataclasses.replace(lab, hostname="10.240.0.9")
    assert check_for(production).trusted == []  # a production address never trusts the twin's file
    published.chmod(0o666)
    assert check_for(lab).trusted == []  # anyone could have written it


def test_the_cli_imports_and_lists_production_keys(tmp_path: Path) -> None:
    runner = CliRunner()
    inventory = tmp_path / "fingerprints"
    inventory.write_text(TrustedKey(host_entry("10.240.0.9", 22), *_openssh(HOST_KEY)).line() + "\n",
                         encoding="utf-8")
    base = ["-i", str(ROOT / "inventory"), "--state-dir", str(tmp_path / "state"), "--filter", "role=core"]
    listed = runner.invoke(app, ["hostkeys", "list", *base, "-f", "json"])
    assert listed.exit_code == 1, listed.output
    assert {r["status"] for r in json.loads(listed.output)} == {"not trusted"}
    imported = runner.invoke(app, ["hostkeys", "import", str(inventory), *base, "-f", "json"])
    rows = {r["device"]: r for r in json.loads(imported.output)}
    core1 = next(d for d, r in rows.items() if r["address"] == "10.240.0.9")
    assert rows[core1]["status"] == "recorded" and imported.exit_code == 1  # the other core is not listed
    assert all(r["status"] == "not listed" for d, r in rows.items() if d != core1)
    state = tmp_path / "state" / "production"
    [network] = [p.name for p in state.iterdir()]
    assert read_known_hosts(state / network / "known_hosts")[0].device == core1
    again = runner.invoke(app, ["hostkeys", "list", *base])
    [line] = [ln for ln in again.output.splitlines() if ln.startswith(core1 + " ")]
    assert line.split()[1:5] == ["10.240.0.9", "already", "trusted", "ssh-ed25519"] and _fp(HOST_KEY) in line
    assert not (tmp_path / "state" / "lab").exists()  # lab and production never share


def _openssh(key: asyncssh.SSHKey) -> tuple[str, str]:
    key_type, blob = key.export_public_key("openssh").decode().split()[:2]
    return key_type, blob
