"""The platform spec as code: rules as data (``govnet/data/spec/rules.yaml``), engine and reporters."""

from govnet.check.configfiles import ConfigFolder, StrayFile, read_configs
from govnet.check.context import (
    CheckReport,
    Finding,
    IntendedConfig,
    Location,
    RuleResult,
    intended_from_rendered,
)
from govnet.check.engine import run_checks
from govnet.check.rules import Rule, RuleSet, SpecError, load_rules

__all__ = [
    "CheckReport",
    "ConfigFolder",
    "Finding",
    "IntendedConfig",
    "Location",
    "Rule",
    "RuleResult",
    "RuleSet",
    "SpecError",
    "StrayFile",
    "intended_from_rendered",
    "load_rules",
    "read_configs",
    "run_checks",
]
