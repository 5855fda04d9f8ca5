"""The lab twin fixture: boot a small twin once per module, always tear it down."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from govnet.lab.credentials import read_credentials
from govnet.lab.down import lab_down
from govnet.lab.up import lab_up

from .lab_helpers import INVENTORY, SMALL_TWIN, Lab, require_lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """The small twin (2 cores, 2 aggregation nodes, 1 access site), booted provisioned.

    `lab down` runs in `finally`, so the twin is removed even when boot or a test fails.
    """
    require_lab()  # in CI (CI=true, root, after make setup) a missing prerequisite fails, never skips
    workdir = tmp_path_factory.mktemp("lab")
    try:
        state = lab_up(INVENTORY, workdir, provisioned=True, devices=SMALL_TWIN, echo=lambda _m: None)
        yield Lab(workdir, state, state.lab_topology(), read_credentials(workdir))
    finally:
        lab_down(workdir, echo=lambda _m: None)
