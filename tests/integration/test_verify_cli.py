"""``govnet verify --lab`` on the booted small twin: real SSH into FRR and the edge agent, read-only.

The twin converges (exit 0, every device as the model says); a cut cable between a core and an
aggregation node is named on both ends (the link and the OSPF and BGP sessions over it, exit 1);
once the cable is back the twin verifies clean again. Nothing is pushed.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from govnet.cli import app
from govnet.lab import faults

from .lab_helpers import INVENTORY, SMALL_TWIN, Lab, wait_for

pytestmark = pytest.mark.integration

CORE, AGG = "kf-core-1", "kf-agg-dongfenglu"
CORE_LOOPBACK, AGG_LOOPBACK = "10.0.0.9", "10.0.0.65"


def verify(lab: Lab, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["verify", "--lab", "--workdir", str(lab.workdir), "-i", str(INVENTORY),
                                      *args])
    return result.exit_code, result.output


def test_verify_names_a_cut_cable_and_passes_once_it_is_back(lab: Lab) -> None:
    last: list[tuple[int, str]] = []

    def clean() -> bool:
        last.append(verify(lab))
        return last[-1][0] == 0

    assert wait_for(clean, timeout=180, interval=3), last[-1][1]
    code, output = verify(lab, "-f", "json")
    report = json.loads(output)
    assert code == 0 and report["ok"] is True and sorted(report["devices"]) == sorted(SMALL_TWIN)
    running = {line.split(":")[0] for line in last[-1][1].splitlines()[:-1]}
    assert running == set(SMALL_TWIN)
    assert last[-1][1].splitlines()[-1] == f"{len(SMALL_TWIN)}/{len(SMALL_TWIN)} device(s) as the model says"

    faults.link_down(lab.workdir, CORE, AGG, echo=lambda _m: None)
    try:
        def named() -> bool:
            last.append(verify(lab, "--filter", f"name={CORE},{AGG}"))
            lines = last[-1][1].splitlines()
            return last[-1][0] == 1 and f"{CORE}: ospf not up: {AGG_LOOPBACK}" in lines \
                and f"{AGG}: ospf not up: {CORE_LOOPBACK}" in lines

        assert wait_for(named, timeout=90, interval=2), last[-1][1]
        lines = last[-1][1].splitlines()
        assert any(line.startswith(f"{CORE}: links not up: ") for line in lines)
        assert any(line.startswith(f"{AGG}: links not up: ") for line in lines)
        assert lines[-1] == "0/2 device(s) as the model says"
    finally:
        faults.link_up(lab.workdir, CORE, AGG, echo=lambda _m: None)
    assert wait_for(clean, timeout=180, interval=3), last[-1][1]
