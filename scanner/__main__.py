"""``python -m scanner`` runs the biosweep command."""

from scanner.cli import main

main()
