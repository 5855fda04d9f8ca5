"""The lab twin: the inventory's topology booted in network namespaces with FRR, snmpd and sshd.

Entry points: `govnet.lab.up.lab_up`, `govnet.lab.down.lab_down`, `govnet.lab.status.lab_status`,
`govnet.lab.faults`, and `govnet.lab.configs.render_lab_config`. See docs/lab.md.
"""
