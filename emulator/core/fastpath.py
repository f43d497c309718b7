"""Cheaper hot paths of moto's server, with the same answers: what a concurrent client needs from it.

Profiling the server under the Feature Store benchmark (a PutRecord plus a conditional UpdateItem per
item, thousands of items) showed most of its CPU going to work that is the same on every request:

- Routing: for every request, moto's ``DomainDispatcherApplication`` lists its own package directory
  (``os.listdir`` and an ``isdir`` per entry) and then tries its ~250 host patterns, all under one
  global lock. :class:`FastDispatcherApplication` remembers the backend each host name resolved to.
  Hosts that resolve to nothing are not remembered, so moto still answers (and warns about) them
  exactly as before. The memo is dropped when an extension adds a host pattern.
- DynamoDB update expressions: moto tokenizes and parses the same ``UpdateExpression`` string twice
  per UpdateItem (once to check the names and values used, once to apply it). The parse result is
  kept per expression string (:func:`install`); it is safe to share because moto only reads that tree
  and validates a deep copy of it.
- DynamoDB responses: for every attribute value of every item returned (a BatchGetItem of 100 ledger
  rows holds over a thousand), moto's serializer looks each of the ten members of ``AttributeValue``
  (S, N, B, SS, ...) up under all its aliases, although the value is a dict holding exactly one of them.
  :class:`DynamoDBJSONSerializer` serializes the members such a dict holds, in the model's order, and
  leaves every other value to moto.
- DynamoDB's AST walk: each of the ten validators of an update rebuilds its node-type dispatch table
  for every node it visits. The faster walk looks the table up once per validator and skips the
  per-child hook where the validator does not define one; it visits the same nodes in the same order
  and replaces them the same way.

Nothing here changes what moto returns (``tests/emulator/test_fastpath.py`` compares every fast path
with moto's own result, errors included).
"""

from __future__ import annotations

import functools
from typing import Any

from moto.core import serialize
from moto.dynamodb.parsing import ast_nodes as _ast_nodes
from moto.dynamodb.parsing import expressions as _expressions
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

# moto marks these modules "type: ignore", so they are typed as Any here.
ast_nodes: Any = _ast_nodes
expressions: Any = _expressions

EXPRESSION_CACHE_SIZE = 1024

_ORIGINAL_MAKE = expressions.UpdateExpressionParser.__dict__["make"]  # the classmethod itself
_ORIGINAL_TRAVERSE = ast_nodes.DepthFirstTraverser.traverse_node_recursively
_BASE_CHILD_HOOK = ast_nodes.DepthFirstTraverser.pre_processing_of_child


class FastDispatcherApplication(DomainDispatcherApplication):
    """moto's host-name dispatcher, remembering which backend each host name resolved to."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._backends: dict[str | None, Any] = {}
        self._patterns_seen = len(self.backend_url_patterns)

    def get_backend_for_host(self, host: str | None) -> Any:
        if len(self.backend_url_patterns) != self._patterns_seen:
            # An extension added a host pattern: a remembered answer may no longer be the first match.
            self._backends.clear()
            self._patterns_seen = len(self.backend_url_patterns)
        backend = self._backends.get(host)
        if backend is None:
            backend = super().get_backend_for_host(host)
            if backend:
                self._backends[host] = backend
        return backend


class DynamoDBJSONSerializer(serialize.JSONSerializer):
    """moto's JSON serializer, with a direct path for attribute values given as plain dicts."""

    def _serialize_type_structure(self, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if not (shape.name == "AttributeValue" and self._plain_dict_members(value, shape)):
            super()._serialize_type_structure(serialized, value, shape, key)
            return
        wrapper = self.MAP_TYPE() if key else serialized
        for member_key, member_shape in shape.members.items():
            member_shape.parent = shape  # as moto's structure serializer leaves the shared shapes
            member_value = value.get(member_key)
            if member_value is not None:
                self._serialize(wrapper, member_value, member_shape, member_key)
        if key:
            self._default_serialize(serialized, wrapper, shape, key)

    def _plain_dict_members(self, value: Any, shape: Any) -> bool:
        """True when moto's picker would find each member under its own name and nothing else.

        That holds for a dict whose keys are all member names (no alias of one AttributeValue member
        is another member's name) read by moto's default picker without response transformers.
        """
        picker = self._value_picker
        return (
            type(value) is dict
            and value.keys() <= shape.members.keys()
            and type(picker) is serialize.XFormedAttributePicker
            and picker.alias_providers is serialize.DEFAULT_ALIAS_PROVIDERS
            and not picker.response_transformers
        )


@functools.lru_cache(maxsize=EXPRESSION_CACHE_SIZE)
def _parsed_update_expression(expression: str) -> Any:
    return _ORIGINAL_MAKE.__func__(expressions.UpdateExpressionParser, expression)


def _make(_cls: type, expression_str: str) -> Any:
    return _parsed_update_expression(expression_str)


def _processors(traverser: Any) -> tuple[tuple[type, Any], ...]:
    """The traverser's node-type dispatch, built once per traverser instead of once per node."""
    table: tuple[tuple[type, Any], ...] | None = traverser.__dict__.get("_emulator_processors")
    if table is None:
        table = tuple(traverser._processing_map().items())
        traverser.__dict__["_emulator_processors"] = table
    return table


# Which entry of a traverser class's dispatch table handles a node class (-1: none); moto builds the
# same table for every instance of a traverser class, so the answer is per class.
_DISPATCH: dict[tuple[type, type], int] = {}


def _processor_index(traverser: Any, node_type: type) -> int:
    key = (type(traverser), node_type)
    index = _DISPATCH.get(key)
    if index is None:
        index = next(
            (n for n, (handled, _) in enumerate(_processors(traverser)) if issubclass(node_type, handled)),
            -1,
        )
        _DISPATCH[key] = index
    return index


def _traverse_node_recursively(self: Any, node: Any, child_id: int = -1) -> Any:
    """``DepthFirstTraverser.traverse_node_recursively`` with its dispatch decided once per node class."""
    if not isinstance(node, ast_nodes.Node):
        return node
    parent_node = node.parent
    if node.children is not None:
        child_hook = type(self).pre_processing_of_child is not _BASE_CHILD_HOOK
        for index, child_node in enumerate(node.children):
            if child_hook:
                self.pre_processing_of_child(node, index)
            _traverse_node_recursively(self, child_node, index)
    index = _processor_index(self, type(node))
    if index >= 0:
        node = _processors(self)[index][1](node)
        node.parent = parent_node
        if parent_node:
            parent_node.children[child_id] = node
    return node


def install() -> None:
    """Use the cached update-expression parse, the faster AST walk and the DynamoDB serializer in this
    process (idempotent)."""
    serialize.SERVICE_SPECIFIC_SERIALIZERS.setdefault("dynamodb", {})["json"] = DynamoDBJSONSerializer
    expressions.UpdateExpressionParser.make = classmethod(_make)
    ast_nodes.DepthFirstTraverser.traverse_node_recursively = _traverse_node_recursively


def uninstall() -> None:
    """moto's own parse, walk and serializer again (for tests comparing the two)."""
    serialize.SERVICE_SPECIFIC_SERIALIZERS.get("dynamodb", {}).pop("json", None)
    expressions.UpdateExpressionParser.make = _ORIGINAL_MAKE
    ast_nodes.DepthFirstTraverser.traverse_node_recursively = _ORIGINAL_TRAVERSE
    _parsed_update_expression.cache_clear()
