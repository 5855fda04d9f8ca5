"""The NOC's wall: a live district page, device pages and ``/api/state``, served by the exporter.

Read-only, from the last completed cycle. Rendered on the server (HTML + SVG, every inventory
string escaped); one small bundled script (``govnet/data/noc/noc.js``) polls ``/api/live`` and swaps
the live parts in, so the page updates without a reload and works with no internet.

Entry point: :class:`govnet.monitor.web.app.NocSite` (its ``page`` is the exporter's route hook).
"""
