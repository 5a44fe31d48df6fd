"""Reading a JSON request body strictly, and saying precisely what is wrong with it.

Malformed JSON is a 400; a body that is not JSON is a 415; then every field is checked and every problem is
named at once in a 422's `errors` list, each with a JSON pointer: fields this endpoint does not know, missing
required fields, values of the wrong type, codes that are not allowed. Query parameters (`limit`, `cursor`,
filters) are checked the same way.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import request

from skillpath.api.problems import ApiRefusal, api_problem

Check = Callable[[Any], Any]
_JSON_TYPES = re.compile(r"^application/([a-z0-9.+-]+\+)?json$")


class FieldError(ValueError):
    """What is wrong with one value, in words the client's developer can act on."""


@dataclass(frozen=True)
class Field:
    check: Check
    required: bool = False


def invalid(errors: list[dict[str, str]], detail: str | None = None) -> ApiRefusal:
    names = ", ".join(error["pointer"] for error in errors)
    return ApiRefusal(
        api_problem("validation-failed", detail or f"These fields are not valid: {names}.", errors=errors)
    )


def _error(pointer: str, detail: str) -> dict[str, str]:
    return {"pointer": pointer, "detail": detail}


def read_json_object() -> dict[str, Any]:
    if not _JSON_TYPES.match(request.mimetype or ""):
        raise ApiRefusal(api_problem("unsupported-media-type", "Send the body as JSON (application/json)."))
    try:
        data = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested past any sense
        raise ApiRefusal(api_problem("malformed-body", "The body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise invalid([_error("", "The body must be a JSON object.")], "The body must be a JSON object.")
    return data


def read_body(fields: Mapping[str, Field]) -> dict[str, Any]:
    """The request's JSON object with every field checked and converted; ApiRefusal naming each bad field."""
    data = read_json_object()
    return check_object(data, fields, "")


def check_object(data: Mapping[str, Any], fields: Mapping[str, Field], prefix: str) -> dict[str, Any]:
    errors = [
        _error(f"{prefix}/{name}", f"Unknown field {name!r}: this endpoint does not read it.")
        for name in data
        if name not in fields
    ]
    values: dict[str, Any] = {}
    for name, spec in fields.items():
        if name not in data:
            if spec.required:
                errors.append(_error(f"{prefix}/{name}", f"{name} is required."))
            continue
        try:
            values[name] = spec.check(data[name])
        except FieldError as error:
            errors.append(_error(f"{prefix}/{name}", str(error)))
        except ApiRefusal as nested:
            errors.extend(_nested_errors(nested))
    if errors:
        raise invalid(errors)
    return values


def _nested_errors(error: ApiRefusal) -> list[dict[str, str]]:
    body = error.response.get_json(silent=True) or {}
    return list(body.get("errors", []))


# --- Checks -----------------------------------------------------------------------------------------------


def text(*, max_length: int, allow_empty: bool = False) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise FieldError(f"Must be a string, not {_kind(value)}.")
        if "\x00" in value:
            raise FieldError("Must not contain a NUL character.")
        if not allow_empty and not value.strip():
            raise FieldError("Must not be empty.")
        if len(value) > max_length:
            raise FieldError(f"Must be {max_length} characters or fewer.")
        return value

    return check


def code(choices: Iterable[str]) -> Check:
    allowed = tuple(choices)

    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise FieldError(f"Must be a string, not {_kind(value)}.")
        if value not in allowed:
            raise FieldError(f"Must be one of: {', '.join(allowed)}.")
        return value

    return check


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise FieldError(f"Must be true or false, not {_kind(value)}.")
    return value


def iso_date(value: Any) -> date:
    if not isinstance(value, str):
        raise FieldError(f"Must be a date as a string (YYYY-MM-DD), not {_kind(value)}.")
    try:
        parsed = date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise FieldError("Must be a real date in the form YYYY-MM-DD.")
    return parsed


def nullable(inner: Check) -> Check:
    def check(value: Any) -> Any:
        return None if value is None else inner(value)

    return check


def array(inner: Check, *, max_items: int, min_items: int = 0) -> Check:
    def check(value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise FieldError(f"Must be an array, not {_kind(value)}.")
        if not min_items <= len(value) <= max_items:
            raise FieldError(f"Must have from {min_items} to {max_items} items.")
        result = []
        for index, item in enumerate(value):
            try:
                result.append(inner(item))
            except FieldError as error:
                raise FieldError(f"Item {index}: {error}") from error
        return result

    return check


def integer(*, minimum: int, maximum: int) -> Check:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise FieldError(f"Must be a whole number, not {_kind(value)}.")
        if not minimum <= value <= maximum:
            raise FieldError(f"Must be from {minimum} to {maximum}.")
        return value

    return check


def json_object(fields: Mapping[str, Field]) -> Check:
    def check(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise FieldError(f"Must be an object, not {_kind(value)}.")
        try:
            return check_object(value, fields, "")
        except ApiRefusal as error:
            details = "; ".join(f"{e['pointer']}: {e['detail']}" for e in _nested_errors(error))
            raise FieldError(details) from error

    return check


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "an array"}.get(
        type(value), "an object"
    )


# --- Query parameters -----------------------------------------------------------------------------------


def query_limit(default: int, maximum: int) -> int:
    raw = request.args.get("limit")
    if raw is None:
        return default
    if not re.fullmatch(r"\d{1,4}", raw) or not 1 <= int(raw) <= maximum:
        raise invalid([_error("/query/limit", f"limit must be a whole number from 1 to {maximum}.")])
    return int(raw)


def header_uuid(name: str) -> uuid.UUID | None:
    raw = request.headers.get(name)
    if raw is None:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise invalid([_error(f"/headers/{name}", f"{name} must be a UUID.")]) from None


def query_uuid(name: str) -> uuid.UUID | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise invalid([_error(f"/query/{name}", f"{name} must be an id (a UUID).")]) from None
