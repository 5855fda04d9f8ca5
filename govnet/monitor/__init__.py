"""The monitor stage: an SNMP poller over what the model says matters, health against intent,
and a Prometheus exporter over the last completed poll cycle.

Entry points: :func:`govnet.monitor.plan.build_plan`, :class:`govnet.monitor.poller.Poller`,
:func:`govnet.monitor.exporter.serve`, :func:`govnet.monitor.service.run_monitor`.
"""
