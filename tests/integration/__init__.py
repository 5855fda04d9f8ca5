"""Integration tests against the lab twin (need root and the system packages)."""
