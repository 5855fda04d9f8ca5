"""The VRP8 (CloudEngine) CLI dialect: VRP5's, with the CE's SSH service line.

CE prints ``stelnet ipv4 server enable`` (``templates/huawei_vrpv8/``; CloudEngine 12800
"Configuration Guide - Basic Configuration", Configuring the STelnet server); older CE releases
take VRP5's ``stelnet server enable``, kept too.
"""

from __future__ import annotations

from dataclasses import replace

from govnet.platforms.huawei_vrp.dialect import DIALECT as VRP5

DIALECT = replace(VRP5, ssh_service=("stelnet ipv4 server enable", "stelnet server enable"))
