"""A local AWS for this project: moto's server with extensions, one package per emulated service.

Each module named in :data:`EXTENSIONS` fills one gap in moto and exposes ``install()``, which patches
moto in the current process and does nothing when called again. Importing a module patches nothing.
"""

from __future__ import annotations

import importlib
import os

# Modules under this package, in the order they patch moto (some wrap what an earlier one patched).
EXTENSIONS: tuple[str, ...] = (
    "awslambda.runtime",
    "core.service_access",
    "stepfunctions.responses",
    "cognitoidp.models",
    "s3.notifications",
    "s3.responses",
    "sqs.models",
    "sqs.message_move",
    "s3.url_encoding",
    "core.policy_conditions",
    "wafv2.models",
    "scheduler.models",
    "sagemaker.responses",
    "featurestore_runtime.responses",
    "dynamodb.transactions",
    "cloudwatch.responses",
    "cloudwatch.models",
)


ENDPOINT_VARIABLE = "EMULATOR_ENDPOINT"


def endpoint_url() -> str:
    """The URL on which this emulator process answers (what its Lambda functions use as endpoint)."""
    return os.environ.get(ENDPOINT_VARIABLE) or f"http://127.0.0.1:{os.environ.get('MOTO_PORT', '5000')}"


def patch(owner: object, name: str, replacement: object) -> None:
    """Replace ``owner.name`` (a moto function, method or class attribute) with ``replacement``."""
    setattr(owner, name, replacement)


class ExtensionError(RuntimeError):
    """An extension is missing or failed to install."""


def install_all(names: tuple[str, ...] = EXTENSIONS) -> None:
    """Import every extension and call its ``install()``; raise :class:`ExtensionError` on failure."""
    for name in names:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise ExtensionError(f"extension {name!r} cannot be imported: {error}") from error
            raise ExtensionError(f"extension module {__name__}.{name} is missing") from error
        install = getattr(module, "install", None)
        if not callable(install):
            raise ExtensionError(f"extension {__name__}.{name} has no install() function")
        try:
            install()
        except Exception as error:
            raise ExtensionError(f"extension {name!r} failed to install: {error!r}") from error
