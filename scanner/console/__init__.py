"""The site console (``biosweep serve``): a server-rendered web application over the store.

It reads and writes the store (runs, the device inventory, finding workflow, registries,
accounts, sessions, the audit log), renders with Jinja2 (autoescaped) and the reporters, and
never sends a packet to a device: sensors sweep and push their runs to ``/api/v1/runs``.
Starlette, uvicorn, argon2-cffi and python-multipart come with ``biosweep[console]``; the rest
of biosweep never imports this package.
"""

from scanner.console.app import create_app
from scanner.console.config import ConsoleConfig

__all__ = ["ConsoleConfig", "create_app"]
