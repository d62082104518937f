"""``tirek.access`` owns every relation between a user and a case (DESIGN.md section 6):
team memberships, referral and interview grants, emergency access, supervision. This test
reads the source of every other app and fails when one of them touches those relations
itself instead of asking ``tirek.access`` (its selectors, services or policy):

- using the relation models' managers or constructors (``CaseTeamMember.objects``,
  ``EmergencyAccess(...)``, ``EmergencyScopeExtension.objects`` ...);
- filtering by a relation in a lookup (``team__user=``, ``case_memberships__...``,
  ``emergency_accesses__...``, ``supervising_unit_id=``, ``case__supervising_unit=`` ...,
  also spelt ``**{f"{prefix}case__supervising_unit_id": ...}``);
- re-deriving "supervisor of this unit" (``user.unit_id == case.supervising_unit_id``, or
  ``has_role(Role.SUPERVISOR) and user.unit_id``) — the bug that let a system
  administrator holding the supervisor role see case numbers on "my work".

Migrations, tests and the test helpers are exempt; so is ``tirek.access`` itself.
The last tests plant each kind of violation in a scratch module and check it is caught.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2]  # src/tirek
RELATION_MODELS = frozenset({"CaseTeamMember", "EmergencyAccess", "EmergencyScopeExtension"})
RELATION_LOOKUPS = frozenset(
    {"team", "case_memberships", "emergency_accesses", "supervising_unit", "supervising_unit_id"}
)
LOOKUP_CALLS = frozenset(
    {"filter", "exclude", "get", "Q", "get_or_create", "update_or_create", "first", "count"}
)
MANAGER_ATTRIBUTES = frozenset({"objects", "_default_manager", "_base_manager"})


def _exempt(path: Path) -> bool:
    rel = path.relative_to(SRC)
    parts = rel.parts
    return (
        parts[0] == "access"
        or "migrations" in parts
        or "tests" in parts
        or rel.name in {"testing.py", "conftest.py"}
    )


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _lookup_is_relational(lookup: str) -> bool:
    return any(part in RELATION_LOOKUPS for part in lookup.split("__"))


def _string_parts(node: ast.AST) -> str:
    """The literal text of a string or f-string key (placeholders dropped)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    return ""


def _mentions(node: ast.AST, attribute: str) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == attribute for n in ast.walk(node))


def _is_supervisor_role_check(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Call)
        and _call_name(n) == "has_role"
        and any(
            (isinstance(a, ast.Attribute) and a.attr == "SUPERVISOR")
            or (isinstance(a, ast.Constant) and a.value == "supervisor")
            for a in n.args
        )
        for n in ast.walk(node)
    )


def violations_in(source: str, name: str) -> list[str]:
    found: list[str] = []
    tree = ast.parse(source, filename=name)
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if (
            isinstance(node, ast.Attribute)
            and node.attr in MANAGER_ATTRIBUTES
            and isinstance(node.value, ast.Name)
            and node.value.id in RELATION_MODELS
        ):
            found.append(f"{where}: {node.value.id}.{node.attr}")
        elif isinstance(node, ast.Call):
            called = _call_name(node)
            if isinstance(node.func, ast.Name) and called in RELATION_MODELS:
                found.append(f"{where}: {called}(...) created outside tirek.access")
            if called in LOOKUP_CALLS:
                for kw in node.keywords:
                    if kw.arg is not None and _lookup_is_relational(kw.arg):
                        found.append(f"{where}: lookup {kw.arg}=")
                    elif kw.arg is None and isinstance(kw.value, ast.Dict):
                        for key in kw.value.keys:
                            text = _string_parts(key) if key is not None else ""
                            if text and _lookup_is_relational(text):
                                found.append(f"{where}: lookup **{{{text!r}}}")
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_mentions(s, "supervising_unit_id") for s in sides) and any(
                _mentions(s, "unit_id") for s in sides
            ):
                found.append(f"{where}: compares a user's unit with the case's unit")
        elif (
            isinstance(node, ast.BoolOp)
            and isinstance(node.op, ast.And)
            and _is_supervisor_role_check(node)
            and _mentions(node, "unit_id")
        ):
            found.append(f"{where}: re-derives 'supervisor of the unit'")
    return found


def project_violations() -> list[str]:
    found: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        if _exempt(path):
            continue
        found += violations_in(path.read_text(encoding="utf-8"), str(path.relative_to(SRC)))
    return found


def test_no_app_outside_access_touches_case_relations() -> None:
    found = project_violations()
    assert found == [], "Ask tirek.access (selectors, services, policy) instead:\n" + "\n".join(
        found
    )


def test_the_scan_reads_the_apps_that_used_to_touch_relations() -> None:
    """Guards the guard: the scan must look at the domain apps, not an empty folder."""
    scanned = {p.relative_to(SRC).parts[0] for p in SRC.rglob("*.py") if not _exempt(p)}
    assert {"cases", "referrals", "interviews", "plans", "privacy", "conferences"} <= scanned
    assert "access" not in scanned


PLANTED = {
    "manager": (
        "from tirek.cases.models import CaseTeamMember\n"
        "def mine(user):\n"
        "    return CaseTeamMember.objects.filter(user=user)\n"
    ),
    "constructor": (
        "from tirek.privacy.models import EmergencyAccess\n"
        "def grant(case, user):\n"
        "    EmergencyAccess(case=case, user=user).save()\n"
    ),
    "team lookup": (
        "def mine(cases, user):\n    return cases.filter(team__user=user, team__removed_at=None)\n"
    ),
    "unit lookup": (
        "def unit(plans, user):\n    return plans.filter(case__supervising_unit_id=user.unit_id)\n"
    ),
    "lookup in Q": "from django.db.models import Q\nq = Q(supervising_unit=1)\n",
    "lookup in a dict": (
        "def unit(rows, user, prefix):\n"
        '    return rows.filter(**{f"{prefix}case__supervising_unit_id": user.unit_id})\n'
    ),
    "membership through the user": (
        "def staff(users, cases):\n    return users.filter(case_memberships__case__in=cases)\n"
    ),
    "emergency through the case": (
        "def opened(cases, user):\n    return cases.exclude(emergency_accesses__user=user)\n"
    ),
    "supervisor re-derived": (
        "def panel(user):\n"
        "    if user.has_role(Role.SUPERVISOR) and user.unit_id:\n"
        "        return 1\n"
    ),
    "unit compared": (
        "def supervises(user, case):\n    return user.unit_id == case.supervising_unit_id\n"
    ),
}


@pytest.mark.parametrize("kind", list(PLANTED))
def test_it_catches_a_planted_violation(kind: str) -> None:
    assert violations_in(PLANTED[kind], f"planted/{kind}.py"), kind


def test_it_catches_a_violation_planted_in_a_real_app_file(tmp_path: Path) -> None:
    """The whole scan, over a copy of the project with one bad line added to plans."""
    import shutil

    copy = tmp_path / "tirek"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "locale", "static"))
    target = copy / "plans" / "selectors.py"
    target.write_text(
        target.read_text(encoding="utf-8")
        + "\n\ndef _planted(user):\n"
        + "    return Plan.objects.filter(case__team__user=user)\n",
        encoding="utf-8",
    )
    found: list[str] = []
    for path in sorted(copy.rglob("*.py")):
        rel = path.relative_to(copy)
        if rel.parts[0] == "access" or "migrations" in rel.parts or "tests" in rel.parts:
            continue
        found += violations_in(path.read_text(encoding="utf-8"), str(rel))
    assert any(f.startswith("plans/selectors.py") and "case__team__user" in f for f in found)


def test_it_leaves_innocent_code_alone() -> None:
    innocent = (
        "def receivers(users, provider):\n"
        "    return users.filter(unit_id=provider.unit_id, agency_id=provider.agency_id)\n"
        "def indicator():\n"
        '    return dict(unit="supervising_unit_id")\n'
    )
    assert violations_in(innocent, "innocent.py") == []
