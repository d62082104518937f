"""No test works out today's date when pytest collects it.

The suite runs for minutes; a date computed at import (a module constant, a
parametrized case) is yesterday's for a test that runs after midnight in Almaty
(19:00 UTC), and a "future" date it was built to refuse is then accepted. CI once
failed exactly so. Dates in parameters are ``tirek.testing.InDays``, resolved when
the test runs.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2]
CLOCK_CALLS = {"today", "localdate", "now", "localtime"}


class _CollectionTimeCalls(ast.NodeVisitor):
    """Calls of the clock outside any function body (decorators and defaults count)."""

    def __init__(self) -> None:
        self.depth = 0
        self.found: list[int] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for expression in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]:
            if expression is not None:
                self.visit(expression)
        self.depth += 1
        for statement in node.body:
            self.visit(statement)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    def visit_Call(self, node: ast.Call) -> None:
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else None
        name = function.id if isinstance(function, ast.Name) else name
        if self.depth == 0 and name in CLOCK_CALLS:
            self.found.append(node.lineno)
        self.generic_visit(node)


def test_no_test_module_reads_the_clock_when_it_is_collected() -> None:
    test_files = [*SRC.rglob("tests/*.py"), *SRC.parent.parent.joinpath("tests").rglob("*.py")]
    assert len(test_files) > 100  # the walk found the suite
    offenders = []
    for path in test_files:
        visitor = _CollectionTimeCalls()
        visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
        offenders += [f"{path.relative_to(SRC.parent.parent)}:{line}" for line in visitor.found]
    assert offenders == []
