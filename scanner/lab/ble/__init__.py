"""The lab's virtual BLE site: bumble advertisers on a virtual link, over TCP for biosweep.

``python -m scanner.lab.ble [--scenario site|hostile]`` (or ``biosweep ble lab``) starts the
air (:mod:`.air`) with the advertisers of :mod:`.catalogue` and prints one JSON line: the
``transport`` to pass to ``--ble-transport`` (bumble backend), the ``control`` address
(:mod:`.control`: change an advertiser's TX power or distance) and the advertisers with their
ground truth. It runs until interrupted (SIGINT/SIGTERM).
"""
