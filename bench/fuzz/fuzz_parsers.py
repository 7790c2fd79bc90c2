"""Coverage-guided fuzzing of one parser with atheris (not run by the test suite).

    .venv/bin/python bench/fuzz/fuzz_parsers.py NAME [libFuzzer options]

NAME is one of the parsers in tests/hardening/test_parser_properties.py: http, rtsp, xml, sadp,
dhip, hid, zk, anviz, snmp, x509, arp, ipv6-echo, mdns, ssdp, upnp-description, wsd,
sadp-multicast, dhip-multicast, json, ble-ad, nmap-xml, pcap, ethernet-frame, radiotap-frame, dhcp,
scanrun-json. Any exception other than that parser's family error (``ERRORS`` there) is a crash
that atheris reports with the input that caused it.
"""

from __future__ import annotations

import contextlib
import sys


def main() -> None:
    import atheris  # optional: pip install atheris

    sys.path.insert(0, ".")
    from tests.hardening.test_parser_properties import ERRORS, PARSERS

    name = sys.argv.pop(1) if len(sys.argv) > 1 else "http"
    parser, allowed = PARSERS[name], ERRORS[name]

    def one(data: bytes) -> None:
        with contextlib.suppress(*allowed):
            parser(data)

    atheris.Setup(sys.argv, one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
