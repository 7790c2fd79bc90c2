"""Coverage-guided fuzzing of one parser with atheris (not run by the test suite).

    .venv/bin/python bench/fuzz/fuzz_parsers.py NAME [libFuzzer options]

NAME is one of the parsers in tests/hardening/test_parser_properties.py (http, rtsp, xml, sadp,
dhip, hid, zk, anviz, snmp, x509, arp, ipv6-echo). Any exception other than ParseError is a
crash that atheris reports with the input that caused it.
"""

from __future__ import annotations

import contextlib
import sys

from scanner.errors import ParseError


def main() -> None:
    import atheris  # optional: pip install atheris

    sys.path.insert(0, ".")
    from tests.hardening.test_parser_properties import PARSERS

    name = sys.argv.pop(1) if len(sys.argv) > 1 else "http"
    parser = PARSERS[name]

    def one(data: bytes) -> None:
        with contextlib.suppress(ParseError):
            parser(data)

    atheris.Setup(sys.argv, one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
