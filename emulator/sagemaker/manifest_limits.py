"""Ground Truth's limits on one line of an input manifest; a job whose manifest breaks one fails.

AWS: Amazon SageMaker Developer Guide, "Input manifest files",
https://docs.aws.amazon.com/sagemaker/latest/dg/sms-input-data-input-manifest.html: "Each JSON object in the
manifest file can be no larger than 100,000 characters. No single attribute within an object can be larger
than 20,000 characters. Attribute names can't begin with $ (dollar sign)."

Assumption: the page does not say how characters are counted. The object is the line as written (its
characters, not its bytes, without the line break); an attribute is its key and value as they stand in the
line, written compactly (``"key":value``, a string's quotes and escapes included, unicode as itself).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

MAX_OBJECT_CHARACTERS = 100_000
MAX_ATTRIBUTE_CHARACTERS = 20_000


def _attribute_characters(key: str, value: Any) -> int:
    return len(json.dumps({key: value}, ensure_ascii=False, separators=(",", ":"))) - 2


def problem(raw: str, line: Mapping[str, Any]) -> str | None:
    """Why Ground Truth refuses the manifest line ``raw`` (parsed: ``line``), or None."""
    if len(raw) > MAX_OBJECT_CHARACTERS:
        return f"is {len(raw)} characters long; a JSON object can be no larger than {MAX_OBJECT_CHARACTERS}"
    for key, value in line.items():
        if key.startswith("$"):
            return f'has the attribute name "{key}"; attribute names can\'t begin with $'
        size = _attribute_characters(key, value)
        if size > MAX_ATTRIBUTE_CHARACTERS:
            return (
                f'has the attribute "{key}" of {size} characters; no single attribute can be larger than '
                f"{MAX_ATTRIBUTE_CHARACTERS}"
            )
    return None
