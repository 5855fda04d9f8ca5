"""What the lab twin cannot show: production inputs its configs drop.

The twin runs FRR and nftables; its configs carry routing and filtering but no NTP, AAA, syslog,
SNMP, management ACLs or secrets. A change to those inputs alters production configs while
``govnet diff --lab`` says *unchanged*; :func:`not_modelled` names them, so the diff says so.

Features are found in the rendered production config by the first word of a global command, as
each platform declares them (``Platform.management_features``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from govnet.credentials import SECRET_REF_RE, Credentials
from govnet.deploy.intended import intended_configs
from govnet.model import Network
from govnet.platforms import PLATFORMS
from govnet.render import renders

FEATURES: dict[str, str] = {
    word: feature for platform in PLATFORMS.values() for word, feature in platform.management_features.items()
}
"""First word of a production global command -> the feature the twin's configs lack (every
platform's words: a text is read without knowing its platform)."""


@dataclass(slots=True)
class TwinGaps:
    """Features and secrets of production configs that the twin's configs do not carry."""

    features: dict[str, list[str]] = field(default_factory=dict)
    """Feature -> the devices whose production config has it."""
    secrets: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.features and not self.secrets

    def line(self) -> str:
        """One line for the diff: ``not modelled in the twin: NTP (7 devices), ...``."""
        parts = [f"{name} ({len(devs)} device(s))" for name, devs in sorted(self.features.items())]
        if self.secrets:
            parts.append("secrets " + ", ".join(self.secrets))
        return ("not modelled in the twin (changes to them show only against production): "
                + "; ".join(parts))


def _features(config: str) -> set[str]:
    found = set()
    for line in config.splitlines():
        if not line or line[0] in " #!":
            continue
        word = line.split(None, 1)[0]
        if word in FEATURES:
            found.add(FEATURES[word])
    return found


def not_modelled(production: Mapping[str, str], lab: Mapping[str, str]) -> TwinGaps:
    """Compare each device's production config with its lab config.

    >>> real = ("ntp-service unicast-server 10.1.1.1\\nsysname r1\\nhwtacacs-server template t\\n"
    ...         " shared-key ${secret:GOVNET_HWTACACS_KEY}\\n")
    >>> gaps = not_modelled({"r1": real}, {"r1": "hostname r1\\n"})
    >>> gaps.features, gaps.secrets
    ({'AAA (HWTACACS)': ['r1'], 'NTP': ['r1']}, ['GOVNET_HWTACACS_KEY'])
    """
    gaps = TwinGaps()
    secrets: set[str] = set()
    for name, text in sorted(production.items()):
        twin = lab.get(name, "")
        for feature in sorted(_features(text) - _features(twin)):
            gaps.features.setdefault(feature, []).append(name)
        used = {m["name"] for m in SECRET_REF_RE.finditer(text)}
        secrets |= used - {m["name"] for m in SECRET_REF_RE.finditer(twin)}
    gaps.secrets = sorted(secrets)
    return gaps


def twin_gaps(
    network: Network, names: list[str], lab_configs: Mapping[str, str], credentials: Credentials
) -> TwinGaps:
    """What the twin's configs (``lab_configs``) drop from production's for the devices ``names``
    (those that render a production config)."""
    real = [n for n in names if renders(network, network.devices[n], lab=False)]
    production = intended_configs(network, real, lab=False, credentials=credentials)
    return not_modelled(production, lab_configs)
