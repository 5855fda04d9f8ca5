"""The platform spec as code: rules as data (``govnet/data/spec/rules.yaml``), engine and reporters."""

from govnet.spec.engine import (
    CheckReport,
    Finding,
    IntendedConfig,
    Location,
    RuleResult,
    intended_from_rendered,
    read_configs,
    run_checks,
)
from govnet.spec.rules import Rule, RuleSet, SpecError, load_rules

__all__ = [
    "CheckReport",
    "Finding",
    "IntendedConfig",
    "Location",
    "Rule",
    "RuleResult",
    "RuleSet",
    "SpecError",
    "intended_from_rendered",
    "load_rules",
    "read_configs",
    "run_checks",
]
