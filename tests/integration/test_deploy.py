"""Deploy against a blank lab twin: real SSH into real FRR (vtysh), one twin for the module.

Order matters: the first test provisions the blank twin; every later test leaves it as intended.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from govnet.cli.deploy import lab_facts
from govnet.credentials import parse_secrets_file
from govnet.deploy.backup import backup
from govnet.deploy.driver import DriverTarget
from govnet.deploy.drivers.frr import FrrDriver
from govnet.deploy.intended import intended_configs, scope
from govnet.deploy.lkg import pending_commits
from govnet.deploy.nornir_setup import DeployTarget
from govnet.deploy.rollout import DeployOptions, RunReport, deploy, recover_network
from govnet.deploy.secrets import SecretValues
from govnet.inventory import load_network
from govnet.lab.down import lab_down
from govnet.lab.frr import vtysh
from govnet.lab.up import lab_up
from govnet.model import Network

from .lab_helpers import INVENTORY, SMALL_TWIN, require_lab, vtysh_json, wait_for

pytestmark = pytest.mark.integration

ROUTERS = ["kf-core-1", "kf-core-2", "kf-agg-dongfenglu", "kf-agg-qingshuitang"]
SITE = "kf-acc-dongfenglu-c01"


@dataclass
class Twin:
    workdir: Path
    network: Network
    target: DeployTarget
    state_dir: Path
    configs: dict[str, str]

    def options(self, **values: object) -> DeployOptions:
        settings: dict[str, Any] = {"state_dir": self.state_dir, "verify_timeout": 90.0, **values}
        return DeployOptions(**settings)

    def run(self, configs: dict[str, str] | None = None, echo: Callable[[str], None] = lambda _m: None,
            **values: object) -> RunReport:
        return deploy(self.network, configs or self.configs, self.target, self.options(**values), echo=echo)

    def driver(self, device: str, timeout: float = 10.0) -> FrrDriver:
        creds = self.target.credentials()
        return FrrDriver(DriverTarget(
            device, "frr", "127.0.0.1", self.target.lab_ports[device], creds.ssh_user, creds.ssh_password,
            state_dir=self.state_dir, timeout=timeout,
            extras={"secrets": SecretValues.from_credentials(creds)}, target_kind="lab",
        ))


@pytest.fixture(scope="module")
def twin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Twin]:
    """The small twin booted blank (base config only); always torn down."""
    require_lab()
    workdir = tmp_path_factory.mktemp("lab")
    try:
        lab_up(INVENTORY, workdir, provisioned=False, devices=SMALL_TWIN, echo=lambda _m: None)
        options, booted = lab_facts(True, workdir)
        target = DeployTarget.from_options(options)
        network = scope(load_network(INVENTORY), booted)
        names = [n for n in network.devices if n in target.lab_ports]
        configs = intended_configs(network, names, lab=True, credentials=target.credentials())
        yield Twin(workdir, network, target, tmp_path_factory.mktemp("state"), configs)
    finally:
        lab_down(workdir, echo=lambda _m: None)


def brief(report: RunReport) -> str:
    """Status and reason per device (the assertion message)."""
    lines = [f"{d.device}: {d.status} {d.reason}" for d in report.devices.values()]
    return "\n".join([*lines, f"halted: {report.halted}"])


def running(device: str) -> str:
    return vtysh(device, "show running-config")


def converged() -> bool:
    for device in ROUTERS:
        family: Any = vtysh_json(device, "show bgp summary json").get("ipv4Unicast", {})
        states = [p.get("state") for p in family.get("peers", {}).values()]
        if not states or any(s != "Established" for s in states):
            return False
    return True


def test_provision_blank_twin_converges_without_drift(twin: Twin) -> None:
    assert "router bgp" not in running("kf-core-1")
    report = twin.run(commit=True, batch_size=4)
    assert report.by_status("changed") == sorted(twin.configs), brief(report)
    assert report.batches[0] == [SITE]  # the canary: the least critical device, never a core
    critical = [["kf-core-1"], ["kf-core-2"], ["kf-fw-1"], ["kf-fw-2"]]
    assert report.batches[-4:] == critical  # cores and firewalls last, one at a time
    assert wait_for(converged, 60)
    full: Any = vtysh_json("kf-core-1", "show ip ospf neighbor json")["neighbors"]
    assert {"10.0.0.10", "10.0.0.65", "10.0.0.66"} <= set(full)
    diff = twin.run(commit=False)
    assert not diff.drift and diff.by_status("unchanged") == sorted(twin.configs)


def test_cli_diff_and_audit_playbook_report_no_drift(twin: Twin) -> None:
    from typer.testing import CliRunner

    from govnet.cli import app

    common = ["--lab", "--workdir", str(twin.workdir), "--state-dir", str(twin.state_dir)]
    runner = CliRunner()
    diff = runner.invoke(app, ["diff", *common])
    assert diff.exit_code == 0, diff.output
    assert "7 unchanged" in diff.output  # 5 routers and the firewall pair
    audit = runner.invoke(app, ["play", str(INVENTORY.parent / "playbooks" / "audit.yaml"), *common])
    assert audit.exit_code == 0, audit.output
    assert "audit of 7 device(s): 0 drifted, 7 in sync" in audit.output
    dry = runner.invoke(app, ["deploy", *common, "--json"])
    assert dry.exit_code == 0 and '"commit": false' in dry.output


def test_second_deploy_changes_nothing(twin: Twin) -> None:
    routers = [d for d in twin.configs if d in ROUTERS or d == SITE]  # vtysh; the edge has its own test
    before = {d: running(d) for d in routers}
    report = twin.run(commit=True)
    assert report.by_status("unchanged") == sorted(twin.configs)
    assert report.batches == []
    assert {d: running(d) for d in routers} == before


def _halts_with_core1_rolled_back(twin: Twin, broken: str) -> RunReport:
    """core-1 gets ``broken``, core-2 (its redundant peer) a harmless change: the cores go one at
    a time, core-1 first."""
    before = {d: running(d) for d in ("kf-core-1", "kf-core-2")}
    configs = dict(twin.configs)
    configs["kf-core-1"] = broken
    configs["kf-core-2"] = configs["kf-core-2"].replace("description to kf-core-1 ", "description peer ", 1)
    report = twin.run(configs, commit=True, verify_timeout=20.0)
    assert report.devices["kf-core-1"].status == "rolled-back", brief(report)
    assert report.devices["kf-core-2"].status == "untouched"
    assert report.halted
    assert running("kf-core-2") == before["kf-core-2"]
    assert running("kf-core-1") == before["kf-core-1"]
    assert not pending_commits(twin.state_dir)
    return report


def test_rejected_change_rolls_back_that_device_and_halts(twin: Twin) -> None:
    broken = twin.configs["kf-core-1"].replace("router ospf\n", "router bgp 65099\nexit\n!\nrouter ospf\n", 1)
    report = _halts_with_core1_rolled_back(twin, broken)
    assert "BGP is already running" in report.devices["kf-core-1"].reason


def test_change_that_breaks_an_adjacency_is_rolled_back(twin: Twin) -> None:
    text = twin.configs["kf-core-1"]
    head, _, tail = text.partition("interface xge1-0-1\n")
    body, sep, rest = tail.partition("exit\n")
    broken = head + "interface xge1-0-1\n" + body.replace("ip ospf area 0", "ip ospf area 1") + sep + rest
    assert broken != text
    report = _halts_with_core1_rolled_back(twin, broken)
    assert "10.0.0.10" in report.devices["kf-core-1"].reason
    assert wait_for(converged, 60)


def _kill_ssh_session(device: str) -> int:
    """SIGKILL the sshd child serving ``device``'s vtysh session; returns its pid."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if cmd.startswith(f"/usr/bin/vtysh -N {device}"):
            pid = int(proc.name)
            while pid > 1:
                parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
                if Path(f"/proc/{parent}/cmdline").read_bytes().startswith(b"sshd:"):
                    os.kill(parent, signal.SIGKILL)
                    return parent
                pid = parent
    raise AssertionError(f"no SSH session for {device}")


def test_session_lost_before_confirm_restores_by_confirm_window(twin: Twin) -> None:
    device = "kf-agg-qingshuitang"
    before = running(device)
    driver = twin.driver(device)
    driver.open()
    driver.load_merge_candidate("interface ge0-0-1\n description changed-then-lost\nexit\n")
    driver.commit_config(revert_in=6)
    assert "changed-then-lost" in running(device)
    _kill_ssh_session(device)
    assert not driver.alive() or wait_for(lambda: not driver.alive(), 5)
    assert wait_for(lambda: not driver.has_pending_commit(), 40)
    assert running(device) == before
    driver.close()


def test_interrupted_run_is_restored_by_recover(twin: Twin) -> None:
    device = "kf-agg-dongfenglu"
    before = running(device)
    driver = twin.driver(device)
    driver.open()
    driver.load_merge_candidate("interface ge0-0-1\n description left-unconfirmed\nexit\n")
    driver.commit_config(revert_in=300)
    driver.close()  # govnet "dies": session and in-process timer gone, the pending record stays
    assert [p.device for p in pending_commits(twin.state_dir)] == [device]
    recovery = recover_network(twin.network, twin.target, twin.options(), echo=lambda _m: None)
    assert (recovery.restored, recovery.failed) == ([device], {})
    assert running(device) == before
    assert not pending_commits(twin.state_dir)


def test_secret_resolved_at_push_and_never_written(twin: Twin, tmp_path: Path) -> None:
    secrets = parse_secrets_file(twin.workdir / "secrets.env")
    values = [v for k, v in secrets.items() if k != "GOVNET_SSH_USER" and k != "GOVNET_SNMP_USER"]
    configs = dict(twin.configs)
    dummy = (" neighbor 192.0.2.1 remote-as 65010\n"
             " neighbor 192.0.2.1 password ${secret:GOVNET_SNMP_AUTH_KEY}\n")
    configs["kf-core-1"] = configs["kf-core-1"].replace(" bgp log-neighbor-changes\n",
                                                        " bgp log-neighbor-changes\n" + dummy, 1)
    report = twin.run(configs, commit=True)
    assert report.devices["kf-core-1"].status == "changed", brief(report)
    assert secrets["GOVNET_SNMP_AUTH_KEY"] in running("kf-core-1")  # the device got the value
    report.write(twin.state_dir)
    assert not twin.run(configs, commit=False).drift
    repo = tmp_path / "backups"
    first = backup(twin.network, sorted(twin.configs), repo, twin.target)
    second = backup(twin.network, sorted(twin.configs), repo, twin.target)
    assert first.commit and second.commit is None and not first.failed
    log = subprocess.run(["git", "-C", str(repo), "log", "--oneline"], capture_output=True, text=True).stdout
    assert len(log.splitlines()) == 1
    history = subprocess.run(["git", "-C", str(repo), "log", "-p"], capture_output=True, text=True).stdout
    assert "neighbor 192.0.2.1 password <secret hidden>" in history
    written = [history, brief(report), *(p.read_text() for p in twin.state_dir.rglob("*") if p.is_file())]
    for value in values:
        assert len(value) >= 8 and not any(value in text for text in written)
    # back to intended (without the neighbour)
    assert twin.run(commit=True).devices["kf-core-1"].status == "changed"
    assert "192.0.2.1" not in running("kf-core-1")


def test_onboarding_a_site_touches_only_its_aggregation_node_and_the_site(twin: Twin) -> None:
    from govnet.lab.configs import base_config

    agg = "kf-agg-dongfenglu"
    without_site = scope(twin.network, [n for n in twin.network.devices if n != SITE])
    configs = dict(twin.configs)
    configs[agg] = intended_configs(without_site, [agg], lab=True, credentials=twin.target.credentials())[agg]
    configs[SITE] = base_config(SITE)
    wipe = twin.run({agg: configs[agg], SITE: configs[SITE]}, commit=True, verify_timeout=30.0)
    assert set(wipe.by_status("changed")) == {agg, SITE}, brief(wipe)
    others = {d: running(d) for d in ROUTERS if d != agg}

    from govnet.deploy.playbook import onboard_targets

    assert onboard_targets(twin.network, SITE) == [agg, SITE]
    report = twin.run({d: twin.configs[d] for d in onboard_targets(twin.network, SITE)}, commit=True)
    assert set(report.by_status("changed")) == {agg, SITE}
    assert set(report.devices) == {agg, SITE}
    assert {d: running(d) for d in others} == others
    assert not twin.run(commit=False).drift


def test_onboard_playbook_plans_first_and_audits_the_node_and_its_neighbours(twin: Twin) -> None:
    """The onboarding playbook as documented, through the CLI: a dry run that prints the plan and
    exits 0 (its audit does not count what the push would change), then the push, whose audit
    covers the site, its aggregation node and their neighbours (the two cores)."""
    from typer.testing import CliRunner

    from govnet.cli import app
    from govnet.lab.configs import base_config

    agg = "kf-agg-dongfenglu"
    without_site = scope(twin.network, [n for n in twin.network.devices if n != SITE])
    bare = intended_configs(without_site, [agg], lab=True, credentials=twin.target.credentials())[agg]
    wipe = twin.run({agg: bare, SITE: base_config(SITE)}, commit=True, verify_timeout=30.0)
    assert set(wipe.by_status("changed")) == {agg, SITE}, brief(wipe)
    book = str(INVENTORY.parent / "playbooks" / "onboard-site.yaml")
    common = ["--lab", "--workdir", str(twin.workdir), "--state-dir", str(twin.state_dir),
              "--set", f"site={SITE}"]
    runner = CliRunner()
    dry = runner.invoke(app, ["play", book, *common])
    assert dry.exit_code == 0, dry.output
    assert f"plan: 2 device(s) in 2 batch(es), canary {SITE}" in dry.output
    assert f"  batch 1 (canary): {SITE}\n  batch 2: {agg}\n" in dry.output
    assert "audit of 4 device(s): 0 drifted, 2 in sync" in dry.output
    assert "not counted: 2 device(s) an earlier step would change" in dry.output
    assert "DEVICE" in dry.output and "STATUS" in dry.output and "+++" not in dry.output  # no diffs
    pushed = runner.invoke(app, ["play", book, *common, "--commit"])
    assert pushed.exit_code == 0, pushed.output
    assert "audit of 4 device(s): 0 drifted, 4 in sync" in pushed.output
    reports = [ln.split(": ", 1)[1] for ln in pushed.output.splitlines() if ln.startswith("report: ")]
    assert len(reports) == 1 and Path(reports[0]).is_file()
    assert Path(reports[0]).parent.parent == twin.state_dir / "lab" / twin.network.settings.name


def test_ctrl_c_on_the_cli_finishes_the_device_in_flight_says_so_and_exits_130(twin: Twin) -> None:
    """``govnet deploy --lab --commit`` as a process: Ctrl-C (SIGINT) during the canary is
    answered at once on stderr, the canary ends confirmed, nothing after it starts, exit 130 and
    the output says how to resume; the same command then finishes the job."""
    import sys

    drifted = [SITE, "kf-agg-qingshuitang", "kf-core-1"]
    for device in drifted:
        subprocess.run(["vtysh", "-N", device, "-c", "configure terminal", "-c", "no log syslog"],
                       check=True, capture_output=True, timeout=30)
    govnet = str(Path(sys.executable).parent / "govnet")
    command = [govnet, "deploy", "--lab", "--workdir", str(twin.workdir), "--state-dir", str(twin.state_dir),
               "--commit", "--batch-size", "1"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        seen = []
        for line in proc.stderr:
            seen.append(line.rstrip("\n"))
            if line.startswith("batch 1/"):
                proc.send_signal(signal.SIGINT)
                break
        out, rest = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
    said = seen + rest.splitlines()
    assert proc.returncode == 130, (out, said)
    assert seen[-1] == f"batch 1/3: {SITE}"  # the canary: the least critical device
    assert said[len(seen)] == (f"SIGINT: finishing {SITE} (each device confirmed or rolled back), "
                               "then stopping; the report says what each device was left at")
    assert "HALTED: stopped by SIGINT" in out and "resume: run the same command again" in out
    assert "\nlog syslog informational\n" in running(SITE)  # the canary finished: changed
    assert "\nlog syslog" not in running("kf-core-1")  # never started: untouched
    state = twin.state_dir / "lab" / twin.network.settings.name
    assert not pending_commits(state) and not (state / f"{twin.network.settings.name}.lock").exists()
    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert not twin.run(commit=False).drift


def test_sigterm_mid_rollout_leaves_devices_confirmed_or_rolled_back(twin: Twin) -> None:
    configs = {d: t.replace("log-adjacency-changes", "log-adjacency-changes detail", 1)
               for d, t in twin.configs.items()}

    def terminate_in_first_batch(message: str) -> None:
        if message.startswith("batch 1/"):
            os.kill(os.getpid(), signal.SIGTERM)  # as `kill <pid>` while the canary is in flight

    report = twin.run(configs, echo=terminate_in_first_batch, commit=True, batch_size=1)
    assert report.halted.startswith("stopped by SIGTERM"), brief(report)
    changed, untouched = report.by_status("changed"), report.by_status("untouched")
    assert changed and untouched
    assert sorted(changed + untouched) == sorted(set(report.devices) - set(report.by_status("unchanged")))
    assert len(changed) == 1 and report.batches[0] == changed  # the canary finished, nothing after it
    for device in untouched:
        assert "log-adjacency-changes detail" not in running(device)
    assert not pending_commits(twin.state_dir)
    assert not (twin.state_dir / f"{twin.network.settings.name}.lock").exists()
    assert not twin.run(commit=True).failed  # back to intended everywhere
