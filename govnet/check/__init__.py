"""The platform spec as code: rules as data (``govnet/data/spec/rules.yaml``), engine and reporters."""

from govnet.check.context import (
    CheckReport,
    Finding,
    IntendedConfig,
    Location,
    RuleResult,
    intended_from_rendered,
)
from govnet.check.engine import read_configs, run_checks
from govnet.check.rules import Rule, RuleSet, SpecError, load_rules

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
