"""The errors biosweep raises, every one of them (``tests/test_structure.py`` holds this tree
to the code: a new exception class anywhere under ``scanner/`` must be drawn here, under its
parent)::

    Exception
    ├── BiosweepError              root of every error raised on purpose; the CLI prints one line
    │   ├── SignatureError         a signature file is invalid (carries every problem found)
    │   ├── InputError             user input is malformed (files, arguments, observation lines)
    │   │   ├── ConfigError        biosweep.toml is unreadable or invalid (config.problems)
    │   │   ├── RegistryError      the site registry is invalid (registry.model)
    │   │   ├── CaptureError       a pcap block larger than the cap or the file (passive.capture)
    │   │   └── ScenarioError      a lab scenario file is malformed (lab.errors)
    │   ├── ScopeError             a scope was refused (no target, too large, public, bad syntax)
    │   ├── ProbeError             a probe or a source could not finish
    │   │   ├── PartialProbeError  ... after learning something, which is kept (probes.base)
    │   │   ├── TlsHandshakeError  OpenSSL refused a server's handshake (probes.net)
    │   │   └── SourceUnavailable  a whole source could not run: why, as a SkipReason (oserrors)
    │   │       └── BleUnavailable  Bluetooth LE cannot run here, and what would fix it
    │   ├── ParseError             bytes from a device or a file could not be parsed
    │   │   ├── HttpParseError     HTTP/RTSP head or body (probes.httphead)
    │   │   ├── XmlParseError      XML: malformed, too large, DTDs or entities (probes.xmlsafe)
    │   │   ├── NmapParseError     XML that is not nmap's output (importers.nmap)
    │   │   ├── JsonParseError     JSON: malformed, too large or too deep (probes.jsonsafe)
    │   │   ├── TlsRecordError     raw TLS handshake records (probes.tlsraw)
    │   │   ├── SnmpParseError     an SNMP answer (probes.snmp)
    │   │   ├── ZkParseError       a ZKTeco reply on 4370 (probes.zkteco)
    │   │   ├── AnvizParseError    an Anviz answer on 5010 (probes.anviz)
    │   │   ├── DiscoveryParseError  a SADP/DHIP/HID discovery answer (probes.vendor_udp)
    │   │   │   └── NotAnAnswer    well-formed, but another asker's question or method
    │   │   ├── MdnsParseError     an mDNS packet (probes.multicast.mdns)
    │   │   ├── SsdpParseError     an SSDP datagram (probes.multicast.ssdp)
    │   │   ├── WsdParseError      a WS-Discovery datagram (probes.multicast.wsd)
    │   │   └── DnsQueryError      a datagram to port 53 that is no standard query (passive.dns)
    │   ├── NothingSwept           every source of a run failed: no result (probes.sources)
    │   ├── StoreError             the history database cannot be opened, read or written
    │   │   ├── DiskFullError      a write ran out of space; rolled back, history intact
    │   │   ├── NetworkFsError     the database is on a network filesystem (unsafe locking)
    │   │   ├── LockedError        another run of the site holds the site lock
    │   │   └── ForeignStoreError  the file is another application's database (store.identity)
    │   ├── AlertError             a channel could not deliver an alert (alerts.base)
    │   ├── PushError              a push cannot be tried, or the console refused it (sensor.push)
    │   └── LabError               the lab could not be brought up, inspected or torn down
    ├── EarlyStop                  control flow: a host is identified beyond doubt (probes.hostwork)
    ├── MalformedRequest           a lab emulator's peer sent no request head (lab.emulators)
    ├── FormError                  control flow: a console POST without its CSRF token (console.web)
    └── TooLarge                   control flow: an upload over its cap (console.routes_api)
    ValueError
    ├── CodecError                 a dict biosweep wrote itself is not what the codec wrote (codec)
    └── FilterError                libpcap refused a filter expression, a bug (passive.bpf)
    yaml.YAMLError
    └── LineError                  a problem at one line that YAML does not call an error
        └── DuplicateKeyError      a key given twice in one mapping (identify.yamlines)

Third-party and OS errors are translated to these where the library or the system call is
used, and raised ``from`` the original (the pattern of httpx's ``map_httpcore_exceptions``,
``httpx/_transports/default.py``), so the CLI can print one line and choose an exit status
without knowing which library failed, and a logged traceback still shows the cause.
"""

from __future__ import annotations

from dataclasses import dataclass


class BiosweepError(Exception):
    """Root of every error biosweep raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a signature file, located by file and line."""

    file: str
    line: int
    signature: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.signature}: {self.message}"


class SignatureError(BiosweepError):
    """One or more signature files are invalid."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "invalid signatures"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first + more)


class InputError(BiosweepError):
    """User-supplied input is malformed; the message names where."""


class ParseError(BiosweepError):
    """Bytes from a device could not be parsed."""


class ScopeError(BiosweepError):
    """A scope was refused (no target, too large, public without consent, bad syntax)."""


class ProbeError(BiosweepError):
    """A probe could not finish against one service (refused, timed out, cut short)."""
