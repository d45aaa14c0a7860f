"""The OpenAPI document (``openapi.json`` beside this module, the API's one description) and
the checks of request bodies against its schemas."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

DOCUMENT = Path(__file__).with_name("openapi.json")
PREFIX = "/kit/api/v1"
"""Where the API lives under the Jupyter server's base URL (the document's server URL)."""


@functools.cache
def document() -> dict[str, Any]:
    """The OpenAPI document."""
    data: dict[str, Any] = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    return data


@functools.cache
def _validator(name: str) -> Any:
    from jsonschema import Draft202012Validator

    schema = {"$ref": f"#/components/schemas/{name}", "components": document()["components"]}
    return Draft202012Validator(schema)


def problem(name: str, data: Any) -> str | None:
    """What is wrong with ``data`` as the document's schema ``name`` (None: nothing), naming
    the field: the first problem found, shortened."""
    errors = sorted(_validator(name).iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    error = errors[0]
    where = ".".join(str(p) for p in error.absolute_path) or "the body"
    message = error.message if len(error.message) <= 200 else error.message[:200] + "..."
    if error.validator == "additionalProperties":
        message = f"unknown field ({message})"
    return f"{where}: {message}"
