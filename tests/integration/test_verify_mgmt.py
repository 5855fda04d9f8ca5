"""Verify proves the NOC's path on the twin before confirming: a fresh SSH login (host sshd into
the router's vtysh, a new login with the deploy's credentials) and the poller's SNMPv3 GET of
sysUpTime.0 to the namespace's snmpd on its management address, as ``govnet monitor --lab`` polls.

A harmless push passes with both checks made. A push after which the agent is gone (the device's
snmpd killed between the commit and verify, by a test hook: no FRR-side line stops the twin's
snmpd answering, and a route cannot divert its answers, which it sends out of the interface the
request came in on) is rolled back with the reason named, while the pushing session and the
fresh login, which do not need snmpd, still work. Run under ``flock /tmp/govnet-twin.lock``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from nornir.core import Nornir

from govnet.cli.deploy import lab_facts
from govnet.credentials import Credentials, load_credentials
from govnet.deploy import tasks
from govnet.deploy.connection import prepare_hosts
from govnet.deploy.intended import scope
from govnet.deploy.nornir_setup import DeployTarget, build_nornir
from govnet.deploy.secrets import SecretValues
from govnet.deploy.tasks import PushOutcome, push_config
from govnet.deploy.verify import ManagementProbe, VerifyReport, management_probe, verify
from govnet.inventory import load_network
from govnet.lab import faults
from govnet.lab.frr import vtysh
from govnet.model import Network
from govnet.monitor.transport import snmp_get

from .lab_helpers import INVENTORY, Lab, wait_for

pytestmark = pytest.mark.integration

DEVICE = "kf-core-1"
HARMLESS = "ip route 198.51.100.0/24 blackhole"
"""A documentation prefix (RFC 5737) routed nowhere: nothing the NOC or the model uses."""
ANOTHER = "ip route 203.0.113.0/24 blackhole"
SYS_UPTIME = ".1.3.6.1.2.1.1.3.0"


@dataclass
class Setup:
    network: Network
    nr: Nornir
    probe: ManagementProbe
    credentials: Credentials
    workdir: Path


@pytest.fixture(scope="module")
def setup(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    options, booted = lab_facts(True, lab.workdir)
    assert options is not None
    target = DeployTarget.from_options(options)
    network = scope(load_network(INVENTORY), booted)
    credentials = load_credentials(Path(options["secrets_file"]), environ={})  # what monitor --lab reads
    nr = build_nornir(network, target, workers=1).filter(name=DEVICE)
    prepare_hosts(nr, state_dir=tmp_path_factory.mktemp("state"), secrets=SecretValues.from_credentials(
        target.credentials()), run_id="verify-mgmt", lab=True)
    probe = management_probe(network, credentials, lab=True, timeout=1.0, retries=1)
    try:
        yield Setup(network, nr, probe, credentials, lab.workdir)
    finally:
        nr.close_connections(on_failed=True)


def _push(setup: Setup, line: str) -> PushOutcome:
    results = setup.nr.run(task=push_config, config=f"{line}\n", network=setup.network, commit=True,
                           replace=False, lab=True, verify_timeout=60.0, management=setup.probe)
    outcome = results[DEVICE][0].result
    assert isinstance(outcome, PushOutcome), outcome
    return outcome


def _polled(setup: Setup) -> bool:
    agent = setup.probe.agents[DEVICE]
    return bool(snmp_get(setup.credentials, agent.host, SYS_UPTIME, timeout=1.0, port=agent.port))


def test_the_probe_polls_the_agent_the_monitor_polls(setup: Setup) -> None:
    agent = setup.probe.agents[DEVICE]
    assert (agent.host, agent.port) == (str(setup.network.devices[DEVICE].mgmt_ip.ip), 161)
    assert _polled(setup), "the twin's snmpd answers the poller before any push"


def test_a_harmless_push_is_confirmed_after_both_checks(setup: Setup) -> None:
    outcome = _push(setup, HARMLESS)
    assert (outcome.status, outcome.reason) == ("changed", ""), outcome.reason
    assert outcome.verify is not None
    assert set(outcome.verify.management) == {"ssh login", "snmpv3 get"}
    assert HARMLESS in vtysh(DEVICE, "show running-config")


def test_a_push_after_which_the_poller_gets_no_answer_is_rolled_back(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    def agent_gone_then_verify(*args: Any, **kwargs: Any) -> VerifyReport:
        faults.kill_daemon(setup.workdir, DEVICE, "snmpd", echo=lambda _m: None)  # the test hook
        return verify(*args, **kwargs)

    monkeypatch.setattr(tasks, "verify", agent_gone_then_verify)
    try:
        outcome = _push(setup, ANOTHER)
    finally:
        faults.heal(setup.workdir, echo=lambda _m: None)
    agent = setup.probe.agents[DEVICE]
    assert outcome.status == "rolled-back", outcome.reason
    assert outcome.reason == (
        f"verify failed: management: SNMPv3 get sysUpTime.0 timed out ({agent.host}:{agent.port})"
    )
    assert outcome.verify is not None
    assert set(outcome.verify.management) == {"ssh login", "snmpv3 get"}  # the login still worked
    shown = vtysh(DEVICE, "show running-config")
    assert ANOTHER not in shown and HARMLESS in shown, "rolled back to the last confirmed config"
    assert wait_for(lambda: _polled(setup), 30), "healed, the poller reaches the agent again"
