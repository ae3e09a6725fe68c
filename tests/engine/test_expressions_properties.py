"""Property tests of the evaluator: Python's eval as an oracle on the whitelisted subset, and fuzzing."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.expressions import ExpressionError, evaluate


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab1 ()[]{}'\"$#!&|=<>+-*/%.,:?_eqnotdiv\\", max_size=120))
def test_arbitrary_text_only_ever_raises_expression_error(text):
    with contextlib.suppress(ExpressionError):
        evaluate(text, {"a": 1, "b": "x"})


# --- equivalence with Python on the whitelisted subset (the oracle lives only in this test) ---

INT_NAMES = {"a": 3, "b": -2, "c": 0}
BOOL_NAMES = {"p": True, "q": False}
ORACLE_DATA = {**INT_NAMES, **BOOL_NAMES}
JUEL_WORDS = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge", "%": "mod",
              "and": "and", "or": "or"}
JUEL_SYMBOLS = {"and": "&&", "or": "||"}


def _leaf(values, names):
    literal = values.map(lambda v: ("lit", v))
    return st.one_of(literal, st.sampled_from(sorted(names)).map(lambda n: ("var", n)))


def int_tree(depth: int):
    leaf = _leaf(st.integers(-6, 6), INT_NAMES)
    if depth == 0:
        return leaf
    sub = int_tree(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(st.just("neg"), sub),
        st.tuples(st.just("bin"), st.sampled_from(["+", "-", "*", "%"]), sub, sub),
        st.tuples(st.just("if"), bool_tree(depth - 1), sub, sub),
    )


def bool_tree(depth: int):
    leaf = _leaf(st.booleans(), BOOL_NAMES)
    if depth == 0:
        return leaf
    sub = bool_tree(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(st.just("cmp"), st.sampled_from(["<", "<=", ">", ">=", "==", "!="]),
                  int_tree(depth - 1), int_tree(depth - 1)),
        st.tuples(st.just("not"), sub),
        st.tuples(st.just("bool"), st.sampled_from(["and", "or"]), sub, sub),
    )


def python_text(node) -> str:
    kind = node[0]
    if kind in ("lit", "var"):
        return f"({node[1]!r})" if kind == "lit" else node[1]
    if kind == "neg":
        return f"(-{python_text(node[1])})"
    if kind == "not":
        return f"(not {python_text(node[1])})"
    if kind == "if":
        return f"({python_text(node[2])} if {python_text(node[1])} else {python_text(node[3])})"
    return f"({python_text(node[2])} {node[1]} {python_text(node[3])})"


def juel_text(node, words: bool) -> str:
    kind = node[0]
    if kind == "lit":
        return str(node[1]).lower() if isinstance(node[1], bool) else f"({node[1]})"
    if kind == "var":
        return node[1]
    if kind == "neg":
        return f"(-{juel_text(node[1], words)})"
    if kind == "not":
        return f"({'not ' if words else '!'}{juel_text(node[1], words)})"
    if kind == "if":
        return f"({juel_text(node[1], words)} ? {juel_text(node[2], words)} : {juel_text(node[3], words)})"
    op = JUEL_WORDS.get(node[1], node[1]) if words else JUEL_SYMBOLS.get(node[1], node[1])
    return f"({juel_text(node[2], words)} {op} {juel_text(node[3], words)})"


def python_oracle(text: str):
    try:
        return eval(text, {"__builtins__": {}}, dict(ORACLE_DATA))  # noqa: S307 - test oracle only
    except ZeroDivisionError:
        return ZeroDivisionError


def ours(text: str):
    try:
        return evaluate(text, ORACLE_DATA)
    except ExpressionError as err:
        assert "ZeroDivisionError" in err.message, err
        return ZeroDivisionError


@settings(max_examples=400, deadline=None)
@given(st.one_of(int_tree(4), bool_tree(4)), st.booleans())
def test_same_result_as_python_on_the_whitelisted_subset(tree, words):
    text = python_text(tree)
    expected = python_oracle(text)
    for candidate in (text, "${" + juel_text(tree, words) + "}"):
        result = ours(candidate)
        assert result == expected and type(result) is type(expected), (candidate, result, expected)
