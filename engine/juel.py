"""Translate the Camunda JUEL subset (``${...}``/``#{...}``) into the Python AST that
engine.expressions checks and interprets.

A real tokenizer (string literals are single tokens, so ``'a && b'`` stays a string) feeds a Pratt
parser with EL precedence: unary ! - empty > * / % > + - > < > <= >= > == != > && > || > ?:.
Comparisons are left-associative as in EL (``a == b == c`` is ``(a == b) == c``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from engine.expression_runtime import MAX_DEPTH, ExpressionError, UnsafeExpression

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<num>\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?)
    |(?P<name>[^\W\d]\w*)
    |(?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    |(?P<op>&&|\|\||==|!=|<=|>=|[-+*/%!<>?:()\[\],.{}$#])""",
    re.VERBOSE | re.DOTALL,
)
_WORD_OPS = {"and": "&&", "or": "||", "not": "!", "eq": "==", "ne": "!=", "lt": "<", "gt": ">",
             "le": "<=", "ge": ">=", "div": "/", "mod": "%", "empty": "empty"}
_LITERALS = {"true": True, "false": False, "null": None}
_BINARY: dict[str, tuple[int, ast.cmpop | ast.operator]] = {
    "==": (40, ast.Eq()), "!=": (40, ast.NotEq()),
    "<": (50, ast.Lt()), ">": (50, ast.Gt()), "<=": (50, ast.LtE()), ">=": (50, ast.GtE()),
    "+": (60, ast.Add()), "-": (60, ast.Sub()),
    "*": (70, ast.Mult()), "/": (70, ast.Div()), "%": (70, ast.Mod()),
}
_LOGICAL = {"||": (20, ast.Or), "&&": (30, ast.And)}
_TERNARY, _PREFIX, _POSTFIX = 10, 80, 90


@dataclass(frozen=True)
class _Tok:
    kind: str  # num, name, str, lit, op, end
    value: str | int | float | bool | None
    pos: int


def _unescape(literal: str) -> str:
    return re.sub(r"\\(['\"\\])", r"\1", literal[1:-1])


def _tokenize(body: str, offset: int) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(body):
        match = _TOKEN.match(body, pos)
        if match is None:
            quote = body[pos] in "'\""
            what = "unterminated string literal" if quote else f"unexpected character {body[pos]!r}"
            raise ExpressionError(f"syntax error: {what} at position {pos + offset}")
        kind, text = match.lastgroup, match.group()
        assert kind is not None  # every alternative of _TOKEN is a named group
        tokens.append(_classify(kind, text, pos + offset))
        pos = match.end()
    tokens = [t for t in tokens if t.kind != "ws"]
    tokens.append(_Tok("end", None, len(body) + offset))
    return tokens


def _classify(kind: str, text: str, pos: int) -> _Tok:
    if kind == "num":
        return _Tok("num", float(text) if any(c in text for c in ".eE") else int(text), pos)
    if kind == "str":
        return _Tok("str", _unescape(text), pos)
    if kind == "name" and text in _LITERALS:
        return _Tok("lit", _LITERALS[text], pos)
    if kind == "name" and text in _WORD_OPS:
        return _Tok("op", _WORD_OPS[text], pos)
    if kind == "name" and text == "instanceof":
        raise UnsafeExpression("instanceof is not allowed")
    return _Tok(kind, text, pos)


def _name(ident: str) -> ast.Name:
    return ast.Name(id=ident, ctx=ast.Load())


class _Parser:
    """Pratt parser over the token list; the depth counter keeps recursion bounded."""

    def __init__(self, tokens: list[_Tok]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    def peek(self) -> _Tok:
        return self.tokens[self.index]

    def next(self) -> _Tok:
        tok = self.tokens[self.index]
        self.index += 1
        return tok

    def expect(self, op: str) -> None:
        tok = self.next()
        if tok.kind != "op" or tok.value != op:
            raise ExpressionError(f"syntax error: expected {op!r} at position {tok.pos}, found {_show(tok)}")

    def expr(self, rbp: int = 0) -> ast.expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise UnsafeExpression(f"expression is nested too deeply (more than {MAX_DEPTH} levels)")
        left = self.prefix(self.next())
        while _binding_power(self.peek()) > rbp:
            left = self.infix(self.next(), left)
        self.depth -= 1
        return left

    def prefix(self, tok: _Tok) -> ast.expr:
        if tok.kind in ("num", "str", "lit"):
            return ast.Constant(value=tok.value)
        if tok.kind == "name":
            return _name(str(tok.value))
        if tok.kind == "op" and tok.value == "(":
            inner = self.expr(0)
            self.expect(")")
            return inner
        if tok.kind == "op" and tok.value in ("!", "-"):
            op = ast.Not() if tok.value == "!" else ast.USub()
            return ast.UnaryOp(op=op, operand=self.expr(_PREFIX))
        if tok.kind == "op" and tok.value == "empty":
            return ast.Call(func=_name("empty"), args=[self.expr(_PREFIX)], keywords=[])
        raise ExpressionError(f"syntax error: unexpected {_show(tok)} at position {tok.pos}")

    def infix(self, tok: _Tok, left: ast.expr) -> ast.expr:
        op = str(tok.value)
        if op in _LOGICAL:
            return self.logical(op, left)
        if op in _BINARY:
            bp, node_op = _BINARY[op]
            right = self.expr(bp)
            if isinstance(node_op, ast.cmpop):  # comparisons: left-associative, never Python-style chained
                return ast.Compare(left=left, ops=[node_op], comparators=[right])
            return ast.BinOp(left=left, op=node_op, right=right)
        if op == "?":
            body = self.expr(0)
            self.expect(":")
            return ast.IfExp(test=left, body=body, orelse=self.expr(_TERNARY - 1))
        if op == "[":
            key = self.expr(0)
            self.expect("]")
            return ast.Subscript(value=left, slice=key, ctx=ast.Load())
        if op == "(":
            return self.call(left)
        return self.attribute()

    def logical(self, op: str, left: ast.expr) -> ast.expr:
        bp, op_class = _LOGICAL[op]
        right = self.expr(bp)
        if isinstance(left, ast.BoolOp) and isinstance(left.op, op_class):
            left.values.append(right)  # flatten a && b && c so long chains stay shallow
            return left
        return ast.BoolOp(op=op_class(), values=[left, right])

    def call(self, func: ast.expr) -> ast.expr:
        if not isinstance(func, ast.Name):
            raise UnsafeExpression("only the allowed functions may be called, by their bare name")
        args: list[ast.expr] = []
        if not self.at(")"):
            args.append(self.expr(0))
            while self.at(","):
                self.next()
                args.append(self.expr(0))
        self.expect(")")
        return ast.Call(func=func, args=args, keywords=[])

    def attribute(self) -> ast.expr:
        member = self.peek()
        shown = member.value if member.kind == "name" else "…"
        raise UnsafeExpression(f"attribute access is not allowed (.{shown}); use x['key'] for a map entry")

    def at(self, op: str) -> bool:
        tok = self.peek()
        return tok.kind == "op" and tok.value == op


def _binding_power(tok: _Tok) -> int:
    if tok.kind != "op":
        return 0
    op = str(tok.value)
    if op in _LOGICAL:
        return _LOGICAL[op][0]
    if op in _BINARY:
        return _BINARY[op][0]
    return {"?": _TERNARY, "[": _POSTFIX, "(": _POSTFIX, ".": _POSTFIX}.get(op, 0)


def _show(tok: _Tok) -> str:
    return "end of expression" if tok.kind == "end" else repr(tok.value)


def parse_juel(text: str) -> ast.Expression:
    """Parse a whole ``${...}`` or ``#{...}`` text into a Python ``ast.Expression``."""
    parser = _Parser(_tokenize(text[2:], offset=2))
    body = parser.expr(0)
    parser.expect("}")
    rest = parser.next()
    if rest.kind != "end":
        raise ExpressionError(f"syntax error: text after the closing brace at position {rest.pos} "
                              "(composite ${a}${b} expressions are not supported)")
    return ast.Expression(body=body)
