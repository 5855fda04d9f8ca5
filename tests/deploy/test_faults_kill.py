"""govnet itself SIGKILLed at each step of a push, against EMULATED devices (tests/emulation).

A child process runs the real rollout (``deploy --commit`` of one device) and stops at a step:
before the commit, inside the confirm window, after the device confirmed but before govnet
recorded it, and after the confirm; the test kills it there with SIGKILL (no cleanup, no
rollback, the lock left behind). ``recover_network`` (``govnet deploy --recover``) must then
take the dead run's lock and leave no device with an unconfirmed change: each ends as it was or
changed as intended, and nothing is pending.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from fault_record import note
from kill_support import sigkill_at

from deploy.test_faults_deploy import (
    AGG_COMWARE,
    AGG_VRP5,
    COMWARE_CHANGE,
    CORE1,
    NET,
    PLATFORMS,
    VRP5_CHANGE,
    Fleet,
    fleet,  # noqa: F401  (the fixture)
)
from govnet.deploy.lkg import pending_commits

ROOT = Path(__file__).resolve().parents[2]
STEPS = {
    "before-commit": ("commit_config", "before"),
    "in-window": ("residual", "before"),
    "confirmed-unrecorded": ("_confirmed", "before"),
    "after-confirm": ("confirm_commit", "after"),
}


def change(name: str, step: int) -> str:
    """A change of ``name`` that differs at every step (so each step has something to push)."""
    if name == AGG_VRP5:
        return VRP5_CHANGE.replace("fault drill", f"fault drill {step}").replace("400", f"40{step}")
    if name == AGG_COMWARE:
        return COMWARE_CHANGE.replace("fault drill", f"fault drill {step}")
    return f"vlan batch 3{step}\n"


_CHILD = """
import dataclasses, json, sys, time
from pathlib import Path
from govnet.deploy.drivers import driver_class
from govnet.deploy.nornir_setup import DeployTarget
from govnet.deploy.rollout import DeployOptions, deploy
from govnet.inventory import load_network

spec = json.loads(sys.argv[1])
network = load_network(spec["inventory"])
devices = dict(network.devices)
devices[spec["device"]] = dataclasses.replace(devices[spec["device"]], lab_platform=spec["platform"])
model = dataclasses.replace(network, devices=devices)
cls = driver_class(spec["platform"])
real = getattr(cls, spec["method"])
mro_owner = next(k for k in cls.__mro__ if spec["method"] in vars(k))

def hold():
    print("at " + spec["step"], flush=True)
    time.sleep(600)

def wrapped(self, *args, **kwargs):
    if spec["when"] == "before":
        hold()
    out = real(self, *args, **kwargs)
    hold()
    return out

setattr(mro_owner, spec["method"], wrapped)
target = DeployTarget(lab=True, lab_ports={spec["device"]: spec["port"]})
options = DeployOptions(commit=True, replace=False, state_dir=Path(spec["state"]), verify_timeout=0.0)
deploy(model, {spec["device"]: spec["change"]}, target, options, echo=lambda line: None)
print("finished", flush=True)
"""


def killed_at(rig: Fleet, name: str, step: str, config: str) -> None:
    """Run a deploy of ``name`` in a child process and SIGKILL it at ``step``."""
    method, when = STEPS[step]
    spec = {"inventory": str(ROOT / "inventory"), "device": name, "platform": PLATFORMS[name][0],
            "port": rig.devices[name].port, "state": str(rig.state), "change": config,
            "method": method, "when": when, "step": step}
    pythonpath = os.pathsep.join([str(ROOT), str(ROOT / "tests")])
    sigkill_at([sys.executable, "-c", _CHILD, json.dumps(spec)], step, {"PYTHONPATH": pythonpath})


@pytest.mark.parametrize("name", [AGG_VRP5, AGG_COMWARE, CORE1], ids=["vrp5", "comware", "vrp8"])
def test_recover_after_govnet_is_killed_at_each_step(
    fleet: Fleet, name: str, request: pytest.FixtureRequest  # noqa: F811  (the imported fixture)
) -> None:
    outcomes = []
    for index, step in enumerate(STEPS):
        start = fleet.lines(name)
        config = change(name, index)
        killed_at(fleet, name, step, config)
        assert (fleet.state / f"{NET}.lock").exists(), "the dead run's lock is left"
        left = [p.device for p in pending_commits(fleet.state)]
        restored = fleet.recover()
        assert restored == left  # every pending record acted on, the dead run's lock taken over
        assert fleet.leftovers() == [], f"killed {step}: something unconfirmed is left"
        whole = fleet.lines(name) == start or fleet.dry_run(name, config) == "unchanged"
        assert whole, f"killed {step}: neither as it was nor changed as intended"
        if step in ("before-commit", "in-window"):
            assert fleet.lines(name) == start, f"killed {step}: an unconfirmed change must be undone"
        outcomes.append(f"{step}: {'as it was' if fleet.lines(name) == start else 'changed as intended'}")
    note(request.node.name, "govnet SIGKILLed at each step, then `deploy --recover`",
         f"EMULATED {PLATFORMS[name][0]}", len(STEPS), "; ".join(outcomes) + "; the dead run's lock "
         "taken over, nothing pending", 0)
