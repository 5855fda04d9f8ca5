"""What the lab twin cannot show: the production inputs its configs drop, per device."""

from __future__ import annotations

from govnet.credentials import Credentials
from govnet.deploy.intended import intended_configs
from govnet.deploy.twin_gaps import not_modelled, twin_gaps
from govnet.model import Network

AGG, CORE = "kf-agg-xinhe", "kf-core-1"


def test_twin_gaps_compares_the_production_render_with_the_twins(network: Network) -> None:
    names = [AGG, CORE]
    lab = intended_configs(network, names, lab=True, credentials=Credentials())
    gaps = twin_gaps(network, names, lab, Credentials())
    production = intended_configs(network, names, lab=False, credentials=Credentials())
    assert gaps == not_modelled(production, lab)
    assert "NTP" in gaps.features and set(gaps.features["NTP"]) == {AGG, CORE}
    assert gaps.secrets and all(name.startswith("GOVNET_") for name in gaps.secrets)
    # the twin's own configs carry nothing to miss: comparing production with itself finds no gap
    assert twin_gaps(network, names, production, Credentials()).empty
