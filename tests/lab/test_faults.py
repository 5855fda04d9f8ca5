"""`govnet lab fault ...` units that need no twin: the commands, their errors naming the device,
which interfaces a restart keeps down, and how a login to a device is recognised.

A state file with a real topology (built from the shipped inventory) stands for a running twin:
the refusals tested here happen before anything in the system is touched. ``os.geteuid`` is
patched to 0 where the refusal under test comes after the root check (as in test_lab_topology).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govnet.cli.lab import lab_app
from govnet.lab import faults
from govnet.lab.state import FaultRecord, LabState
from govnet.lab.topology import build_topology
from govnet.model import Network

SMALL = ["kf-core-1", "kf-core-2", "kf-agg-dongfenglu", "kf-agg-qingshuitang", "kf-acc-dongfenglu-c01",
         "kf-fw-1", "kf-fw-2"]
ACC, AGG = "kf-acc-dongfenglu-c01", "kf-agg-dongfenglu"


def _running_lab(network: Network, workdir: Path, faults_: list[FaultRecord] | None = None) -> LabState:
    state = LabState(workdir=workdir, phase="up", topology=build_topology(network, SMALL).to_dict(),
                     faults=faults_ or [])
    state.save()
    return state


def test_restart_is_a_fault_command() -> None:
    result = CliRunner().invoke(lab_app, ["fault", "--help"])
    assert result.exit_code == 0
    assert "restart" in result.output and "link-down" in result.output and "heal" in result.output
    result = CliRunner().invoke(lab_app, ["fault", "restart", "--help"])
    assert result.exit_code == 0 and "saved config" in result.output


def test_restart_of_an_unknown_device_names_it_and_the_booted_ones(
    network: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    _running_lab(network, tmp_path)
    result = CliRunner().invoke(lab_app, ["fault", "restart", "kf-agg-nowhere", "--workdir", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "no device 'kf-agg-nowhere' in the lab" in result.output and AGG in result.output
    assert "Traceback" not in result.output


def test_restart_of_a_device_that_is_no_router_is_refused_naming_it(
    network: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    _running_lab(network, tmp_path)
    result = CliRunner().invoke(lab_app, ["fault", "restart", "kf-fw-1", "--workdir", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "kf-fw-1 is not a twin router" in result.output and "Traceback" not in result.output


def test_restart_without_a_running_lab_is_a_clear_error(
    network: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    result = CliRunner().invoke(lab_app, ["fault", "restart", AGG, "--workdir", str(tmp_path)])
    assert result.exit_code == 2 and "no running lab in" in result.output
    state = _running_lab(network, tmp_path)
    state.update(phase="stopping")  # a lab being torn down is no lab to restart a device in
    result = CliRunner().invoke(lab_app, ["fault", "restart", AGG, "--workdir", str(tmp_path)])
    assert result.exit_code == 2 and "no running lab in" in result.output


def test_restart_needs_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    result = CliRunner().invoke(lab_app, ["fault", "restart", AGG, "--workdir", str(tmp_path)])
    assert result.exit_code == 2 and "needs root" in result.output


def test_a_restart_keeps_down_exactly_the_links_a_fault_cut(network: Network, tmp_path: Path) -> None:
    topo = build_topology(network, SMALL)
    to_acc = topo.links_between(AGG, ACC)
    to_core = topo.links_between(AGG, "kf-core-1")
    assert to_acc and to_core
    cut = [FaultRecord("link-down", ACC, lk.id, AGG) for lk in to_acc]  # recorded from the other end
    cut.append(FaultRecord("kill", AGG, "ospfd"))  # no link
    cut += [FaultRecord("link-down", "kf-core-2", lk.id, "kf-agg-qingshuitang")
            for lk in topo.links_between("kf-core-2", "kf-agg-qingshuitang")]  # not this device's
    state = _running_lab(network, tmp_path, cut)
    agg_ends = {lk.a_ifname if lk.a == AGG else lk.b_ifname for lk in to_acc}
    assert faults._cut_ifnames(state, topo, AGG) == agg_ends
    assert faults._cut_ifnames(state, topo, ACC) == {lk.a_ifname if lk.a == ACC else lk.b_ifname
                                                     for lk in to_acc}
    assert faults._cut_ifnames(state, topo, "kf-core-1") == set()


def test_a_login_to_a_device_is_its_vtysh_and_no_other() -> None:
    """A real process whose command line is ``vtysh ... -N <device>`` (argv[0] set by bash's exec -a)."""
    script = "import time; time.sleep(30)"
    login = f'exec -a /usr/bin/vtysh {sys.executable} -c "{script}" -N {AGG}'
    child = subprocess.Popen(["bash", "-c", login])
    try:
        deadline = time.monotonic() + 5
        while not faults._runs_vtysh_for(child.pid, AGG) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert faults._runs_vtysh_for(child.pid, AGG)
        assert not faults._runs_vtysh_for(child.pid, "kf-agg-qingshuitang")
        assert not faults._runs_vtysh_for(os.getpid(), AGG)  # pytest is no vtysh
    finally:
        child.kill()
        child.wait(timeout=10)
