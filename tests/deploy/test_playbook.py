"""Playbooks: the shipped runbooks validate; bad ones fail with file:line and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from govnet.deploy.driver import DeployError
from govnet.deploy.playbook import PlaybookError, load_playbook, onboard_targets
from govnet.model import Network

PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks"


@pytest.mark.parametrize("name", ["provision-district", "backup", "audit"])
def test_shipped_playbooks_validate(name: str) -> None:
    book = load_playbook(PLAYBOOKS / f"{name}.yaml")
    assert book.name == name and book.steps


def test_provision_goes_cores_first_then_the_edge_and_ends_with_an_audit() -> None:
    book = load_playbook(PLAYBOOKS / "provision-district.yaml")
    assert [s.action for s in book.steps] == ["deploy"] * 6 + ["audit"]
    filters = [s.deploy.filter for s in book.steps if s.deploy is not None]
    assert filters == [
        ["role=core"], ["role=aggregation"], ["role=access"],
        ["role=firewall"], ["role=ips,load_balancer,vpn_gateway"], ["role=server"],
    ]
    pairs = [s.deploy for s in book.steps if s.deploy is not None and s.deploy.filter[0] in
             ("role=core", "role=firewall", "role=server")]
    assert [d.batch_size for d in pairs] == [1, 1, 1]  # one member of a redundant pair at a time


def test_onboard_needs_its_site_parameter() -> None:
    with pytest.raises(PlaybookError, match=r"--set site=VALUE"):
        load_playbook(PLAYBOOKS / "onboard-site.yaml")
    book = load_playbook(PLAYBOOKS / "onboard-site.yaml", {"site": "kf-acc-dongfenglu-c02"})
    assert book.steps[0].onboard is not None and book.steps[0].onboard.site == "kf-acc-dongfenglu-c02"
    audit = book.steps[1].audit
    assert audit is not None and audit.changed and audit.filter == []  # what the push changed, and neighbours


def test_unknown_parameter_is_refused() -> None:
    with pytest.raises(PlaybookError, match="unknown parameter"):
        load_playbook(PLAYBOOKS / "backup.yaml", {"bogus": "1"})


def test_errors_name_file_line_and_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\n"
        "steps:\n"
        "  - backup: {}\n"
        "  - deploy:\n"
        "      batch_size: 0\n"
        "  - audit: {}\n"
        "    onboard: {site: x}\n"
        "  - reboot: {}\n"
    )
    with pytest.raises(PlaybookError) as err:
        load_playbook(path)
    text = str(err.value)
    assert f"{path}:5: steps.1.deploy.batch_size: Input should be greater than or equal to 1" in text
    assert f"{path}:6: steps.2: Value error, a step has exactly one of" in text
    assert f"{path}:8: steps.3.reboot: Extra inputs are not permitted" in text


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nsteps:\n  - backup: {repo: [\n")
    with pytest.raises(PlaybookError, match=rf"{path}:\d+: not valid YAML"):
        load_playbook(path)


def test_onboard_targets_are_the_site_and_its_aggregation_node(network: Network) -> None:
    assert onboard_targets(network, "kf-acc-dongfenglu-c01") == ["kf-agg-dongfenglu", "kf-acc-dongfenglu-c01"]
    with pytest.raises(DeployError, match="not an access site"):
        onboard_targets(network, "kf-core-1")
    with pytest.raises(DeployError, match="no device"):
        onboard_targets(network, "kf-acc-nowhere")
