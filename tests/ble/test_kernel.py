"""CVE-2020-24490: the OS stack (bleak/BlueZ) is refused on a kernel without the fix, with the
reason and the way out; the operator's override (flag or config key) is honoured; bumble is
never refused. The kernel release is faked through the seam (``release``, or the module's
``kernel_release``), and the real ``uname -r`` path is checked on this machine too."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli import app, sweep_plan
from scanner.cli.ble_cmd import ble_options, kernel_vouched
from scanner.config import load_config
from scanner.errors import InputError
from scanner.models import SkipReason
from scanner.probes.ble import kernel
from scanner.probes.ble.backends import BleakBackend, BleUnavailable, BumbleBackend, choose_backend
from scanner.probes.ble.doctor import kernel_check, run_checks
from scanner.probes.ble.probe import BleOptions
from tests.ble.conftest import scan_ble
from tests.ble.test_bleak_backend import FakeBleakScanner

runner = CliRunner()
AFFECTED = "5.4.0-37-generic"  # Ubuntu 20.04's kernel in the fix's own oops report


@pytest.mark.parametrize(
    ("release", "refused"),
    [
        ("4.14.200", False),  # no extended advertising reports yet
        ("4.18.20", False),
        ("4.19.0", True),
        ("4.19.136", True),
        ("4.19.137", False),
        ("4.20.17", True),  # end of life before the fix
        ("5.3.18-lp152.19-default", True),
        (AFFECTED, True),
        ("5.4.56", False),
        ("5.6.19", True),
        ("5.7.12-arch1-1", True),
        ("5.7.13", False),
        ("5.8.0", False),
        ("5.10.0-8-amd64", False),
        ("6.18.44-fc-v1272", False),
        ("not-a-release", True),  # unreadable: refused, the operator may vouch
    ],
)
def test_affected_kernels_by_version(release: str, refused: bool) -> None:
    assert kernel.affected(release) is refused
    assert (kernel.problem(release) is not None) is refused


def test_the_os_stack_refuses_an_affected_kernel_with_the_reason_and_the_override() -> None:
    backend = BleakBackend(FakeBleakScanner, release=lambda: AFFECTED, platform="linux")
    problem = backend.unavailable()
    assert isinstance(problem, BleUnavailable)
    assert problem.reason is SkipReason.DISABLED
    assert "CVE-2020-24490" in problem.detail and AFFECTED in problem.detail
    assert "--ble-kernel-ok" in problem.fix and "--ble-backend bumble" in problem.fix
    vouched = BleakBackend(FakeBleakScanner, kernel_ok=True, release=lambda: AFFECTED)
    assert vouched.unavailable() is None
    elsewhere = BleakBackend(FakeBleakScanner, release=lambda: AFFECTED, platform="darwin")
    assert elsewhere.unavailable() is None  # the bug is Linux's


def test_a_sweep_on_an_affected_kernel_records_why_and_never_starts_the_scan() -> None:
    FakeBleakScanner.made = []
    backend = BleakBackend(FakeBleakScanner, release=lambda: AFFECTED, platform="linux")
    out = scan_ble(BleOptions(backend="bleak", duration=0.2), backend)
    [entry] = out.skipped
    assert (entry.probe, entry.reason) == ("ble", SkipReason.DISABLED)
    assert "CVE-2020-24490" in entry.detail and "--ble-kernel-ok" in entry.detail
    assert FakeBleakScanner.made == []  # nothing was asked of the stack
    assert out.observations == []


def test_bumble_is_never_refused_for_the_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kernel, "kernel_release", lambda: AFFECTED)
    chosen = choose_backend("auto", "tcp-client:127.0.0.1:9")
    assert isinstance(chosen, BumbleBackend) and chosen.unavailable() is None


def test_the_override_comes_from_the_flag_or_the_config_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BIOSWEEP_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert kernel_vouched(True) is True
    assert kernel_vouched(False) is False or Path("/etc/biosweep/biosweep.toml").is_file()
    (tmp_path / "biosweep.toml").write_text("[sweep]\nble_kernel_ok = true\n")
    assert kernel_vouched(False) is True  # ble locate, doctor
    s = sweep_plan.settings(load_config(None), ble_kernel_ok=None)
    assert s.ble_kernel_ok is True  # sweep: the key, unless the flag says otherwise
    assert sweep_plan.settings(load_config(None), ble_kernel_ok=False).ble_kernel_ok is False
    assert ble_options("bleak", None, 1.0, False, None, s.ble_kernel_ok).kernel_ok is True
    (tmp_path / "biosweep.toml").write_text('[sweep]\nble_kernel_ok = "yes"\n')
    with pytest.raises(InputError, match=r"sweep\.ble_kernel_ok"):
        kernel_vouched(False)


def test_doctor_names_the_kernel_problem_and_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kernel, "kernel_release", lambda: AFFECTED)
    monkeypatch.delenv("BIOSWEEP_CONFIG", raising=False)
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    if sys.platform.startswith("linux"):
        assert f"FAIL kernel: Linux {AFFECTED} may have CVE-2020-24490" in result.output
        assert "--ble-kernel-ok" in result.output
        vouched = runner.invoke(app, ["doctor", "--ble-kernel-ok"])
        assert "ok   kernel: " in vouched.output and "vouched for" in vouched.output


def test_the_kernel_check_through_the_seam() -> None:
    bad = kernel_check(lambda: AFFECTED, "linux")
    assert not bad.ok and bad.fix == kernel.OVERRIDE_FIX
    assert kernel_check(lambda: "5.15.0-91-generic", "linux").ok
    assert kernel_check(lambda: AFFECTED, "linux", kernel_ok=True).ok
    checks = {c.name: c for c in run_checks(release=lambda: AFFECTED)}
    assert not checks["kernel"].ok


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uname's release is Linux's")
def test_the_real_uname_path() -> None:
    """This machine's own release, read for real, gives the verdict its version implies."""
    release = os.uname().release
    assert kernel.kernel_release() == release
    assert re.match(r"^\d+\.\d+", release)
    check = kernel_check()
    assert check.ok is (not kernel.affected(release))
    assert release[:60] in check.detail
