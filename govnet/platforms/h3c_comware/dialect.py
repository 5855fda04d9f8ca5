"""The Comware 7 CLI dialect (S7506X, S6800 ...).

The SSH lines are the ones govnet renders (``templates/h3c_comware/``): ``ssh server enable``,
``ssh user NAME service-type stelnet ...``, a top-level ``local-user NAME class manage`` view,
``line vty 0 63`` with ``authentication-mode scheme`` and ``protocol inbound ssh`` (H3C Comware 7
"Security Configuration Guide", SSH; "Fundamentals Configuration Guide", Login management).
Interfaces switch with ``port link-mode route|bridge`` and take access VLANs with ``port access
vlan``.
"""

from __future__ import annotations

from govnet.platforms.dialects import COMMON_SINGLE_VALUED, Dialect

DIALECT = Dialect(
    single_valued=(*COMMON_SINGLE_VALUED, "port link-mode", "port access vlan"),
    ssh_service=("ssh server enable",),
    vty=("line vty",),
    user_lines=("ssh user", "local-user"),
    accounts=("local-user",),
    # H3C Comware 7 command references (Security, "local-user"/"password"; "hwtacacs scheme"/"key";
    # MPLS "md5-authentication"): a plaintext key is entered with simple (plain for LDP/BGP MD5)
    # and shown in the running configuration as "cipher" followed by the encrypted string.
    printed_secret_forms=(("simple", "cipher"), ("plain", "cipher")),
)
