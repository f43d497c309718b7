"""Request validation driven by botocore's service model, worded the way AWS words it.

AWS checks every member's length, range, enum and pattern constraints server-side and answers
``1 validation error detected: Value 'x' at 'labelingJobName' failed to satisfy constraint: ...``.
botocore only checks required members and minimum lengths client-side, so without this an emulator
would accept names and ARNs that AWS rejects.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any

from botocore.loaders import create_loader
from botocore.model import ListShape, MapShape, ServiceModel, Shape, StructureShape


@functools.cache
def service_model(service_name: str) -> ServiceModel:
    """The botocore model of ``service_name`` (loaded once)."""
    return ServiceModel(create_loader().load_service_model(service_name, "service-2"), service_name)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    # The models carry Java regular expressions; the few using Unicode classes (\p{L}) have no
    # Python equivalent in `re`, and are skipped rather than approximated.
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _member_path(parent: str, name: str) -> str:
    member = name[:1].lower() + name[1:]
    return f"{parent}.{member}" if parent else member


def _render(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_render(item) for item in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _violations(shape: Shape, value: Any, path: str) -> Iterator[str]:
    if value is None:
        return
    metadata = shape.metadata
    if shape.type_name == "string" and isinstance(value, str):
        yield from _string_violations(metadata, value, path)
    elif shape.type_name in ("integer", "long", "float", "double") and isinstance(value, int | float):
        yield from _range_violations(metadata, value, path)
    elif isinstance(shape, StructureShape) and isinstance(value, Mapping):
        for name in shape.required_members:
            if value.get(name) is None:
                yield _message("null", _member_path(path, name), "Member must not be null")
        for name, member_shape in shape.members.items():
            yield from _violations(member_shape, value.get(name), _member_path(path, name))
    elif isinstance(shape, ListShape) and isinstance(value, list):
        yield from _length_violations(metadata, value, path)
        for index, item in enumerate(value, start=1):
            yield from _violations(shape.member, item, f"{path}.{index}.member")
    elif isinstance(shape, MapShape) and isinstance(value, Mapping):
        yield from _length_violations(metadata, value, path)
        for key, item in value.items():
            yield from _violations(shape.key, key, f"{path}.key")
            yield from _violations(shape.value, item, f"{path}.{key}")


def _string_violations(metadata: Mapping[str, Any], value: str, path: str) -> Iterator[str]:
    yield from _length_violations(metadata, value, path)
    if "enum" in metadata and value not in metadata["enum"]:
        allowed = ", ".join(metadata["enum"])
        yield _message(value, path, f"Member must satisfy enum value set: [{allowed}]")
    pattern = metadata.get("pattern")
    compiled = _compiled(pattern) if pattern else None
    if compiled is not None and compiled.fullmatch(value) is None:
        yield _message(value, path, f"Member must satisfy regular expression pattern: {pattern}")


def _range_violations(metadata: Mapping[str, Any], value: float, path: str) -> Iterator[str]:
    if "min" in metadata and value < metadata["min"]:
        yield _message(value, path, f"Member must have value greater than or equal to {metadata['min']}")
    if "max" in metadata and value > metadata["max"]:
        yield _message(value, path, f"Member must have value less than or equal to {metadata['max']}")


def _length_violations(metadata: Mapping[str, Any], value: Any, path: str) -> Iterator[str]:
    if "min" in metadata and len(value) < metadata["min"]:
        yield _message(value, path, f"Member must have length greater than or equal to {metadata['min']}")
    if "max" in metadata and len(value) > metadata["max"]:
        yield _message(value, path, f"Member must have length less than or equal to {metadata['max']}")


def _message(value: Any, path: str, constraint: str) -> str:
    return f"Value '{_render(value)}' at '{path}' failed to satisfy constraint: {constraint}"


def violations(service_name: str, operation: str, params: Mapping[str, Any]) -> list[str]:
    """Every constraint of ``operation``'s input that ``params`` breaks, as AWS phrases each one."""
    input_shape = service_model(service_name).operation_model(operation).input_shape
    if input_shape is None:
        return []
    return list(_violations(input_shape, params, ""))


def summary(problems: list[str]) -> str:
    """AWS's one-line summary of a list of violations."""
    noun = "error" if len(problems) == 1 else "errors"
    return f"{len(problems)} validation {noun} detected: " + "; ".join(problems)
