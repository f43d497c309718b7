"""SageMaker AddTags/ListTags/DeleteTags for resource types moto's tag lookup does not know.

moto resolves a tagged ARN through a fixed table of its own resource types and answers any other
type with an internal error. Extensions register a resolver per ARN resource type here. AddTags is
also made to replace the value of a key that is already set, as AWS does, instead of adding a
second tag with the same key (which makes Terraform report a tag change on every plan).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.sagemaker.models import SageMakerModelBackend

# resolver(backend, resource id after "<type>/") -> the resource (with a `tags` list) or raises.
Resolver = Callable[[Any, str], Any]

_RESOLVERS: dict[str, Resolver] = {}


def register(resource_type: str, resolver: Resolver) -> None:
    """Resolve ARNs ``arn:...:sagemaker:<region>:<account>:<resource_type>/<id>`` with ``resolver``."""
    _RESOLVERS[resource_type] = resolver


def install() -> None:
    """Route tag operations through the registered resolvers (idempotent)."""
    if getattr(SageMakerModelBackend, "_emulator_tag_resolvers", False):
        return
    original_lookup = SageMakerModelBackend._get_resource_from_arn

    def _get_resource_from_arn(self: Any, arn: str) -> Any:
        resource_type, _, resource_id = arn.split(":", 5)[-1].partition("/")
        resolver = _RESOLVERS.get(resource_type)
        if resolver is not None:
            return resolver(self, resource_id)
        return original_lookup(self, arn)

    def add_tags(self: Any, arn: str, tags: list[dict[str, str]]) -> list[dict[str, str]]:
        resource = self._get_resource_from_arn(arn)
        new_keys = {tag["Key"] for tag in tags}
        kept = [tag for tag in resource.tags or [] if tag["Key"] not in new_keys]
        resource.tags = kept + [dict(tag) for tag in tags]
        return list(resource.tags)

    setattr(SageMakerModelBackend, "_get_resource_from_arn", _get_resource_from_arn)  # noqa: B010
    setattr(SageMakerModelBackend, "add_tags", add_tags)  # noqa: B010
    setattr(SageMakerModelBackend, "_emulator_tag_resolvers", True)  # noqa: B010
