"""The lab: an emulated site of devices that behave on the wire as real ones do.

A scenario (``scenarios/*.yaml``, format in ``README.md``) lists devices by catalogue kind
(:mod:`scanner.lab.catalogue`). :mod:`scanner.lab.manager` brings it up on a backend
(:mod:`scanner.lab.backends`: network namespaces as root, 127.x.y.z addresses otherwise), where
device processes (:mod:`scanner.lab.device`) run the protocol emulators
(:mod:`scanner.lab.emulators`) and log everything they receive. The demo, the tests and the
benchmarks sweep it. This package stays importable without YAML or rich being loaded, because
every device process imports it.
"""
