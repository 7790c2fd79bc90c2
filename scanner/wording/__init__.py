"""Every word biosweep shows a person, in English and Chinese: a leaf package.

``labels`` names classes, finding kinds, severities and registry values; ``why`` and
``why_zh`` write each finding's sentence from its :class:`~scanner.models.Reason` and details,
from the shared ``phrases``; ``statutes`` (with ``statutes.yaml``) is the one place a law's
wording or article number is typed; ``zhtext`` the Chinese typesetting rules; ``reports`` and
``console`` what only reports and the console say. It imports nothing but
:mod:`scanner.models`, so compare, the store, the reporters, the console and the CLI can all
use it (tests/test_structure.py ranks it with the models).
"""
