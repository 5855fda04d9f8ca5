"""No test credential appears anywhere govnet writes or shows: rendered configs, the deploy state
(last-known-good files, pending records, run reports, known_hosts), backups (files and every git
object), logs (echoed lines, Python logging at DEBUG including netmiko/paramiko, stdout/stderr),
metrics and the NOC page.

The secrets are really used: the EMULATED switch (tests/emulation) ends up running the resolved
values, and a real snmpd (tests/snmprec_agent) answers the poller with the SNMPv3 keys.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import subprocess
from pathlib import Path

import pytest
from emulation import PASSWORD, USERNAME, Vrp8Device, emulated_network, flash_dir
from fault_record import note
from snmprec_agent import FIXTURES, ReplayAgent, free_port
from typer.testing import CliRunner

from govnet.cli import app
from govnet.credentials import Credentials
from govnet.deploy.backup import backup
from govnet.deploy.nornir_setup import DeployTarget
from govnet.deploy.rollout import DeployOptions, deploy
from govnet.model import Network
from govnet.monitor.exporter import exposition, make_registry
from govnet.monitor.plan import DevicePlan, Plan
from govnet.monitor.poller import Poller
from govnet.monitor.snapshot import Snapshot
from govnet.monitor.transport import SnmpClient
from govnet.monitor.web.app import NocSite
from govnet.platforms import get_platform

ROOT = Path(__file__).resolve().parents[1]
CORE = "kf-core-1"
SECRETS = {
    "GOVNET_SSH_PASSWORD": PASSWORD,
    "GOVNET_HWTACACS_KEY": "Hwtac-LEAK-7f3a9c",
    "GOVNET_SNMP_COMMUNITY": "Comm-LEAK-51be02",
    "GOVNET_BGP_PASSWORD": "Bgp-LEAK-9d11e4",
    "GOVNET_SNMP_AUTH_KEY": "Auth-LEAK-c0ffee12",
    "GOVNET_SNMP_PRIV_KEY": "Priv-LEAK-decaf345",
}
CE_BASE = f"""\
!Software Version V200R020C10SPC600
#
sysname {CORE}
#
interface MEth0/0/0
 ip address 10.240.0.9 255.252.0.0
#
stelnet server enable
ssh user netadmin
ssh user netadmin service-type stelnet
#
return
"""
CHANGE = """\
snmp-agent community read cipher ${secret:GOVNET_SNMP_COMMUNITY}
#
ntp-service authentication-keyid 1 authentication-mode hmac-sha256 cipher ${secret:GOVNET_HWTACACS_KEY}
#
"""


def leaks(text: str) -> list[str]:
    """The names of the test secrets that appear in ``text``."""
    return sorted(name for name, value in SECRETS.items() if value in text)


def tree_leaks(root: Path) -> dict[str, list[str]]:
    """``{file: secrets}`` for every file under ``root`` holding a test secret."""
    found = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        hit = leaks(path.read_bytes().decode("utf-8", errors="replace"))
        if hit:
            found[str(path.relative_to(root))] = hit
    return found


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVNET_SECRETS", raising=False)
    monkeypatch.setenv("GOVNET_SSH_USER", USERNAME)
    for key, value in SECRETS.items():
        monkeypatch.setenv(key, value)


def test_rendered_configs_hold_references_only(
    secret_env: None, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    args = ["render", "-i", str(ROOT / "inventory"), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rendered = list((tmp_path / "out").rglob("*"))
    assert len([p for p in rendered if p.is_file()]) > 100
    assert "${secret:GOVNET_HWTACACS_KEY}" in (tmp_path / "out" / f"{CORE}.cfg").read_text(encoding="utf-8")
    assert tree_leaks(tmp_path / "out") == {} and leaks(result.output) == []
    note(request.node.name, "test credentials in the environment: scan the rendered configs", "govnet render",
         len(rendered), "no value in any rendered file or the output: references only", 0)


def test_deploy_state_reports_logs_and_backups_never_hold_a_secret(
    secret_env: None, network: Network, tmp_path: Path, caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str], request: pytest.FixtureRequest,
) -> None:
    caplog.set_level(logging.DEBUG)
    devices = dict(network.devices)
    devices[CORE] = dataclasses.replace(devices[CORE], lab_platform="huawei_vrpv8")
    model = dataclasses.replace(network, devices=devices)
    echoed: list[str] = []
    state, repo = tmp_path / "state", tmp_path / "backups"
    with emulated_network() as net:
        ce = net.add(Vrp8Device(CORE, CE_BASE, flash_dir(tmp_path, CORE), time_scale=0.02))
        target = DeployTarget(lab=True, lab_ports={CORE: ce.port})
        # the emulated CE's small config is no whole district render: the management gate is not
        # what this test is about (its own tests are tests/deploy/test_management_gate.py)
        options = DeployOptions(commit=True, replace=True, state_dir=state, verify_timeout=0.0,
                                management_gate=False)
        report = deploy(model, {CORE: CE_BASE.replace("return\n", CHANGE + "return\n")}, target,
                        options, echo=echoed.append)
        assert report.devices[CORE].status == "changed", report.devices[CORE].reason
        running = ce.printed()  # a config loaded from a file keeps the values as typed (worst case)
        assert SECRETS["GOVNET_HWTACACS_KEY"] in running and SECRETS["GOVNET_SNMP_COMMUNITY"] in running
        report.write(state)
        backed = backup(model, [CORE], repo, target)
        assert backed.changed == [CORE]
    history = subprocess.run(["git", "-C", str(repo), "log", "-p", "--all"], capture_output=True,
                             text=True, encoding="utf-8", check=True).stdout
    assert "snmp-agent community read cipher" in history  # the line is backed up, masked
    out, err = capfd.readouterr()
    assert list(state.rglob("*.lkg")) and list((state / "reports").glob("*.json"))
    assert tree_leaks(state) == {}
    assert tree_leaks(repo / ".git") == {} and tree_leaks(repo) == {}
    assert leaks(history) == [] and leaks(report.to_json()) == []
    assert leaks("\n".join(echoed)) == [] and leaks(out + err) == []
    loggers = sorted({r.name for r in caplog.records if leaks(r.getMessage())})
    assert loggers == [], "a secret reached the log (netmiko/paramiko at DEBUG included)"
    assert leaks(caplog.text) == []
    note(request.node.name, "test credentials pushed to a switch that prints them back: scan state, "
         "reports, backups (git history too), logs at DEBUG", "EMULATED huawei_vrpv8", 1,
         "no value anywhere (netmiko's DEBUG log redacted)", 0)


def test_metrics_and_noc_page_never_hold_the_snmp_keys(
    network: Network, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    creds = Credentials(snmp_user="noc-leak-test", snmp_auth_key=SECRETS["GOVNET_SNMP_AUTH_KEY"],
                        snmp_priv_key=SECRETS["GOVNET_SNMP_PRIV_KEY"],
                        snmp_community=SECRETS["GOVNET_SNMP_COMMUNITY"])
    agent = ReplayAgent(FIXTURES / "comware.snmprec", free_port(), tmp_path / "agent",
                        (creds.snmp_user, creds.snmp_auth_key, creds.snmp_priv_key))
    silent = free_port()  # nothing answers there: the error path too
    platform = get_platform("h3c_comware")
    plan = Plan(network=network.subset(["kf-core-2", "kf-core-1"]), devices=tuple(
        DevicePlan(name=name, role="core", platform="h3c_comware", host="127.0.0.1", port=port, links=(),
                   vendor_oids=dict(platform.vendor_oids), ha_tables=platform.ha_tables, ha_expected=False,
                   hardware=platform.hardware)
        for name, port in (("kf-core-2", agent.port), ("kf-core-1", silent))))
    (tmp_path / "agent").mkdir()

    async def one_cycle() -> Snapshot:
        client = SnmpClient(creds, timeout=1.0, retries=0)
        try:
            return await Poller(plan, client).cycle()
        finally:
            client.close()

    agent.start()
    try:
        snap = asyncio.run(one_cycle())
    finally:
        agent.stop()
    assert snap.devices["kf-core-2"].up and not snap.devices["kf-core-1"].up
    metrics = exposition(make_registry(plan, lambda: snap)).decode()
    assert 'govnet_device_up{device="kf-core-2"' in metrics
    site = NocSite(plan, lambda: snap, interval=2)
    pages = [site.page(path) for path in ("/", "/api/state", "/device/kf-core-2", "/device/kf-core-1")]
    texts = [p if isinstance(p, str) else repr(p) for p in pages]
    assert leaks(metrics) == [] and leaks("\n".join(texts)) == []
    note(request.node.name, "SNMPv3 test keys polled for real: scan metrics and the NOC page",
         "a real snmpd (replayed Comware recording) and a silent port", len(pages) + 1,
         "no key or community in /metrics, /, /api/state or the device pages", 0)
