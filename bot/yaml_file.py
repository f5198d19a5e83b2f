"""YAML files as plenary reads them: parsed by libyaml, a key written twice refused, every
problem one `ConfigError` line naming the file and the line."""

from __future__ import annotations

from collections.abc import Hashable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ConfigError

# libyaml's parser, where PyYAML's wheel has it, reads the shipped plan in 2 ms instead of
# 30; the safe constructor and resolver stay PyYAML's, so the values are the same.
YAML_LOADER = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


@cache
def _refusing_duplicate_keys(loader: type[Any]) -> type[Any]:
    """`loader`, but a key written twice in one mapping is an error. PyYAML keeps the last
    of the two without a word, so a plan with two `groups:` silently lost the first list."""
    class StrictLoader(loader):  # type: ignore[misc]
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
            first_line: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # `<<: *defaults` is meant to be overridden
                key = self.construct_object(key_node, deep=True)
                if not isinstance(key, Hashable):
                    continue  # the constructor itself refuses it, with its own words
                if key in first_line:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}, first at line {first_line[key]}",
                        key_node.start_mark)
                first_line[key] = key_node.start_mark.line + 1
            return super().construct_mapping(node, deep)
    return StrictLoader


def read_yaml(path: Path, what: str) -> Any:
    """The document in `path` (`what` names it in errors: "the work plan")."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"),
                         Loader=_refusing_duplicate_keys(YAML_LOADER))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read {what} ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}:{line}: not valid YAML ({getattr(exc, 'problem', exc)})"
                          ) from None
