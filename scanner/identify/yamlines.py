"""Load YAML keeping the line of every mapping and list item, and refusing duplicate keys.

Signature errors must name the file and line (like a compiler), and YAML's default loader both
forgets lines and silently keeps the last of two equal keys; this loader does neither. It also
refuses nesting deeper than :data:`~scanner.inputs.MAX_DEPTH` before constructing anything.
"""

from __future__ import annotations

from typing import Any

import yaml

from scanner.inputs import MAX_DEPTH, yaml_too_deep


class LineDict(dict[str, Any]):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list[Any]):
    """A sequence that remembers the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


class LineError(yaml.YAMLError):
    """A problem at one line (1-based) that YAML itself does not call an error."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class DuplicateKeyError(LineError):
    def __init__(self, key: str, line: int) -> None:
        super().__init__(f"duplicate key {key!r}", line)
        self.key = key


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, libyaml's where PyYAML has it (the database parses in a tenth of
    the time: it loads while a sweep runs, see ``bench/README.md``)."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key = str(key)
        if key in result:
            raise DuplicateKeyError(key, key_node.start_mark.line + 1)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _string(loader: _Loader, node: yaml.ScalarNode) -> str:
    # Keep every scalar that is not a number or boolean as written: `0x0e25` must stay text.
    return str(loader.construct_scalar(node))


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _string)


def load(text: str) -> Any:
    """Parse one YAML document; raises yaml.YAMLError (with a mark) on bad syntax, and
    :class:`LineError` for a duplicate key or nesting deeper than MAX_DEPTH (the
    constructors recurse)."""
    line = yaml_too_deep(text, _Loader)
    if line is not None:
        raise LineError(f"nested deeper than {MAX_DEPTH} levels", line)
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
