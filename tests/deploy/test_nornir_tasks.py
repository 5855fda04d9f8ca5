"""The public Nornir tasks (``backup_config``, ``diff_config``, ``verify_device``, ``push_config``)
run through a real Nornir over FAKE in-process drivers (:class:`tests.rollout_support.FakeFleet`).

Exact results: statuses, reasons, diffs, timings on a pinned clock, ``changed``/``failed``, the
confirm window handed to the commit, what was done to the device (mutation tests of tasks.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from nornir.core import Nornir
from nornir.core.task import Result
from rollout_support import NOC, FakeFleet, start_agent
from snmprec_agent import free_port, stop_pid

from govnet.credentials import Credentials
from govnet.deploy import connection, tasks, verify
from govnet.deploy.backup import masked_backup
from govnet.deploy.connection import prepare_hosts
from govnet.deploy.driver import CommitRejected, ConfigDiff
from govnet.deploy.mask import HIDDEN, mask_config
from govnet.deploy.nornir_setup import DeployTarget, build_nornir
from govnet.deploy.secrets import REDACTED, SecretValues
from govnet.deploy.tasks import PushOutcome, backup_config, diff_config, push_config, verify_device
from govnet.deploy.verify import ManagementProbe, VerifyReport, management_probe
from govnet.model import Network
from govnet.monitor.snmp import SnmpTarget
from govnet.platforms import get_platform
from govnet.platforms.printed import printed_config

ACC = "kf-acc-dongfenglu-c01"
"""One link (kernel ``ge0-0-1``, VRP ``GigabitEthernet0/0/1``) to AGG, no OSPF or BGP."""
AGG = "kf-agg-dongfenglu"
NTP = "ntp server 10.0.0.1"
RUNNING = f"hostname {ACC}\n"
WANTED = f"hostname {ACC}\n{NTP}\n"
DIFF = ConfigDiff(ACC, (NTP,), f"+{NTP}\n")
NO_DIFF = ConfigDiff(ACC, (), "")
LINK_DOWN = "links not up: ge0-0-1"


class Clock:
    """``time.monotonic`` for tasks.py: call k returns 100 + 1.23456 * (2**k - 1), so every
    interval is distinct and needs rounding (call 0 -> 1: 1.23456, 2 -> 3: 4.93824 ...)."""

    def __init__(self) -> None:
        self.calls = 0

    def monotonic(self) -> float:
        value = 100 + 1.23456 * ((1 << self.calls) - 1)
        self.calls += 1
        return value


class VerifyClock:
    """``time`` for verify.py: stands still except while ``verify`` sleeps between polls."""

    def __init__(self) -> None:
        self.now = 500.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fleet(network: Network, monkeypatch: pytest.MonkeyPatch) -> FakeFleet:
    fleet = FakeFleet(network)
    fleet.running[ACC] = RUNNING
    fleet.running[AGG] = f"hostname {AGG}\n"
    monkeypatch.setattr(connection, "driver_class", fleet.driver_class)
    return fleet


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(tasks, "time", SimpleNamespace(monotonic=clock.monotonic))
    return clock


@pytest.fixture
def vclock(monkeypatch: pytest.MonkeyPatch) -> VerifyClock:
    vclock = VerifyClock()
    monkeypatch.setattr(verify, "time", SimpleNamespace(monotonic=vclock.monotonic, sleep=vclock.sleep))
    return vclock


@pytest.fixture
def nr(fleet: FakeFleet, network: Network, tmp_path: Path, vclock: VerifyClock) -> Iterator[Nornir]:
    """Nornir over the lab inventory of ACC and AGG, filtered to ACC (one task in flight)."""
    full = build_nornir(network, DeployTarget(lab=True, lab_ports={ACC: 2201, AGG: 2202}), workers=1)
    prepare_hosts(full, state_dir=tmp_path / "state", secrets=SecretValues(), run_id="run1")
    yield full.filter(name=ACC)
    full.close_connections(on_failed=True)


def one(nr: Nornir, task: Any, **params: Any) -> Result:
    """The single Result of ``task`` on ACC (the task raised nothing)."""
    results = nr.run(task=task, **params)
    assert list(results) == [ACC]
    [result] = results[ACC]
    assert result.exception is None, result.result
    assert result.host is nr.inventory.hosts[ACC]
    return result


def push(nr: Nornir, network: Network, **params: Any) -> tuple[PushOutcome, Result]:
    params.setdefault("config", WANTED)
    result = one(nr, push_config, network=network, **params)
    assert isinstance(result.result, PushOutcome)
    return result.result, result


def flags(result: Result) -> tuple[bool, bool]:
    return result.changed, result.failed


# -- backup_config ---------------------------------------------------------------------------


def test_backup_masks_secrets_and_changes_nothing(nr: Nornir, fleet: FakeFleet) -> None:
    fleet.running[ACC] = (
        f"hostname {ACC}\n"
        "snmp-server community s3cr3t-comm RO\n"
        " snmp-agent community read cipher %^%#Zx81!aQ%^%# acl 2000\n"
        " neighbor 10.0.0.1 password bgp-pass\n"
    )
    result = one(nr, backup_config)
    assert result.result == (
        f"hostname {ACC}\n"
        f"snmp-server community {HIDDEN} RO\n"
        f" snmp-agent community read cipher {HIDDEN} acl 2000\n"
        f" neighbor 10.0.0.1 password {HIDDEN}\n"
    )
    assert result.result == mask_config(fleet.running[ACC])
    assert flags(result) == (False, False)
    assert fleet.actions(ACC) == ["open"]


def test_backup_reads_the_print_as_govnet_backup_does(
    nr: Nornir, fleet: FakeFleet, tmp_path: Path
) -> None:
    """The task and ``govnet backup`` keep the same text: vtysh's prompt and banner gone (the
    platform's reader, FRR here), masked, and a known secret value redacted by the store."""
    prepare_hosts(nr, state_dir=tmp_path / "state", secrets=SecretValues({"GOVNET_NTP_KEY": "ntp-K3y-55zz"}),
                  run_id="run1")
    fleet.running[ACC] = (
        f"{ACC}# show running-config\nBuilding configuration...\n\nCurrent configuration:\n!\n"
        f"hostname {ACC}\ninterface ge0-0-1\n description key ntp-K3y-55zz\n ip ospf authentication-key k1\n"
        f"exit\n!\nend\n{ACC}# "
    )
    result = one(nr, backup_config)
    assert result.result == (
        f"!\nhostname {ACC}\ninterface ge0-0-1\n description key {REDACTED}\n"
        f" ip ospf authentication-key {HIDDEN}\nexit\n!\nend\n"
    )
    assert result.result == device_backup_text(fleet.running[ACC])


def device_backup_text(running: str) -> str:
    """What ``govnet backup`` keeps of ``running`` on an FRR device, by its own functions."""
    read = printed_config(running, get_platform("frr").print_style)
    return masked_backup(read, SecretValues({"GOVNET_NTP_KEY": "ntp-K3y-55zz"})).text


# -- diff_config -----------------------------------------------------------------------------


def test_diff_replaces_by_default_and_discards(nr: Nornir, fleet: FakeFleet) -> None:
    result = one(nr, diff_config, config=WANTED)
    assert result.result == DIFF
    assert flags(result) == (True, False)
    assert fleet.actions(ACC) == ["open", "replace", "compare", "discard"]
    assert fleet.running[ACC] == RUNNING


def test_diff_merges_when_asked_and_reports_no_change(nr: Nornir, fleet: FakeFleet) -> None:
    result = one(nr, diff_config, config=RUNNING, replace=False)
    assert result.result == NO_DIFF
    assert flags(result) == (False, False)
    assert fleet.actions(ACC) == ["open", "merge", "compare", "discard"]


# -- verify_device ---------------------------------------------------------------------------


def test_verify_passes_when_every_adjacency_is_up(nr: Nornir, network: Network) -> None:
    result = one(nr, verify_device, network=network, lab=True)
    assert result.result == VerifyReport(ACC, True, {}, 0.0)
    assert flags(result) == (False, False)


def test_verify_fails_until_timeout_with_what_is_missing(
    nr: Nornir, network: Network, fleet: FakeFleet
) -> None:
    fleet.down[ACC] = {AGG}
    result = one(nr, verify_device, network=network, lab=True, timeout=3.0)
    assert result.result == VerifyReport(ACC, False, {"links": ["ge0-0-1"]}, 3.0)
    assert result.result.summary() == LINK_DOWN
    assert flags(result) == (False, True)


def test_verify_waits_60_seconds_by_default(nr: Nornir, network: Network, fleet: FakeFleet) -> None:
    fleet.down[ACC] = {AGG}
    result = one(nr, verify_device, network=network, lab=True)
    assert result.result.seconds == 60.0
    assert result.failed


def test_verify_expects_real_gear_names_by_default(nr: Nornir, network: Network) -> None:
    """Without ``lab`` the model's interface names are the VRP ones, which the fake FRR lacks."""
    result = one(nr, verify_device, network=network, timeout=0.0)
    assert result.result == VerifyReport(ACC, False, {"links": ["GigabitEthernet0/0/1"]}, 0.0)
    assert flags(result) == (False, True)


def test_verify_leaves_out_unsettled_peers(nr: Nornir, network: Network, fleet: FakeFleet) -> None:
    fleet.down[ACC] = {AGG}
    result = one(nr, verify_device, network=network, lab=True, settled=[ACC], timeout=0.0)
    assert result.result == VerifyReport(ACC, True, {}, 0.0)
    assert not result.failed


def test_verify_os_family_falls_back_to_the_host_platform(nr: Nornir, network: Network) -> None:
    host = nr.inventory.hosts[ACC]
    del host.data["govnet_platform"]
    host.platform = "frr"
    result = one(nr, verify_device, network=network, lab=True, timeout=0.0)
    assert result.result == VerifyReport(ACC, True, {}, 0.0)
    host.platform = "appliance"
    result = one(nr, verify_device, network=network, lab=True, timeout=0.0)
    assert result.result == VerifyReport(
        ACC, True, note="not verified: no post-change checks for appliance"
    )


# -- push_config: no commit ------------------------------------------------------------------


def test_push_is_a_dry_run_by_default(
    nr: Nornir, network: Network, fleet: FakeFleet, clock: Clock
) -> None:
    outcome, result = push(nr, network)
    assert outcome == PushOutcome(ACC, "dry-run", DIFF, "", {"diff": 1.23})
    assert flags(result) == (False, False)
    assert fleet.actions(ACC) == ["open", "replace", "compare", "discard"]
    assert fleet.running[ACC] == RUNNING


def test_push_unchanged_discards_even_with_commit(
    nr: Nornir, network: Network, fleet: FakeFleet, clock: Clock
) -> None:
    outcome, result = push(nr, network, config=RUNNING, commit=True, replace=False)
    assert outcome == PushOutcome(ACC, "unchanged", NO_DIFF, "", {"diff": 1.23})
    assert flags(result) == (False, False)
    assert fleet.actions(ACC) == ["open", "merge", "compare", "discard"]


def test_push_session_refused_fails_without_diff(
    nr: Nornir, network: Network, fleet: FakeFleet, clock: Clock
) -> None:
    fleet.fault(ACC, "open")
    outcome, result = push(nr, network, commit=True)
    reason = f"{ACC}: cannot open SSH to 127.0.0.1: refused"
    assert outcome == PushOutcome(ACC, "failed", None, reason, {"diff": 1.23})
    assert flags(result) == (False, True)


# -- push_config: commit ---------------------------------------------------------------------


def test_push_commits_verifies_confirms(
    nr: Nornir, network: Network, fleet: FakeFleet, clock: Clock
) -> None:
    outcome, result = push(nr, network, commit=True, lab=True, verify_timeout=0.0)
    timings = {"diff": 1.23, "commit": 4.94, "converge": 19.75, "verify": 79.01, "total": 314.81}
    report = VerifyReport(ACC, True, {}, 0.0)
    assert outcome == PushOutcome(ACC, "changed", DIFF, "", timings, report)
    assert flags(result) == (True, False)
    converge = ["replace", "compare", "discard"]  # diffed again after the commit
    assert fleet.actions(ACC) == ["open", "replace", "compare", "commit 120", *converge, "confirm"]
    assert fleet.running[ACC] == WANTED
    assert clock.calls == 9


def test_push_merge_commit(nr: Nornir, network: Network, fleet: FakeFleet) -> None:
    outcome, _ = push(nr, network, commit=True, replace=False, lab=True, verify_timeout=0.0)
    assert outcome.status == "changed"
    converge = ["merge", "compare", "discard"]
    assert fleet.actions(ACC) == ["open", "merge", "compare", "commit 120", *converge, "confirm"]


@pytest.mark.parametrize(
    ("revert_in", "verify_timeout", "window"),
    [
        (None, 0.0, 120),  # the platform's confirm window (FRR)
        (200, 0.0, 200),  # asked for
        (10, 0.0, 30),  # never shorter than verify's wait + 30 s
        (None, 100.7, 130),
        (10, None, 90),  # verify waits 60 s by default
    ],
)
def test_push_confirm_window(
    nr: Nornir, network: Network, fleet: FakeFleet,
    revert_in: int | None, verify_timeout: float | None, window: int,
) -> None:
    options: dict[str, Any] = {"revert_in": revert_in}
    if verify_timeout is not None:
        options["verify_timeout"] = verify_timeout
    outcome, _ = push(nr, network, commit=True, lab=True, **options)
    assert outcome.status == "changed"
    assert fleet.actions(ACC)[3] == f"commit {window}"


def test_push_to_vrp_is_verified_from_its_display_commands_and_rolled_back_when_nothing_is_up(
    nr: Nornir, network: Network, fleet: FakeFleet
) -> None:
    """A VRP host is observed through its own display commands (no longer "not verified"): the
    fake answers them with nothing, so the model's peers are missing and the push is undone."""
    nr.inventory.hosts[ACC].data["govnet_platform"] = "huawei_vrp"
    outcome, result = push(nr, network, commit=True, lab=True, verify_timeout=0.0)
    assert outcome.status == "rolled-back"
    assert not outcome.verify.ok and "not verified" not in outcome.reason
    assert outcome.verify.missing == {"links": ["ge0-0-1"]}  # its uplink, which nothing shows up
    assert flags(result)[1], "a rolled-back push is a failed Nornir result"
    assert "confirm" not in fleet.actions(ACC)


def test_push_expects_real_gear_names_by_default(
    nr: Nornir, network: Network, fleet: FakeFleet
) -> None:
    outcome, _ = push(nr, network, commit=True, verify_timeout=0.0)
    assert outcome.status == "rolled-back"
    assert outcome.reason == "verify failed: links not up: GigabitEthernet0/0/1"


def test_push_expects_back_what_was_up_before(
    nr: Nornir, network: Network, fleet: FakeFleet
) -> None:
    """The model expects nothing (no peer settled), but the link was up: it must come back."""
    fleet.fault(ACC, "verify")
    outcome, _ = push(nr, network, commit=True, lab=True, settled=(), verify_timeout=0.0)
    assert outcome.status == "rolled-back"
    assert outcome.reason == f"verify failed: {LINK_DOWN}"


def test_push_settled_peers_only(nr: Nornir, network: Network, fleet: FakeFleet) -> None:
    fleet.down[ACC] = {AGG}
    outcome, _ = push(nr, network, commit=True, lab=True, settled=[ACC], verify_timeout=0.0)
    assert outcome.status == "changed"


def test_push_verify_failure_rolls_back(
    nr: Nornir, network: Network, fleet: FakeFleet, clock: Clock
) -> None:
    fleet.fault(ACC, "verify")
    outcome, result = push(nr, network, commit=True, lab=True, verify_timeout=2.0)
    timings = {"diff": 1.23, "commit": 4.94, "converge": 19.75, "verify": 79.01, "rollback": 316.05}
    report = VerifyReport(ACC, False, {"links": ["ge0-0-1"]}, 2.0)
    assert outcome == PushOutcome(
        ACC, "rolled-back", DIFF, f"verify failed: {LINK_DOWN}", timings, report
    )
    assert flags(result) == (False, True)
    assert fleet.actions(ACC)[3:] == ["commit 120", "replace", "compare", "discard", "rollback"]
    assert fleet.running[ACC] == RUNNING


def test_push_rejected_commit_rolls_back_keeping_the_diff(
    nr: Nornir, network: Network, fleet: FakeFleet, clock: Clock
) -> None:
    fleet.fault(ACC, "reject")
    outcome, result = push(nr, network, commit=True, lab=True, verify_timeout=0.0)
    reason = str(CommitRejected(ACC, NTP, "Error: Unrecognized command\n"))
    assert reason.startswith(ACC) and NTP in reason and "Unrecognized command" in reason
    timings = {"diff": 1.23, "commit": 4.94, "rollback": 19.75}
    assert outcome == PushOutcome(ACC, "rolled-back", DIFF, reason, timings)
    assert flags(result) == (False, True)
    assert fleet.actions(ACC)[3:] == ["commit 120", "rollback"]


def test_push_confirm_failure_rolls_back(
    nr: Nornir, network: Network, fleet: FakeFleet, clock: Clock
) -> None:
    fleet.fault(ACC, "confirm")
    outcome, result = push(nr, network, commit=True, lab=True, verify_timeout=0.0)
    timings = {"diff": 1.23, "commit": 4.94, "converge": 19.75, "verify": 79.01, "rollback": 316.05}
    report = VerifyReport(ACC, True, {}, 0.0)
    reason = f"confirm failed: {ACC}: confirm timed out"
    assert outcome == PushOutcome(ACC, "rolled-back", DIFF, reason, timings, report)
    assert flags(result) == (False, True)
    assert fleet.actions(ACC)[3:] == ["commit 120", "replace", "compare", "discard", "confirm", "rollback"]


def test_push_failed_rollback_keeps_the_pending_commit(
    nr: Nornir, network: Network, fleet: FakeFleet, clock: Clock
) -> None:
    fleet.fault(ACC, "verify", "rollback")
    outcome, result = push(nr, network, commit=True, lab=True, verify_timeout=0.0)
    reason = (
        f"verify failed: {LINK_DOWN}; ROLLBACK FAILED: {ACC}: no last-known-good config "
        "(pending commit kept for --recover)"
    )
    timings = {"diff": 1.23, "commit": 4.94, "converge": 19.75, "verify": 79.01, "rollback": 316.05}
    report = VerifyReport(ACC, False, {"links": ["ge0-0-1"]}, 0.0)
    assert outcome == PushOutcome(ACC, "failed", DIFF, reason, timings, report)
    assert flags(result) == (False, True)
    assert fleet.running[ACC] == WANTED


def test_push_rejected_commit_and_failed_rollback(
    nr: Nornir, network: Network, fleet: FakeFleet, clock: Clock
) -> None:
    fleet.fault(ACC, "reject", "rollback")
    outcome, result = push(nr, network, commit=True, lab=True, verify_timeout=0.0)
    assert outcome.status == "failed"
    assert outcome.reason.endswith(
        f"; ROLLBACK FAILED: {ACC}: no last-known-good config (pending commit kept for --recover)"
    )
    assert outcome.timings == {"diff": 1.23, "commit": 4.94, "rollback": 19.75}
    assert flags(result) == (False, True)


def test_push_driver_bug_is_not_swallowed(nr: Nornir, network: Network, fleet: FakeFleet) -> None:
    fleet.fault(ACC, "crash")
    results = nr.run(task=push_config, config=WANTED, network=network, commit=True)
    assert isinstance(results[ACC][0].exception, RuntimeError)
    assert fleet.actions(ACC) == ["open", "replace", "compare"]


# -- push_config: the management path (a fresh SSH login, the poller's SNMPv3 GET) -------------

@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real net-snmp agent on loopback knowing the poller's user (ACC's agent); its UDP port."""
    port, pid = start_agent(tmp_path_factory.mktemp("snmpd"), ACC)
    yield port
    stop_pid(pid)


@pytest.fixture
def fresh_logins(fleet: FakeFleet, monkeypatch: pytest.MonkeyPatch) -> None:
    """verify's fresh SSH session comes from the same (FAKE) registry as the pushing one."""
    monkeypatch.setattr(verify, "driver_class", fleet.driver_class)


def _probe(network: Network, port: int, credentials: Credentials = NOC) -> ManagementProbe:
    return management_probe(network, credentials, lab=True, hosts={ACC: "127.0.0.1"}, ports={ACC: port},
                            timeout=0.3, retries=0)


def test_management_probe_polls_what_the_monitor_polls(network: Network) -> None:
    probe = _probe(network, 1161)
    assert probe.agents[ACC] == SnmpTarget(ACC, "127.0.0.1", 1161)
    assert probe.agents[AGG] == SnmpTarget(AGG, str(network.devices[AGG].mgmt_ip.ip), 161)
    assert set(probe.agents) == set(network.devices)


@pytest.mark.usefixtures("fresh_logins")
def test_push_checks_a_fresh_login_and_snmp_before_confirming(
    nr: Nornir, network: Network, fleet: FakeFleet, agent: int
) -> None:
    outcome, result = push(nr, network, commit=True, lab=True, verify_timeout=0.0,
                           management=_probe(network, agent))
    assert (outcome.status, outcome.reason) == ("changed", "")
    assert outcome.verify is not None and set(outcome.verify.management) == {"ssh login", "snmpv3 get"}
    converge = ["replace", "compare", "discard"]
    fresh = ["open", "close"]  # a new session, logged in and out, before the confirm
    assert fleet.actions(ACC) == ["open", "replace", "compare", "commit 120", *converge, *fresh, "confirm"]
    assert flags(result) == (True, False)


@pytest.mark.usefixtures("fresh_logins")
def test_push_rolls_back_when_a_new_login_is_refused(
    nr: Nornir, network: Network, fleet: FakeFleet, agent: int
) -> None:
    fleet.fault(ACC, "login")
    outcome, result = push(nr, network, commit=True, lab=True, verify_timeout=0.0,
                           management=_probe(network, agent))
    assert outcome.status == "rolled-back"
    user = nr.inventory.hosts[ACC].username
    assert outcome.reason == (
        f"verify failed: management: new SSH login refused: {ACC}: SSH to 127.0.0.1 failed: "
        f"authentication failed for user {user!r} (password login)"
    )
    assert fleet.actions(ACC)[-3:] == ["discard", "open", "rollback"]
    assert "confirm" not in fleet.actions(ACC)
    assert fleet.running[ACC] == RUNNING
    assert flags(result) == (False, True)


@pytest.mark.usefixtures("fresh_logins")
def test_push_rolls_back_when_the_poller_gets_no_answer(
    nr: Nornir, network: Network, fleet: FakeFleet
) -> None:
    silent = free_port()  # nothing answers there: the agent is unreachable after the push
    outcome, _ = push(nr, network, commit=True, lab=True, verify_timeout=0.0,
                      management=_probe(network, silent))
    assert outcome.status == "rolled-back"
    timed_out = f"management: SNMPv3 get sysUpTime.0 timed out (127.0.0.1:{silent})"
    assert outcome.reason == f"verify failed: {timed_out}"
    assert outcome.verify is not None and set(outcome.verify.management) == {"ssh login", "snmpv3 get"}
    assert fleet.actions(ACC)[-3:] == ["open", "close", "rollback"]  # the login worked, the GET did not
    assert fleet.running[ACC] == RUNNING


@pytest.mark.usefixtures("fresh_logins")
def test_push_rolls_back_when_the_agent_refuses_the_poller(
    nr: Nornir, network: Network, fleet: FakeFleet, agent: int
) -> None:
    wrong = Credentials(NOC.ssh_user, NOC.ssh_password, NOC.snmp_user, "not-the-auth-key", NOC.snmp_priv_key)
    outcome, _ = push(nr, network, commit=True, lab=True, verify_timeout=0.0,
                      management=_probe(network, agent, wrong))
    assert outcome.status == "rolled-back"
    refused = f"management: SNMPv3 get sysUpTime.0 failed (127.0.0.1:{agent}, auth)"
    assert outcome.reason.startswith(f"verify failed: {refused}: ")
    assert fleet.running[ACC] == RUNNING


@pytest.mark.usefixtures("fresh_logins")
def test_push_says_when_the_monitor_plan_has_no_agent(nr: Nornir, network: Network, fleet: FakeFleet) -> None:
    probe = ManagementProbe(NOC, {})
    outcome, _ = push(nr, network, commit=True, lab=True, verify_timeout=0.0, management=probe)
    assert outcome.status == "changed"
    assert outcome.reason == f"management: SNMP not checked: {ACC} has no SNMP agent in the monitor plan"
    assert outcome.verify is not None and list(outcome.verify.management) == ["ssh login"]
