"""The sensor side of a fleet: push finished runs to a console (``--push URL``), keeping each
in a local spool until the console has it, so nothing is lost while the console is away."""

from scanner.sensor.push import Pusher, PushError, PushResult, check_url

__all__ = ["PushError", "PushResult", "Pusher", "check_url"]
