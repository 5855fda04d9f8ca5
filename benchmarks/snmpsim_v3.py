"""Run snmpsim 1.2.2's command responder on pysnmp >= 7.1.26, SNMPv3 included.

Runs inside the simulator's own venv (``benchmarks/snmpsim_agents.py`` builds it), with
snmpsim's own arguments: ``python snmpsim_v3.py --v3-engine-id ... --agent-udpv4-endpoint ...``.

snmpsim 1.2.2 overrides ``handleMgmtOperation`` on its command responders to pick the data file
for a request (context probing: by context engine ID, context name, transport endpoint and source
address) and to skip the VACM check. pysnmp 7.1.26 renamed the hook ``handle_management_operation``
(one argument fewer), so the override is never called and every request is served from the
default context through VACM: agents that differ by endpoint or context lose their own data, and
SNMPv3 goes unanswered wherever the default context holds none. This module puts the override back
under the new name before starting snmpsim as its console script would. (With the one data file
the scale run serves, ``self.snmprec``, the stock responder also answered in a probe on this
machine; the patch keeps snmpsim's documented selection rules whatever the data layout.)
"""

from __future__ import annotations

import sys
from typing import Any

from pysnmp.entity.observer import MetaObserver
from pysnmp.smi import error as smi_error
from snmpsim.commands import responder


def _probing(base: Any) -> Any:
    def handle_management_operation(self: Any, engine: Any, state: Any, context: Any, pdu: Any) -> None:
        try:
            base.handle_management_operation(
                self, engine, state, responder.probe_hash_context(self, engine), pdu
            )
        except responder.NoDataNotification:
            self.release_state_information(state)

    return handle_management_operation


def _no_views(base: Any) -> Any:
    def verify_access(cls: Any, view_type: Any, var_bind: Any, **context: Any) -> Any:
        try:
            return base.verify_access.__func__(cls, view_type, var_bind, **context)
        except smi_error.AuthorizationError:  # snmpsim configures no VACM views: everything is readable
            return None

    return classmethod(verify_access)


def patch() -> None:
    """Put snmpsim's context probing back on the hook pysnmp calls."""
    if not hasattr(MetaObserver, "getExecutionContext"):
        MetaObserver.getExecutionContext = MetaObserver.get_execution_context  # type: ignore[attr-defined]
    for cls in (
        responder.GetCommandResponder,
        responder.SetCommandResponder,
        responder.NextCommandResponder,
        responder.BulkCommandResponder,
    ):
        base = cls.__mro__[1]
        if "handleMgmtOperation" in vars(cls) and "handleMgmtOperation" not in vars(base):
            cls.handle_management_operation = _probing(base)
            cls.verify_access = _no_views(base)


if __name__ == "__main__":
    patch()
    sys.argv[0] = "snmpsim-command-responder"
    sys.exit(responder.main())
