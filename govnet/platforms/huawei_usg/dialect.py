"""The USG6000 CLI dialect: VRP5's, with the firewall's administrator account.

The administrator is a ``manager-user NAME`` view inside ``aaa`` and the management interface
answers SSH through ``service-manage ssh permit`` (``templates/huawei_usg/``; USG6000
"Administrator Guide", Configuring an administrator).
"""

from __future__ import annotations

from dataclasses import replace

from govnet.platforms.huawei_vrp.dialect import DIALECT as VRP5

DIALECT = replace(VRP5, accounts=("local-user", "manager-user"))
