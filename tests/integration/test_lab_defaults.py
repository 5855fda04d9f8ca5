"""What a router prints by default is in its intent: a provisioned twin shows no drift, and a
push never negates a default into a new behaviour (FRR's ``no ipv6 forwarding``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from govnet.cli.deploy import prepare_target
from govnet.deploy.rollout import DeployOptions, deploy
from govnet.lab.frr import vtysh

from .lab_helpers import AGGREGATION, CORES, INVENTORY, Lab

pytestmark = pytest.mark.integration


def test_provisioned_routers_show_no_drift_and_keep_ipv6_forwarding_off(lab: Lab, tmp_path: Path) -> None:
    routers = [*CORES, *AGGREGATION]
    for name in routers:
        assert "no ipv6 forwarding" in vtysh(name, "show running-config"), name
    network, _names, target, configs = prepare_target(
        INVENTORY, True, lab.workdir, ["name=" + ",".join(routers)]
    )
    options = DeployOptions(commit=True, state_dir=tmp_path / "state", verify_timeout=90.0)
    report = deploy(network, configs(), target, options, echo=lambda _m: None)
    statuses = {name: report.devices[name].status for name in routers}
    assert statuses == dict.fromkeys(routers, "unchanged"), {
        n: (report.devices[n].reason, report.devices[n].commands)
        for n in routers if statuses[n] != "unchanged"
    }
    for name in routers:  # nothing pushed, nothing turned on
        assert "no ipv6 forwarding" in vtysh(name, "show running-config"), name
