"""The VRP5 CLI dialect (S-series, AR), the base of the other Huawei dialects.

The SSH lines are the ones govnet renders (``templates/huawei_vrp/``): ``stelnet server
enable``, ``ssh user NAME ...``, ``aaa`` / `` local-user NAME ...``, ``user-interface vty 0 4``
with ``authentication-mode aaa`` and ``protocol inbound ssh`` (Huawei S-series "Configuration
Guide - Basic Configuration", Configuring the STelnet server).
"""

from __future__ import annotations

from govnet.platforms.dialects import COMMON_SINGLE_VALUED, Dialect

DIALECT = Dialect(
    single_valued=(*COMMON_SINGLE_VALUED, "port default vlan"),
    ssh_service=("stelnet server enable",),
    vty=("user-interface vty",),
    user_lines=("ssh user",),
    accounts=("local-user",),
    mgmt_access=("ip address", "service-manage enable", "service-manage ssh permit"),
)
