"""Output and error handling shared by every command: text or --json, clean errors, exit codes."""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from collections.abc import Callable
from typing import Any

import click

from engine.errors import EngineError, FormInvalid, ModelInvalid
from processes.errors import ConflictError, InvalidInput, NotFound, PermissionDenied, ServiceError

EXIT_CODES = {NotFound: 3, PermissionDenied: 4, ConflictError: 5, InvalidInput: 6, ModelInvalid: 6, FormInvalid: 6}


def _default(value: Any) -> Any:
    # Views are dumped through their schemas (cli/schemas.py) before they get here; what is left is
    # dates in hand-built payloads, and anything else printed as text rather than failing the command.
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def emit(as_json: bool, payload: Any, text: str | Callable[[], str]) -> None:
    """Print `payload` as JSON or `text` for people."""
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=_default))
    else:
        click.echo(text() if callable(text) else text)


def fail(message: str, code: int = 1, details: Any = None, as_json: bool = False) -> None:
    """Print an error to stderr and exit with `code`."""
    if as_json:
        click.echo(json.dumps({"error": message, "details": details}, ensure_ascii=False, default=_default),
                   err=True)
    else:
        click.echo(f"error: {message}", err=True)
        if isinstance(details, dict):
            for key, value in details.items():
                click.echo(f"  {key}: {value}", err=True)
        elif isinstance(details, list):
            for item in details:
                click.echo(f"  - {item}", err=True)
    sys.exit(code)


def handled(func: Callable) -> Callable:
    """Turn the errors a use case raises on purpose into messages and exit codes, never tracebacks."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        as_json = bool(kwargs.get("as_json"))
        try:
            return func(*args, **kwargs)
        except ModelInvalid as exc:
            fail("the BPMN is not valid", 6, [str(p) for p in exc.problems], as_json)
        except FormInvalid as exc:
            fail("the form data is not valid", 6, exc.errors, as_json)
        except InvalidInput as exc:
            fail(str(exc), 6, exc.errors or None, as_json)
        except (ServiceError, EngineError) as exc:
            fail(str(exc), next((c for t, c in EXIT_CODES.items() if isinstance(exc, t)), 1), None, as_json)
        except json.JSONDecodeError as exc:
            fail(f"--data is not valid JSON: {exc}", 6, None, as_json)
        except OSError as exc:
            fail(f"{exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": "), 1, None, as_json)

    return wrapper


def json_option(func: Callable) -> Callable:
    """Add --json to a command."""
    return click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")(func)


def parse_data(text: str | None) -> dict:
    """The --data argument as a JSON object."""
    if not text:
        return {}
    value = json.loads(text)
    if not isinstance(value, dict):
        raise InvalidInput("--data must be a JSON object, e.g. '{\"ket_qua\": \"dat\"}'")
    return value
