"""Where the history lives, and the refusal of network filesystems (SAFETY-CATALOGUE case 62).

Default path: ``$BIOSWEEP_STORE``, else ``$XDG_DATA_HOME/biosweep/history.sqlite`` (XDG Base
Directory spec), else ``~/.local/share/biosweep/history.sqlite``.

SQLite's WAL mode keeps its index in shared memory next to the database and relies on POSIX
advisory locks; neither works across hosts, and the SQLite documentation says WAL "does not
work over a network filesystem" (https://www.sqlite.org/wal.html, "Disadvantages"; also
https://www.sqlite.org/howtocorrupt.html section 2.1, broken file locking on NFS/SMB). So the
store refuses a path whose filesystem is a network one, found two ways: the mount's type in
``/proc/self/mountinfo`` (proc(5)) and the ``f_type`` magic of statfs(2) (``linux/magic.h``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from pathlib import Path

ENV_STORE = "BIOSWEEP_STORE"
MOUNTINFO = Path("/proc/self/mountinfo")

#: Filesystem types (as mountinfo names them) that are shared over a network.
NETWORK_FSTYPES = frozenset(
    {
        "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "ncpfs", "afs", "coda",
        "ceph", "glusterfs", "lustre", "gpfs", "9p", "davfs", "ocfs2", "gfs2", "orangefs",
        "fuse.sshfs", "fuse.glusterfs", "fuse.s3fs", "fuse.rclone", "fuse.cephfs",
        "fuse.gcsfuse", "fuse.davfs2", "fuse.juicefs",
    }
)  # fmt: skip

#: statfs(2) f_type values of network filesystems (include/uapi/linux/magic.h and fs/*).
NETWORK_MAGIC = {
    0x6969: "nfs",
    0x517B: "smb",
    0xFF534D42: "cifs",
    0xFE534D42: "smb2",
    0x564C: "ncpfs",
    0x5346414F: "afs",
    0x73757245: "coda",
    0x00C36400: "ceph",
    0x01021997: "9p",
    0x0BD00BD0: "lustre",
}


def default_store_path() -> Path:
    """The user's history database (see the module docstring for the order)."""
    if os.environ.get(ENV_STORE):
        return Path(os.environ[ENV_STORE]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "biosweep" / "history.sqlite"


def _unescape(field: str) -> str:
    """mountinfo escapes space, tab, newline and backslash as ``\\ooo`` octal."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and i + 3 < len(field) and field[i + 1 : i + 4].isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def mount_fstype(path: Path, mountinfo: str | None = None) -> str | None:
    """The filesystem type of the mount holding ``path`` (longest mount point that contains
    it), from mountinfo text (read from ``/proc/self/mountinfo`` when not given)."""
    if mountinfo is None:
        try:
            mountinfo = MOUNTINFO.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    target = str(path)
    best: tuple[int, str] | None = None
    for line in mountinfo.splitlines():
        left, sep, right = line.partition(" - ")
        fields = left.split()
        if not sep or len(fields) < 5 or not right.split():
            continue
        point = _unescape(fields[4])
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) >= best[0]):
            best = (len(point), right.split()[0])
    return best[1] if best else None


def statfs_type(path: Path) -> int | None:
    """statfs(2) ``f_type`` of ``path`` (the first field of ``struct statfs``), or None."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name, use_errno=True)
    except OSError:
        return None
    buf = ctypes.create_string_buffer(512)  # larger than struct statfs on every Linux ABI
    if libc.statfs(os.fsencode(str(path)), buf) != 0:
        return None
    return ctypes.c_ulong.from_buffer(buf).value & 0xFFFFFFFF


def network_filesystem(path: Path, mountinfo: str | None = None) -> str | None:
    """The network filesystem type ``path`` lives on, or None for a local one.

    statfs(2) asks about the nearest existing ancestor of ``path``.
    """
    target = path.resolve()  # symlinks followed; a missing tail is kept as written
    fstype = mount_fstype(target, mountinfo)
    if fstype is not None and fstype.lower() in NETWORK_FSTYPES:
        return fstype
    if mountinfo is not None:  # a test names the mounts; do not mix in the real machine's
        return None
    probe = target
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    magic = statfs_type(probe)
    return NETWORK_MAGIC.get(magic) if magic is not None else None
