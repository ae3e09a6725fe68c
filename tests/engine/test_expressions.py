"""The restricted expression evaluator: Python-style and JUEL, security limits, timers."""

from __future__ import annotations

import time

import pytest

from engine.errors import EngineError
from engine.expressions import (
    CompiledExpression,
    ExpressionError,
    UnsafeExpression,
    check,
    check_timer,
    compile_expression,
    evaluate,
    is_juel,
    timer_value,
)

DATA = {
    "approved": True, "rejected": False, "amount": 1500, "kind": "A", "note": "a && b",
    "nothing": None, "empty_text": "", "xs": [1, 2, 3], "d": {"k": "v", "n": 2}, "name": "Nguyễn Văn An",
}


@pytest.mark.parametrize(("text", "expected"), [
    ("approved", True),
    ("not approved", False),
    ("amount > 1000 and kind == 'A'", True),
    ("amount > 1000 and kind == 'B'", False),
    ("kind in ('A', 'B')", True),
    ("kind not in ['A', 'B']", False),
    ("1000 < amount <= 1500", True),
    ("1000 < amount < 1500", False),
    ("nothing is None", True),
    ("nothing is not None", False),
    ("rejected or amount", 1500),
    ("approved and 0", 0),
    ("amount * 2 + 1 - 3", 2998),
    ("amount / 4", 375.0),
    ("amount // 7 % 5", 4),
    ("-amount", -1500),
    ("xs[0] + xs[-1]", 4),
    ("xs[1:]", [2, 3]),
    ("d['k']", "v"),
    ("'big' if amount > 1000 else 'small'", "big"),
    ("len(xs) == 3 and len(name) == 13", True),
    ("str(amount) + 'đ'", "1500đ"),
    ("int('12') + float('0.5')", 12.5),
    ("abs(-3) + min(xs) + max(4, 5)", 9),
    ("round(2.567, 2)", 2.57),
    ("lower(kind) == 'a' and upper('x') == 'X'", True),
    ("bool(empty_text)", False),
    ("{'a': 1}['a'] + len({1, 2}) + len((1,))", 4),
    ("  \n amount > 1 \n", True),
])
def test_python_style(text, expected):
    result = evaluate(text, DATA)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("${approved}", True),
    ("#{!approved}", False),
    ("${amount > 1000 && kind == 'A'}", True),
    ("${amount > 1000 && kind == \"B\"}", False),
    ("${approved || rejected}", True),
    ("${rejected or not approved}", False),
    ("${kind eq 'A' and amount ge 1500 and amount le 1500 and amount gt 1 and amount lt 2000}", True),
    ("${kind ne 'A'}", False),
    ("${nothing == null}", True),
    ("${nothing != null}", False),
    ("${missing == null}", True),  # JUEL: an unknown identifier is null
    ("${!missing}", True),
    ("${empty nothing}", True),
    ("${empty empty_text}", True),
    ("${empty missing}", True),
    ("${empty xs}", False),
    ("${not empty note}", True),
    ("${note == 'a && b'}", True),
    ("${note == \"a && b\" && true}", True),
    ("${'it\\'s' == \"it's\"}", True),
    ("${'}' == '}'}", True),
    ("${amount > 1000 ? 'big' : 'small'}", "big"),
    ("${amount div 4}", 375.0),
    ("${amount mod 7}", 2),
    ("${-amount + 2 * 3}", -1494),
    ("${xs[0] + d['n']}", 3),
    ("${d['missing'] == null && xs[10] == null}", True),
    ("${len(xs) == 3}", True),
    ("${missing > 3}", False),  # EL: ordering with null is false, not an error
    ("${missing < 3}", False),
    ("${true == (1 < 2) == true}", True),  # comparisons are left-associative in EL
    ("${approved && 5}", True),  # EL && and || yield booleans
    ("${null}", None),
    ("${1.5e1 + .5}", 15.5),
])
def test_juel(text, expected):
    result = evaluate(text, DATA)
    assert result == expected and type(result) is type(expected)


def test_juel_chained_equality_is_grouped_left_to_right():
    # Python's chain would read 2 == 2 and 2 == True -> False; EL's (2 == 2) == true -> True.
    assert evaluate("${2 == 2 == true}", {}) is True


def test_is_juel():
    assert is_juel("  ${x}") and is_juel("#{x}")
    assert not is_juel("x == '${y}'")
    assert evaluate("x == '${y}'", {"x": "${y}"}) is True


def test_unknown_name_is_an_error_in_python_style():
    with pytest.raises(ExpressionError, match="name 'amout' is not defined") as info:
        evaluate("amout > 1000", DATA)
    assert info.value.name == "amout"
    assert info.value.expression == "amout > 1000"
    assert "amout > 1000" in str(info.value)
    assert not isinstance(info.value, UnsafeExpression)
    assert isinstance(info.value, EngineError)


@pytest.mark.parametrize(("text", "message"), [
    ("1 / 0", "ZeroDivisionError"),
    ("kind + 1", "TypeError"),
    ("d['nope']", "key 'nope' not found"),
    ("xs[7]", "index 7 not found"),
    ("amount[0]", "cannot subscript a int"),
    ("lower(amount)", "lower() needs a string"),
    ("int('x')", "ValueError"),
    ("min()", "TypeError"),
    ("${missing + 1}", "TypeError"),
])
def test_runtime_failures_are_expression_errors(text, message):
    with pytest.raises(ExpressionError, match=None) as info:
        evaluate(text, DATA)
    assert message in str(info.value)
    assert not isinstance(info.value, UnsafeExpression)


@pytest.mark.parametrize(("text", "message"), [
    ("amount >", "syntax error"),
    ("${amount > }", "syntax error"),
    ("${a &&}", "syntax error"),
    ("${(a}", "expected ')'"),
    ("${'unterminated}", "unterminated string literal"),
    ("${a} and ${b}", "composite"),
    ("${a ~ b}", "unexpected character '~'"),
    ("a\x00", "syntax error"),
    ("", "empty"),
    ("   ", "empty"),
])
def test_syntax_errors_are_readable(text, message):
    with pytest.raises(ExpressionError) as info:
        compile_expression(text)
    assert message in info.value.message


def test_compile_once_and_names():
    compiled = compile_expression("${amount > limit && kind == 'A' && len(xs) > 0}")
    assert isinstance(compiled, CompiledExpression)
    assert compiled.names == frozenset({"amount", "limit", "kind", "xs"})  # len is a function, not a name
    assert compile_expression("${amount > limit && kind == 'A' && len(xs) > 0}") is compiled
    assert compiled.evaluate({"amount": 3, "limit": 2, "kind": "A", "xs": [1]}) is True
    assert compile_expression("a if b else c[d]").names == frozenset("abcd")


# --- security -------------------------------------------------------------------------------

UNSAFE = [
    ("().__class__.__bases__[0].__subclasses__()", "attribute access is not allowed"),
    ("__import__('os').system('id')", "attribute access is not allowed"),
    ("__import__('os')", "calling '__import__' is not allowed"),
    ("x + __import__", "dunder names are reserved"),
    ("open('/etc/passwd').read()", "attribute access is not allowed"),
    ("open('/etc/passwd')", "calling 'open' is not allowed"),
    ("(lambda: 1)()", "lambda is not allowed"),
    ("[x for x in range(10**9)]", "comprehensions are not allowed"),
    ("{x: 1 for x in xs}", "comprehensions are not allowed"),
    ("max(x for x in xs)", "comprehensions are not allowed"),
    ("sum(xs)", "calling 'sum' is not allowed"),
    ("'a' * 10**9", "the ** operator is not allowed"),
    ("getattr(1, 'real')", "calling 'getattr' is not allowed"),
    ("eval('1')", "calling 'eval' is not allowed"),
    ("exec('x=1')", "calling 'exec' is not allowed"),
    ("type(xs)", "calling 'type' is not allowed"),
    ("globals()", "calling 'globals' is not allowed"),
    ("__builtins__", "dunder names are reserved"),
    ("xs.__len__()", "attribute access is not allowed"),
    ("f'{xs}'", "f-strings are not allowed"),
    ("(y := 1)", "assignment expressions"),
    ("len(*xs)", "starred arguments"),
    ("{**d}", "dict unpacking"),
    ("round(amount, ndigits=1)", "keyword arguments are not allowed"),
    ("len(xs)(1)", "only the allowed functions may be called"),
    ("d['f']()", "only the allowed functions may be called"),
    ("b'x'", "bytes literals are not allowed"),
    ("amount is 1", "'is' may only compare with None"),
    ("amount ** 2", "the ** operator is not allowed"),
    ("amount << 2", "LShift is not allowed"),
    ("~amount", "Invert is not allowed"),
    ("${''.getClass()}", "attribute access is not allowed (.getClass)"),
    ("${''.getClass().forName('java.lang.Runtime')}", "attribute access is not allowed"),
    ("${d.k}", "attribute access is not allowed (.k)"),
    ("${exec('x')}", "calling 'exec' is not allowed"),
    ("${xs[0](1)}", "only the allowed functions may be called"),
    ("${x instanceof y}", "instanceof is not allowed"),
    ("${__class__}", "dunder names are reserved"),
    ("(" * 10000 + "1" + ")" * 10000, "expression is too long"),
    ("x" * 2001, "expression is too long"),
    ("-" * 1000 + "1", "nested too deeply"),
    ("not " * 450 + "x", "nested too deeply"),
    ("${" + "(" * 900 + "1" + ")" * 900 + "}", "nested too deeply"),
    ("${" + "!" * 1500 + "x}", "nested too deeply"),
    ("+".join(["1"] * 500), "nested too deeply"),
    ("[" * 300 + "]" * 300, "nested too deeply"),
]


@pytest.mark.parametrize(("text", "message"), UNSAFE)
def test_unsafe_expressions_are_refused_at_compile_time(text, message):
    with pytest.raises(UnsafeExpression) as info:
        compile_expression(text)
    assert message in info.value.message
    assert check(text) == info.value.message


def test_check_accepts_safe_expressions():
    assert check("amount > 1000 and kind == 'A'") is None
    assert check("${empty note || x ne null}") is None
    assert check("undefined_name > 1") is None  # names are only known at run time


@pytest.mark.parametrize(("text", "data"), [
    ("'a' * 1000000000", {}),
    ("s * n", {"s": "a", "n": 10**9}),
    ("n * xs", {"n": 10**9, "xs": [0]}),
    ("s * 200000", {"s": "a"}),  # just over the limit: fails cleanly without the guard too
    ("s + s", {"s": "a" * 60_000}),
    ("'%*d' % (1000000000, 1)", {}),
    ("s % n", {"s": "%*d", "n": (10**9, 1)}),
    ("round(5, -10000000)", {}),
])
def test_resource_abuse_is_bounded(text, data):
    started = time.monotonic()
    with pytest.raises(ExpressionError):
        evaluate(text, data)
    assert time.monotonic() - started < 1


def test_sequences_under_the_limit_still_work():
    assert evaluate("'ab' * 3 + s", {"s": "!"}) == "ababab!"
    assert evaluate("[0] * 3", {}) == [0, 0, 0]
    assert evaluate("7 % 3 + 7.5 % 2", {}) == 2.5


def test_evaluator_does_not_reach_data_object_attributes():
    class Spy:
        touched = False

        def __getattr__(self, item):
            Spy.touched = True
            raise AttributeError(item)

    with pytest.raises(UnsafeExpression):
        evaluate("spy.secret", {"spy": Spy()})
    with pytest.raises(ExpressionError, match="cannot subscript"):
        evaluate("spy['secret']", {"spy": Spy()})
    assert not Spy.touched


# --- timers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("P2D", "P2D"),
    ("PT4H", "PT4H"),
    ("P0.5D", "P0.5D"),
    ("P1Y2M10DT2H30M", "P1Y2M10DT2H30M"),
    ("P2W", "P2W"),
    ('"PT1H"', "PT1H"),
    ("'PT1H'", "PT1H"),
    ("  PT1H \n", "PT1H"),
    ("R3/PT4H", "R3/PT4H"),
    ("R/PT10M", "R/PT10M"),
    ("R2/2026-03-01T08:00:00+07:00/PT1H", "R2/2026-03-01T08:00:00+07:00/PT1H"),
    ("2026-03-01T08:00:00+07:00", "2026-03-01T08:00:00+07:00"),
    ("2026-03-01T08:00:00Z", "2026-03-01T08:00:00Z"),
    ('"2026-03-01"', "2026-03-01"),
    ("limit", "P3D"),
    ("${limit}", "P3D"),
    ("#{urgent ? 'PT4H' : limit}", "PT4H"),
    ("'P' + str(days) + 'D'", "P5D"),
])
def test_timer_value(text, expected):
    assert timer_value(text, {"limit": "P3D", "urgent": True, "days": 5}) == expected
    assert check_timer(text) is None


@pytest.mark.parametrize("text", ["0/5 0/1 * 1/1 * ?", "0 0 12 * * ?", "'0 0 * * MON-FRI'", "*/5 * * * *"])
def test_cron_timers_are_refused(text):
    with pytest.raises(UnsafeExpression, match="cron timer expressions are not supported"):
        timer_value(text, {})
    assert check_timer(text) == "cron timer expressions are not supported"


@pytest.mark.parametrize(("text", "data", "message"), [
    ("limit", {"limit": "tomorrow"}, "is not an ISO 8601"),
    ("limit", {"limit": 3}, "is not an ISO 8601"),
    ("limit", {"limit": "0 0 * * *"}, "cron timer expressions are not supported"),
    ("limit", {}, "name 'limit' is not defined"),
    ("P2X", {}, "name 'P2X' is not defined"),
    ("'2026-13-45'", {}, "is not an ISO 8601"),
])
def test_bad_timer_values(text, data, message):
    with pytest.raises(ExpressionError, match=message):
        timer_value(text, data)


def test_check_timer_refuses_unsafe_expressions():
    assert "attribute access" in check_timer("().__class__")
    assert check_timer("a_variable") is None
