"""Run state: what one ``lab up`` made, written before it makes anything.

Each run has a directory under the runtime dir (``$BIOSWEEP_LAB_DIR``, else ``/run/biosweep-lab``
for root, else ``$XDG_RUNTIME_DIR/biosweep-lab``, else ``/tmp/biosweep-lab-UID``) holding
``state.json``, the device specs, the device processes' stderr and the emulators' event logs.
The state is written *before* the first namespace or process exists and rewritten as they are
made, so ``lab down`` can remove everything of a run that crashed at any point: its
namespaces all start with the run's ``prefix`` and its processes carry ``--run RUN_ID``.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from scanner.lab.errors import LabError

ENV_DIR = "BIOSWEEP_LAB_DIR"
STATE_FILE = "state.json"
STARTING = "starting"
UP = "up"


def runtime_dir() -> Path:
    """Where run directories live (created 0700 on first use)."""
    if os.environ.get(ENV_DIR):
        base = Path(os.environ[ENV_DIR])
    elif os.geteuid() == 0:
        base = Path("/run/biosweep-lab")
    elif os.environ.get("XDG_RUNTIME_DIR"):
        base = Path(os.environ["XDG_RUNTIME_DIR"]) / "biosweep-lab"
    else:
        base = Path(tempfile.gettempdir()) / f"biosweep-lab-{os.geteuid()}"
    try:
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise LabError(f"cannot create the lab runtime dir {base}: {exc.strerror}") from None
    if base.stat().st_uid != os.geteuid():
        raise LabError(f"lab runtime dir {base} belongs to another user")
    return base


@dataclass(frozen=True, slots=True)
class DeviceRecord:
    """One device as brought up: scenario facts plus where it can be reached.

    ``address`` is what a client connects to (the scenario IP in the namespaces backend, a
    127.x.y.z address in the loopback backend); ``netns`` its namespace, if any.
    """

    name: str
    kind: str
    device_class: str
    mac: str
    ip: str
    address: str
    netns: str | None
    registered: bool
    log: str


@dataclass(frozen=True, slots=True)
class RunState:
    """Everything ``lab down`` and ``lab status`` need to know about one run."""

    run_id: str
    prefix: str
    backend: str
    scenario: str
    site: str
    subnet: str
    status: str
    creator_pid: int
    created: float
    scanner_netns: str | None = None
    scanner_address: str = "127.0.0.1"
    loopback_base: int | None = None
    namespaces: tuple[str, ...] = ()
    pids: tuple[int, ...] = ()
    devices: tuple[DeviceRecord, ...] = ()
    #: Who brought the run up (:func:`caller_uid`); ``lab down`` removes only the caller's
    #: runs unless ``--all``. None: recorded by a biosweep that did not say (others' runs).
    owner: int | None = None

    @property
    def directory(self) -> Path:
        return runtime_dir() / self.run_id

    def device(self, name: str) -> DeviceRecord:
        for record in self.devices:
            if record.name == name:
                return record
        raise KeyError(name)

    def save(self) -> None:
        """Write ``state.json`` atomically (temp file + rename)."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.directory / STATE_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")
        os.replace(tmp, path)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunState:
        data = dict(data)
        data["devices"] = tuple(DeviceRecord(**d) for d in data["devices"])
        data["namespaces"] = tuple(data["namespaces"])
        data["pids"] = tuple(data["pids"])
        return cls(**data)


def caller_uid() -> int:
    """The user a lab run belongs to: under sudo the user who ran sudo (``SUDO_UID``), so two
    people using sudo on one machine do not remove each other's labs; else the real uid."""
    sudo = os.environ.get("SUDO_UID", "")
    if os.geteuid() == 0 and sudo.isdigit():
        return int(sudo)
    return os.getuid()


def load_runs() -> list[RunState]:
    """Every run recorded in the runtime dir, oldest first; unreadable states are skipped."""
    runs = []
    for path in sorted(runtime_dir().glob(f"*/{STATE_FILE}")):
        try:
            runs.append(RunState.from_json(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, TypeError, KeyError):
            continue
    return sorted(runs, key=lambda r: r.created)
