"""Read YAML keeping the line of every node, so errors can name the line at fault."""

from dataclasses import dataclass
from typing import Any

import yaml


@dataclass
class YamlDocument:
    data: Any
    root: yaml.Node | None


class YamlSyntaxError(ValueError):
    def __init__(self, line: int | None, message: str):
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line


def parse_yaml(text: str) -> YamlDocument:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise YamlSyntaxError(line, f"YAML syntax error: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(None, f"YAML error: {exc}") from exc
    return YamlDocument(data=data, root=root)


def line_of(root: yaml.Node | None, loc: tuple) -> int | None:
    """1-based line of the deepest node reachable along `loc` (keys and list indexes)."""
    node, line = root, (root.start_mark.line + 1 if root is not None else None)
    for step in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == step), None)
            if match is None:
                break
            key_node = next(k for k, v in node.value if v is match)
            node, line = match, key_node.start_mark.line + 1
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value)
        ):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line


def format_loc(loc: tuple) -> str:
    out = ""
    for step in loc:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out
