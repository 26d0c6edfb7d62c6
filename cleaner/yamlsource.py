"""Read a rule file's YAML safely, keeping each value's line and column.

Rule files are small documents written by people, so we refuse what they never
need and what an attacker would use: anchors and aliases (the "billion laughs"
bomb), tags outside YAML's core schema (``!!python/object``), files over 256 KB.
The composed node tree keeps marks, so every later problem can be located.
"""

from __future__ import annotations

from typing import Any

import yaml

from .errors import Problem

MAX_RULE_FILE_BYTES = 256 * 1024

CORE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}


def _problem(path: str, mark: Any, message: str) -> Problem:
    """Build a Problem from a 0-based YAML mark."""
    if mark is None:
        return Problem(path, 1, 1, message)
    return Problem(path, mark.line + 1, mark.column + 1, message)


def compose(text: str, path: str) -> tuple[yaml.Node | None, list[Problem]]:
    """Compose YAML text into a node tree, or return the problems that stop it."""
    if len(text.encode("utf-8", errors="replace")) > MAX_RULE_FILE_BYTES:
        return None, [Problem(path, 1, 1, f"rule file is larger than {MAX_RULE_FILE_BYTES} bytes")]
    text = text.removeprefix("\ufeff")
    problems: list[Problem] = []
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                problems.append(
                    _problem(
                        path, event.start_mark, "aliases (*name) are not allowed in rule files"
                    )
                )
            elif getattr(event, "anchor", None):
                problems.append(
                    _problem(
                        path, event.start_mark, "anchors (&name) are not allowed in rule files"
                    )
                )
        if problems:
            return None, problems
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{exc.context}: {what}"
        if "\t" in what or "'\\t'" in what:
            what += " (YAML does not allow tabs for indentation)"
        return None, [_problem(path, mark, f"YAML syntax error: {what}")]
    except yaml.YAMLError as exc:
        return None, [Problem(path, 1, 1, f"YAML error: {exc}")]
    if not nodes:
        return None, [Problem(path, 1, 1, "rule file is empty")]
    if len(nodes) > 1:
        return None, [
            _problem(
                path, nodes[1].start_mark, "a rule file holds one YAML document; found a second"
            )
        ]
    node = nodes[0]
    _check_tags(node, path, problems)
    return (None if problems else node), problems


def _check_tags(node: yaml.Node, path: str, problems: list[Problem]) -> None:
    """Reject any tag outside the YAML core schema, anywhere in the tree."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.tag not in CORE_TAGS:
            problems.append(
                _problem(path, n.start_mark, f"tag {n.tag!r} is not allowed in rule files")
            )
            continue
        if isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
        elif isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack.extend((k, v))


def scalar(node: yaml.ScalarNode) -> object:
    """Construct the Python value of a core-schema scalar node."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def type_name(node: yaml.Node) -> str:
    """Name a node's YAML type for error messages."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return {
        "tag:yaml.org,2002:str": "a string",
        "tag:yaml.org,2002:int": "an integer",
        "tag:yaml.org,2002:float": "a number",
        "tag:yaml.org,2002:bool": "a boolean",
        "tag:yaml.org,2002:null": "null",
    }.get(node.tag, node.tag)


def mark_problem(path: str, node: yaml.Node, message: str) -> Problem:
    """Locate a problem at a node's start."""
    return _problem(path, node.start_mark, message)
