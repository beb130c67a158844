"""A tiny, safe arithmetic language for the yearly-gain rules of the demo profiles.

A rule such as ``km_gain * days_per_year * cost_per_km`` is parsed with
:mod:`ast` and only numbers, names, ``+ - * /``, parentheses and
``min``/``max`` are accepted: a profile file can never run code.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping

_BINOPS: dict[type, Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
_FUNCS = {"min": min, "max": max}
_SYMBOLS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×", ast.Div: "÷"}
_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2}


class FormulaError(ValueError):
    """A formula that is not allowed or cannot be evaluated (missing name, division by zero)."""

    def __init__(self, message: str, missing: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.missing = missing


def parse(formula: str) -> ast.Expression:
    """Parse and check *formula*; raise FormulaError if it uses anything but arithmetic.

    >>> sorted(names(parse("km_gain * days / 1000")))
    ['days', 'km_gain']
    >>> parse("__import__('os')")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ...
    sandbox.workshop.formula.FormulaError: function not allowed in formula: '__import__'
    """
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"not a valid formula: {formula!r}") from exc
    for node in ast.walk(tree):
        if isinstance(node, (ast.Expression, ast.Load, ast.Name)) or type(node) in _BINOPS:
            continue
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            continue
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            continue
        if isinstance(node, (ast.USub, ast.UAdd)):
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            continue
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id in _FUNCS and not node.keywords:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise FormulaError(f"function not allowed in formula: {name!r}")
        raise FormulaError(f"{type(node).__name__} not allowed in formula: {formula!r}")
    return tree


def names(tree: ast.Expression) -> set[str]:
    """The variable names a parsed formula uses (not the function names)."""
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in calls}


def evaluate(tree: ast.Expression, variables: Mapping[str, float]) -> float:
    """Evaluate a parsed formula.

    >>> evaluate(parse("(a - b) * 2"), {"a": 5, "b": 3})
    4.0
    """
    missing = tuple(sorted(names(tree) - set(variables)))
    if missing:
        raise FormulaError("missing values: " + ", ".join(missing), missing)

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return float(variables[node.id])
        if isinstance(node, ast.UnaryOp):
            value = walk(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp):
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Div) and right == 0:
                raise FormulaError("division by zero")
            return _BINOPS[type(node.op)](left, right)
        if isinstance(node, ast.Call):
            return float(_FUNCS[node.func.id](*(walk(a) for a in node.args)))  # type: ignore[union-attr]
        raise FormulaError(f"unexpected {type(node).__name__}")

    result = walk(tree)
    if not math.isfinite(result):
        raise FormulaError("result is not a finite number")
    return result


def render(tree: ast.Expression, show: Callable[[str], str], show_number: Callable[[float], str]) -> str:
    """Write a formula for people: names replaced by ``show(name)``, × ÷ − signs.

    >>> render(parse("(a - b) * 2"), lambda n: {"a": "5", "b": "3"}[n], lambda x: f"{x:g}")
    '(5 − 3) × 2'
    """

    def walk(node: ast.AST, parent: int = 0, strict: bool = False) -> str:
        # *strict*: right operand of − or ÷, where an equal-precedence child needs parentheses.
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return show_number(float(node.value))
        if isinstance(node, ast.Name):
            return show(node.id)
        if isinstance(node, ast.UnaryOp):
            inner = walk(node.operand, 3)
            return ("−" if isinstance(node.op, ast.USub) else "") + inner
        if isinstance(node, ast.Call):
            return f"{node.func.id}(" + " ; ".join(walk(a) for a in node.args) + ")"  # type: ignore[union-attr]
        if isinstance(node, ast.BinOp):
            level = _PRECEDENCE[type(node.op)]
            strict_right = isinstance(node.op, (ast.Sub, ast.Div))
            text = f"{walk(node.left, level)} {_SYMBOLS[type(node.op)]} {walk(node.right, level, strict_right)}"
            needs = level < parent or (strict and level == parent)
            return f"({text})" if needs else text
        raise FormulaError(f"unexpected {type(node).__name__}")

    return walk(tree)
