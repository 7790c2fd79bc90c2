"""One pairing rule: ``sweep --previous`` (new and gone findings) and ``history diff`` / the
watch alerts (devices added and removed) agree on which device is which across runs."""

from __future__ import annotations

import datetime as dt

import pytest

from scanner.compare import compare, facts
from scanner.compare.diff import diff_runs
from scanner.compare.pairing import pair
from scanner.identify import identify
from scanner.models import FindingKind, Observation, ScanRun
from tests.compare.test_compare import SCOPE, camera, face_terminal, registry

DAY = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)


def run(run_id: str, *groups: list[Observation]) -> ScanRun:
    devices = tuple(identify([o for g in groups for o in g]))
    return ScanRun(run_id, DAY, None, "0", "0", scope=SCOPE, devices=devices)


CASES = {
    # the face terminal first seen by TCP only (no MAC), then with its MAC from ARP
    "gains-a-mac": (
        [camera(), face_terminal()],
        [camera(), [Observation("mac:c0:56:e3:5a:d0:51", "ip.address", "10.0.0.51", "arp"),
                    *face_terminal()]],
    ),
    # another camera (other MAC and serial) now answers at the registered camera's address
    "swapped-at-one-address": (
        [camera()],
        [camera(mac="44:19:b6:5a:c0:99", serial="OTHER-SERIAL", model="DS-2CD2386G2-IU")],
    ),
    # the registered camera moved to another address: the same device
    "moved": ([camera()], [camera(ip="10.0.0.99")]),
    "one-gone-one-new": ([camera(), face_terminal()], [camera(), face_terminal("10.0.0.52")]),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_compare_and_history_diff_agree_on_what_is_new_and_gone(case: str) -> None:
    old, new = CASES[case]
    before, after = run("run-a", *old), run("run-b", *new)
    findings = compare(after.devices, registry(), previous=before, scope=SCOPE)
    diff = diff_runs(before, after)
    new_ids = {f.device_id for f in findings if f.kind is FindingKind.NEW_SINCE_LAST_RUN}
    gone_ids = {f.device_id for f in findings if f.kind is FindingKind.GONE_SINCE_LAST_RUN}
    assert new_ids == {d.id for d in diff.devices_added if d.is_collector}
    assert gone_ids == {d.id for d in diff.devices_removed if d.is_collector}


def test_the_rule_itself() -> None:
    cases = {name: (run("a", *old), run("b", *new)) for name, (old, new) in CASES.items()}

    def outcome(name: str) -> tuple[int, int, int]:
        a, b = cases[name]
        p = pair([facts(d) for d in a.devices], [facts(d) for d in b.devices])
        return len(p.pairs), len(p.added), len(p.removed)

    assert outcome("gains-a-mac") == (2, 0, 0)  # IP pairs a device with no strong id
    assert outcome("swapped-at-one-address") == (0, 1, 1)  # two MACs: two devices
    assert outcome("moved") == (1, 0, 0)
    assert outcome("one-gone-one-new") == (1, 1, 1)
