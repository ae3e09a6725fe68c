"""Runtime half of the restricted evaluator: errors, limits, callable functions, interpreter.

engine.expressions parses and checks the text; the tree it hands over contains only whitelisted
nodes, and this interpreter implements each of them by hand (no eval/exec, no getattr on data).
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any, cast

from engine.errors import EngineError

MAX_LENGTH = 2000  # characters of expression text
MAX_DEPTH = 60  # AST levels; also bounds the interpreter's recursion
MAX_NODES = 1000  # AST nodes (operators and contexts included)
MAX_SEQUENCE = 100_000  # longest str/list/tuple that + or * may build
MAX_ROUND_DIGITS = 20  # round(5, -10**7) alone takes seconds


class ExpressionError(EngineError):
    """An expression failed to compile or to evaluate; carries the expression text."""

    def __init__(self, message: str, expression: str = "", name: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.expression = expression
        self.name = name  # the undefined variable, when that is the failure

    def __str__(self) -> str:
        return f"{self.message} (in expression {self.expression!r})" if self.expression else self.message


class UnsafeExpression(ExpressionError):
    """An expression was refused at compile time because it uses a forbidden construct."""


def _text_function(method: Callable[[str], str]) -> Callable[[str], str]:
    def convert(value: str) -> str:
        if not isinstance(value, str):  # only str's own method: no other type's method is reachable
            raise TypeError(f"{method.__name__}() needs a string, not {type(value).__name__}")
        return method(value)

    return convert


def _round(value: Any, ndigits: int | None = None) -> Any:
    if ndigits is None:
        return round(value)
    if not isinstance(ndigits, int) or abs(ndigits) > MAX_ROUND_DIGITS:
        raise ValueError(f"round() digits must be an integer within ±{MAX_ROUND_DIGITS}")
    return round(value, ndigits)


def _empty(value: Any) -> bool:
    """JUEL ``empty``: None, '' or an empty collection."""
    if value is None:
        return True
    return isinstance(value, str | list | tuple | dict | set | frozenset) and len(value) == 0


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len, "str": str, "int": int, "float": float, "bool": bool, "abs": abs,
    "min": min, "max": max, "round": _round, "empty": _empty,
    "lower": _text_function(str.lower), "upper": _text_function(str.upper),
}


def _is_sequence(value: Any) -> bool:
    return isinstance(value, str | list | tuple)


def _checked_size(size: int) -> None:
    if size > MAX_SEQUENCE:
        raise ExpressionError(f"result would be too long ({size} items; the limit is {MAX_SEQUENCE})")


def _add(left: Any, right: Any) -> Any:
    if _is_sequence(left) and _is_sequence(right):
        _checked_size(len(left) + len(right))
    return left + right


def _mul(left: Any, right: Any) -> Any:
    for seq, count in ((left, right), (right, left)):
        if _is_sequence(seq) and isinstance(count, int):
            _checked_size(len(seq) * max(count, 0))
    return left * right


def _mod(left: Any, right: Any) -> Any:
    # 'str' % args is printf formatting: '%*d' % (10**9, 1) would allocate a gigabyte.
    if not isinstance(left, int | float):
        raise ExpressionError("% is only allowed between numbers")
    return left % right


_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: _add, ast.Sub: operator.sub, ast.Mult: _mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: _mod,
}
_CMPOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


class _Interpreter:
    """Walks a checked AST; ``juel`` switches on JUEL's null semantics."""

    def __init__(self, data: Mapping[str, Any], juel: bool) -> None:
        self.data = data
        self.juel = juel

    def run(self, node: ast.AST) -> Any:
        return getattr(self, f"_{type(node).__name__}")(node)

    def _Expression(self, node: ast.Expression) -> Any:
        return self.run(node.body)

    def _Constant(self, node: ast.Constant) -> Any:
        return node.value

    def _Name(self, node: ast.Name) -> Any:
        if node.id in self.data:
            return self.data[node.id]
        if self.juel:  # JUEL: an unknown identifier resolves to null
            return None
        raise ExpressionError(f"name {node.id!r} is not defined", name=node.id)

    def _Tuple(self, node: ast.Tuple) -> tuple:
        return tuple(self.run(e) for e in node.elts)

    def _List(self, node: ast.List) -> list:
        return [self.run(e) for e in node.elts]

    def _Set(self, node: ast.Set) -> set:
        return {self.run(e) for e in node.elts}

    def _Dict(self, node: ast.Dict) -> dict:
        # check() refuses dict unpacking (a None key), so every key is an expression.
        keys = cast(list[ast.expr], node.keys)
        return {self.run(k): self.run(v) for k, v in zip(keys, node.values, strict=True)}

    def _BoolOp(self, node: ast.BoolOp) -> Any:
        is_and = isinstance(node.op, ast.And)
        value = None
        for operand in node.values:
            value = self.run(operand)
            if bool(value) != is_and:  # short-circuit exactly like Python
                break
        return bool(value) if self.juel else value  # EL's && and || always yield a boolean

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.run(node.operand)
        if isinstance(node.op, ast.Not):
            return not value
        return -value if isinstance(node.op, ast.USub) else +value

    def _BinOp(self, node: ast.BinOp) -> Any:
        return _BINOPS[type(node.op)](self.run(node.left), self.run(node.right))

    def _Compare(self, node: ast.Compare) -> Any:
        left = self.run(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.run(comparator)
            if self.juel and isinstance(op, _ORDERING) and (left is None or right is None):
                return False  # EL spec 1.8.1: ordering with null is false
            if not _CMPOPS[type(op)](left, right):
                return False
            left = right
        return True

    def _IfExp(self, node: ast.IfExp) -> Any:
        return self.run(node.body) if self.run(node.test) else self.run(node.orelse)

    def _Subscript(self, node: ast.Subscript) -> Any:
        container = self.run(node.value)
        if not isinstance(container, Mapping | list | tuple | str):
            raise ExpressionError(f"cannot subscript a {type(container).__name__}")
        key = self.run(node.slice)
        try:
            return container[key]
        except (KeyError, IndexError):
            if self.juel:
                return None
            what = "key" if isinstance(container, Mapping) else "index"
            raise ExpressionError(f"{what} {key!r} not found") from None

    def _Slice(self, node: ast.Slice) -> slice:
        parts = (node.lower, node.upper, node.step)
        return slice(*(None if part is None else self.run(part) for part in parts))

    def _Call(self, node: ast.Call) -> Any:
        func = cast(ast.Name, node.func)  # check() admits calls of the allowed functions by bare name only
        return FUNCTIONS[func.id](*(self.run(arg) for arg in node.args))


def interpret(tree: ast.AST, data: Mapping[str, Any], juel: bool = False) -> Any:
    """Evaluate a tree that engine.expressions has already checked against its whitelist."""
    return _Interpreter(data, juel).run(tree)
