"""Restricted evaluator for the expressions in BPMN models (gateway conditions, timers).

Nothing here calls eval/exec.  Python-style text is parsed with ``ast.parse(mode="eval")``;
Camunda JUEL text (``${...}``/``#{...}``) is tokenized and parsed into the same Python AST by
engine.juel.  Every node is checked against a whitelist below, then the interpreter in
engine.expression_runtime walks the tree, so only the operations in docs/dialect.md can ever run.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.expression_runtime import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NODES,
    ExpressionError,
    UnsafeExpression,
    interpret,
)
from engine.juel import parse_juel

__all__ = [
    "CompiledExpression", "ExpressionError", "UnsafeExpression", "check", "check_timer",
    "compile_expression", "evaluate", "is_juel", "timer_value",
]


# --- compile-time whitelist -----------------------------------------------------------------

_ALLOWED = (
    ast.Expression, ast.Constant, ast.Name, ast.Load, ast.Tuple, ast.List, ast.Set, ast.Dict,
    ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod,
    ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot,
    ast.IfExp, ast.Subscript, ast.Slice, ast.Call,
)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_REFUSED: dict[type, str] = {
    ast.Lambda: "lambda is not allowed (a model cannot define functions)",
    **dict.fromkeys(_COMPREHENSIONS, "comprehensions are not allowed (loops could run unbounded)"),
    ast.JoinedStr: "f-strings are not allowed (they can run code); use str() and +",
    ast.Starred: "starred arguments (*x) are not allowed",
    ast.NamedExpr: "assignment expressions (:=) are not allowed (expressions cannot change data)",
    ast.Pow: "the ** operator is not allowed (it can build numbers that exhaust memory)",
}
_CONSTANT_TYPES = (str, int, float, bool, type(None))


def _refuse(node: ast.AST) -> None:
    """Raise UnsafeExpression if this single node is not allowed."""
    if isinstance(node, ast.Attribute):
        raise UnsafeExpression(f"attribute access is not allowed (.{node.attr})")
    if type(node) in _REFUSED:
        raise UnsafeExpression(_REFUSED[type(node)])
    if not isinstance(node, _ALLOWED):
        raise UnsafeExpression(f"{type(node).__name__} is not allowed in an expression")
    if isinstance(node, ast.Name) and node.id.startswith("__"):
        raise UnsafeExpression(f"name {node.id!r} is not allowed (dunder names are reserved)")
    if isinstance(node, ast.Constant) and not isinstance(node.value, _CONSTANT_TYPES):
        raise UnsafeExpression(f"{type(node.value).__name__} literals are not allowed")
    if isinstance(node, ast.Call):
        _refuse_call(node)
    if isinstance(node, ast.Compare):
        _refuse_is(node)
    if isinstance(node, ast.Dict) and None in node.keys:
        raise UnsafeExpression("dict unpacking (**d) is not allowed")


def _refuse_call(node: ast.Call) -> None:
    if node.keywords:
        raise UnsafeExpression("keyword arguments are not allowed in function calls")
    func = node.func
    if isinstance(func, ast.Name):
        if func.id not in FUNCTIONS:
            allowed = ", ".join(sorted(FUNCTIONS))
            raise UnsafeExpression(f"calling {func.id!r} is not allowed (allowed functions: {allowed})")
    elif not isinstance(func, ast.Attribute | ast.Lambda):  # those get their own, clearer refusal
        raise UnsafeExpression("only the allowed functions may be called, by their bare name")


def _refuse_is(node: ast.Compare) -> None:
    for op, right in zip(node.ops, node.comparators, strict=True):
        is_none = isinstance(right, ast.Constant) and right.value is None
        if isinstance(op, ast.Is | ast.IsNot) and not is_none:
            raise UnsafeExpression("'is' may only compare with None (use == otherwise)")


def _check_tree(tree: ast.AST) -> frozenset[str]:
    """Check every node, iteratively so that deep trees cannot overflow the stack; return free names."""
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    names: set[str] = set()
    called: set[int] = set()
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise UnsafeExpression(f"expression is nested too deeply (more than {MAX_DEPTH} levels)")
        if count > MAX_NODES:
            raise UnsafeExpression(f"expression is too large (more than {MAX_NODES} parts)")
        _refuse(node)
        if isinstance(node, ast.Call):
            called.add(id(node.func))
        elif isinstance(node, ast.Name) and id(node) not in called:
            names.add(node.id)
        stack.extend((child, depth + 1) for child in reversed(list(ast.iter_child_nodes(node))))
    return frozenset(names)

@dataclass(frozen=True)
class CompiledExpression:
    """A checked expression that can be evaluated many times."""

    text: str
    names: frozenset[str]
    juel: bool
    tree: ast.Expression = field(repr=False, compare=False)

    def evaluate(self, data: Mapping[str, Any]) -> Any:
        """Evaluate against the task data; raises ExpressionError on any failure."""
        try:
            return interpret(self.tree, data, juel=self.juel)
        except ExpressionError as err:
            err.expression = self.text
            raise
        except Exception as err:  # TypeError, ZeroDivisionError, ValueError, OverflowError, ...
            raise ExpressionError(f"{type(err).__name__}: {err}", self.text) from err


def is_juel(text: str) -> bool:
    """True if the whole text is a Camunda ``${...}`` or ``#{...}`` expression."""
    return text.strip().startswith(("${", "#{"))


def _parse(text: str) -> ast.Expression:
    if is_juel(text):
        return parse_juel(text.strip())
    try:
        return ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        if "too many nested" in err.msg:  # CPython's tokenizer stops at 200 open brackets
            raise UnsafeExpression(f"expression is nested too deeply ({err.msg})") from None
        raise ExpressionError(f"syntax error: {err.msg}") from None
    except ValueError as err:  # e.g. a NUL byte in the text
        raise ExpressionError(f"syntax error: {err}") from None
    except (RecursionError, MemoryError):
        raise UnsafeExpression("expression is too complex to parse") from None


@functools.lru_cache(maxsize=2048)
def _compile(text: str) -> CompiledExpression:
    tree = _parse(text)
    names = _check_tree(tree)
    return CompiledExpression(text=text, names=names, juel=is_juel(text), tree=tree)


def compile_expression(text: str) -> CompiledExpression:
    """Parse and check an expression once (cached); raises UnsafeExpression or ExpressionError."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("expression is empty", str(text or ""))
    if len(text) > MAX_LENGTH:
        raise UnsafeExpression(f"expression is too long ({len(text)} characters; the limit is {MAX_LENGTH})",
                               text[:80] + "…")
    try:
        return _compile(text)
    except ExpressionError as err:
        err.expression = text
        raise


def evaluate(text: str, data: Mapping[str, Any]) -> Any:
    """Compile (cached) and evaluate an expression against the data."""
    return compile_expression(text).evaluate(data)


def check(text: str) -> str | None:
    """Return why the expression would be refused at compile time, or None if it is acceptable."""
    try:
        compile_expression(text)
    except ExpressionError as err:
        return err.message
    return None


# --- timers ---------------------------------------------------------------------------------

_NUM = r"\d+(?:[.,]\d+)?"
_DURATION = re.compile(rf"P(?=\d|T\d)(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}W)?(?:{_NUM}D)?"
                       rf"(?:T(?=\d)(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?")
_QUOTED = re.compile(r"""(['"])([^'"]*)\1""")
# 5 to 7 fields of digits, * ? / , - # L W or three-letter month/day names (Quartz and Unix cron)
_CRON = re.compile(r"(?:[\d*?/,#LW-]|[A-Z]{3})+(?:\s+(?:[\d*?/,#LW-]|[A-Z]{3})+){4,6}")


def _is_datetime(text: str) -> bool:
    try:  # the date part is required: fromisoformat alone would also take a bare "20260301"
        return bool(re.match(r"\d{4}-\d{2}-\d{2}", text)) and bool(datetime.fromisoformat(text))
    except ValueError:
        return False


def _is_iso_timer(text: str) -> bool:
    """An ISO 8601 duration, repeating interval (R[n]/start-or-duration[/end-or-duration]) or date-time."""
    if text.startswith("R"):
        head, _, rest = text.partition("/")
        parts = rest.split("/")
        return (head[1:].isdigit() or head == "R") and 1 <= len(parts) <= 2 and all(map(_is_iso_timer, parts))
    return bool(_DURATION.fullmatch(text)) or _is_datetime(text)


def _literal_timer(text: str) -> str | None:
    """The ISO text of a bare or quoted timer literal, or None if the text is an expression."""
    stripped = text.strip()
    quoted = _QUOTED.fullmatch(stripped)
    inner = quoted.group(2).strip() if quoted else stripped
    if _CRON.fullmatch(inner) and not _is_iso_timer(inner):
        raise UnsafeExpression("cron timer expressions are not supported", text)
    return inner if _is_iso_timer(inner) else None


def timer_value(text: str, data: Mapping[str, Any]) -> str:
    """Return the ISO 8601 text of a timer: a bare/quoted literal, or an expression evaluating to one."""
    literal = _literal_timer(text or "")
    if literal is not None:
        return literal
    value = evaluate(text, data)
    if isinstance(value, datetime):
        return value.isoformat()
    literal = _literal_timer(value) if isinstance(value, str) else None
    if literal is None:
        raise ExpressionError(f"timer value {value!r} is not an ISO 8601 duration, repeat or date-time", text)
    return literal


def check_timer(text: str) -> str | None:
    """Return why a timer text would be refused at compile time, or None if it is acceptable."""
    try:
        if _literal_timer(text or "") is not None:
            return None
    except ExpressionError as err:
        return err.message
    return check(text)
