"""biosweep: find devices that can collect biometric data, and report unregistered ones."""

__version__ = "0.1.0"
