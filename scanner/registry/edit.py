"""Add a device to a deployment in ``site.yaml`` without losing the officer's comments.

A YAML library cannot round-trip comments, so the new device is inserted as text: after the
last line of the deployment's ``devices`` list, at the indentation its items already use (or
replacing an empty ``devices: []``). Every value is written as a double-quoted JSON string,
which is also a valid YAML scalar, so a device-supplied model string cannot inject YAML
structure. The result is validated before it is returned.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from scanner.errors import InputError
from scanner.normalize import clean_text
from scanner.registry.load import parse_registry
from scanner.registry.model import Registry


@dataclass(frozen=True, slots=True)
class NewDevice:
    """A device to register, as it will be written (``None`` fields are left out)."""

    id: str
    mac: str | None = None
    ip: str | None = None
    serial: str | None = None
    uuid: str | None = None
    ble_address: str | None = None
    vendor: str | None = None
    model: str | None = None
    firmware: str | None = None

    def lines(self, indent: int) -> list[str]:
        """The YAML block item, its dash at column ``indent``."""
        pairs = [(k, getattr(self, k)) for k in self.__slots__]
        pairs = [(k, clean_text(str(v), 200)) for k, v in pairs if v]
        pad = " " * indent
        out = []
        for i, (key, value) in enumerate(pairs):
            lead = f"{pad}- " if i == 0 else f"{pad}  "
            out.append(f"{lead}{key}: {json.dumps(value, ensure_ascii=False)}")
        return out


def _last_line(node: Node) -> int:
    """The last line (0-based) holding a scalar of ``node``: where its text really ends."""
    if isinstance(node, ScalarNode):
        return int(node.end_mark.line)
    children: list[Node] = []
    if isinstance(node, SequenceNode):
        children = list(node.value)
    elif isinstance(node, MappingNode):
        children = [n for pair in node.value for n in pair]
    return max((_last_line(c) for c in children), default=int(node.start_mark.line))


def _devices_node(text: str, deployment_id: str) -> tuple[ScalarNode, Node]:
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    assert isinstance(root, MappingNode)
    deployments = next(v for k, v in root.value if k.value == "deployments")
    for item in deployments.value:
        fields = {k.value: (k, v) for k, v in item.value}
        if fields["id"][1].value == deployment_id:
            key, value = fields["devices"]
            return key, value
    raise InputError(f"no deployment {deployment_id!r} in the registry")


def add_device(text: str, deployment_id: str, device: NewDevice) -> tuple[str, Registry]:
    """The registry text with ``device`` appended to ``deployment_id``, and its validation."""
    parse_registry(text)
    key, value = _devices_node(text, deployment_id)
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    if isinstance(value, SequenceNode) and value.value and not value.flow_style:
        first = value.value[0]
        row = lines[first.start_mark.line]
        dash = row.rfind("-", 0, first.start_mark.column)
        at = _last_line(value) + 1
        block = [line + newline for line in device.lines(max(dash, 0))]
        lines[at:at] = block
    elif isinstance(value, SequenceNode) and value.value:
        raise InputError(
            f"the devices of {deployment_id} are a one-line [...] list: write them one per line "
            "(block style) and run again"
        )
    else:
        row = key.start_mark.line
        head = lines[row][: key.end_mark.column] + ":"
        rest = lines[row][key.end_mark.column :].rstrip("\r\n")
        comment = rest[rest.index("#") :] if "#" in rest else ""
        indent = key.start_mark.column + 2
        block = [line + newline for line in device.lines(indent)]
        lines[row : row + 1] = [head + (f"  {comment}" if comment else "") + newline, *block]
    updated = "".join(lines)
    return updated, parse_registry(updated)
