"""The newer emulators log what they receive and refuse what a read-only scanner must never do.

SMB2 ([MS-SMB2] §2.2.5 ``SESSION_SETUP`` carries authentication), HID discoveryd (only
``discover;`` is answered: msf ``hid_discoveryd.rb``), Suprema (no public format: bytes are
logged, nothing is answered) and TLS (RFC 8446 §5.1: a peer that is not TLS, or fails the
handshake, is logged as ``malformed``). All on 127.0.0.1, no root needed.
"""

from __future__ import annotations

import asyncio
import struct
from pathlib import Path

from scanner.lab import certs
from scanner.lab.catalogue import CATALOGUE, resolve
from scanner.lab.emulators import (
    EventLog,
    LogEvent,
    datagram_emulator_for,
    emulator_for,
    read_events,
)
from scanner.lab.emulators.hid import HidSpec
from scanner.lab.emulators.http import HttpSpec
from scanner.lab.emulators.smb import SmbSpec
from scanner.lab.emulators.suprema import SupremaSpec, SupremaUdpSpec
from tests.lab.wire import observe, silence, smb1_negotiate, smb2_negotiate, smb_exchange


def _tcp(tmp_path: Path, spec: object, talk: object) -> list[LogEvent]:
    """Serve ``spec`` on 127.0.0.1, run ``talk(port)``, return the log."""
    path = tmp_path / "dev.jsonl"

    async def main() -> None:
        log = EventLog(path)
        server = await asyncio.start_server(
            emulator_for(spec, "dev", log).handle,  # type: ignore[arg-type]
            "127.0.0.1",
            0,
        )
        try:
            await talk(server.sockets[0].getsockname()[1])  # type: ignore[operator]
            await asyncio.sleep(0.1)
        finally:
            server.close()
            log.close()

    asyncio.run(main())
    return read_events(path)


def test_smb_session_setup_is_logged_as_a_credential_and_never_answered(tmp_path: Path) -> None:
    setup = bytearray(smb2_negotiate([0x0202], message_id=8))
    struct.pack_into("<H", setup, 4 + 12, 1)  # Command = SESSION_SETUP (§2.2.1.2)

    async def talk(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(smb2_negotiate([0x0202, 0x0210]))
        top = await reader.readexactly(4)
        await reader.readexactly(int.from_bytes(top[1:], "big"))
        writer.write(bytes(setup))
        assert await asyncio.wait_for(reader.read(), 5) == b""  # closed, unanswered
        writer.close()

    events = _tcp(tmp_path, SmbSpec(port=445), talk)
    assert [(e.method, e.authorization) for e in events] == [
        ("SMB2 NEGOTIATE", False),
        ("SMB2 SESSION_SETUP", True),
    ]
    assert events[0].detail == "0x0202, 0x0210"


def test_smb_client_with_only_smb1_dialects_gets_nothing(tmp_path: Path) -> None:
    async def talk(port: int) -> None:
        assert await silence(port, smb1_negotiate(["NT LM 0.12"])) == b""

    events = _tcp(tmp_path, SmbSpec(port=445), talk)
    assert [(e.method, e.detail) for e in events] == [("SMB1 NEGOTIATE", "NT LM 0.12")]


def test_smb_answers_the_highest_common_dialect(tmp_path: Path) -> None:
    async def talk(port: int) -> None:
        reply = await smb_exchange(port, smb2_negotiate([0x0202, 0x0210], message_id=9))
        assert struct.unpack_from("<H", reply, 4 + 64 + 4)[0] == 0x0210

    _tcp(tmp_path, SmbSpec(port=445), talk)


def test_suprema_ports_log_bytes_and_answer_nothing(tmp_path: Path) -> None:
    specs = (SupremaSpec(port=51211), SupremaUdpSpec(port=51210))
    served = observe(specs, tmp_path / "dev.jsonl")
    kinds = sorted((e.proto, e.kind, e.size) for e in served.events())
    assert kinds == [("suprema", "bytes", 6), ("suprema_udp", "bytes", 6)]


def test_hid_answers_discover_only_and_logs_the_rest(tmp_path: Path) -> None:
    spec = HidSpec(port=4070, mac="00:06:8e:5a:d0:56", name="door", model="EH400",
                   version="3.5.1.1483", date="07/02/2015")  # fmt: skip
    served = observe((spec,), tmp_path / "dev.jsonl")

    log = EventLog(tmp_path / "b.jsonl")
    emulator = datagram_emulator_for(spec, "door", log)
    # a command that would change the device (blink its LEDs) is never answered
    assert emulator.received(b"command_blink_on;042;", ("127.0.0.1", 9), "127.0.0.1") is None
    log.close()
    assert [e.kind for e in read_events(tmp_path / "b.jsonl")] == ["malformed"]
    assert [e.kind for e in served.events()] == ["request"]
    assert served.seen[("hid", 4070, "model")] == "EH400"


def test_tls_port_logs_a_failed_handshake(tmp_path: Path) -> None:
    model = CATALOGUE["axis_camera"]
    specs = certs.materialise(resolve(model, "cam", "ac:cc:8e:00:00:01", {}), tmp_path, "cam")
    [secure] = [s for s in specs if isinstance(s, HttpSpec) and s.tls_cert]
    # a TLS handshake record whose body is not a ClientHello (RFC 8446 §4: type 1 expected)
    bogus = b"\x16\x03\x01\x00\x05\x02\x00\x00\x01\x00"

    async def talk(port: int) -> None:
        await silence(port, bogus)

    events = _tcp(tmp_path, secure, talk)
    assert [e.kind for e in events] == ["malformed"]
    assert events[0].detail.startswith("TLS handshake failed")
