"""The apps stand in layers (README, "Architecture"): an app imports only from its own
layer's lower apps, never upwards. Imports inside ``if TYPE_CHECKING:`` are allowed (they
are types only); imports inside functions count like any other.

A known upward import that could not be removed yet is listed in KNOWN_UPWARD with its
reason; anything else upward fails this test."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # src/tirek

# Bottom to top. Modules that configure (settings, formats) sit below everything; the
# entry points (urls, api, cli, wsgi, testing) above everything.
LAYERS: list[str] = [
    "settings",
    "settings_typecheck",
    "formats",
    "core",
    "audit",
    "organisations",
    "accounts",
    "access",
    "people",
    "cases",
    "privacy",
    "assessments",
    "plans",
    "training",
    "referrals",
    "interviews",
    "conferences",
    "ops",
    "reports",
    "justice",
    "incidents",
    "families",
    "transfers",
    "documents",
    "retention",
    "api",
    "urls",
    "wsgi",
    "cli",
    "testing",
]

# (importing module, imported app): why it is still there.
KNOWN_UPWARD: dict[tuple[str, str], str] = {
    ("cases/selectors.py", "privacy"): (
        '"My work" reads the open caseload with its consent status once for the cases and '
        "plans panels; the read belongs in privacy with the panels that use it."
    ),
    ("core/management/commands/serve.py", "wsgi"): (
        "`tirek serve` runs the WSGI application; the command belongs in an app above core."
    ),
    ("audit/apps.py", "accounts"): (
        "the audit log's navigation entry is for the DPO role; the log pages belong in a "
        "presentation layer above accounts, while accounts writes audit entries."
    ),
    ("audit/views.py", "accounts"): ("the audit log pages check the DPO role (see audit/apps.py)."),
    ("organisations/admin.py", "accounts"): (
        "the admin pages of organisations use the role-checked admin base in accounts."
    ),
    ("accounts/services.py", "referrals"): (
        "role changes notify the DPO through referrals' notifications; notifications "
        "should move below accounts."
    ),
    ("access/policy.py", "cases"): (
        "the case models (Case, CaseTeamMember) live in cases; the policy queries them. "
        "Moving the relation models into access needs a table-preserving migration."
    ),
    ("access/selectors.py", "cases"): "as access/policy.py.",
    ("access/services.py", "cases"): "as access/policy.py.",
    ("access/policy.py", "people"): "the policy decides on people (Person) as on cases.",
    ("access/policy.py", "privacy"): "the policy reads consents and protected identities.",
    ("access/selectors.py", "privacy"): "emergency accesses are privacy's model.",
    ("access/services.py", "privacy"): "emergency accesses are privacy's model.",
    ("access/services.py", "referrals"): "a referral's grant is released with the referral.",
    ("people/selectors.py", "cases"): "a person's page lists their cases (people <-> cases).",
    ("people/services.py", "cases"): "merging people moves their cases.",
    ("people/views.py", "cases"): "as people/selectors.py.",
    ("cases/api.py", "privacy"): "opening a case records consent (cases <-> privacy).",
    ("cases/demo.py", "privacy"): "as cases/api.py.",
}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                inside.update(id(n) for n in ast.walk(child))
    return inside


def imported_apps(source: str) -> set[str]:
    """The top-level ``tirek`` modules a source file imports (TYPE_CHECKING excluded)."""
    tree = ast.parse(source)
    skip = _type_checking_nodes(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "tirek":
                names = [f"tirek.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "tirek" and len(parts) > 1:
                found.add(parts[1])
    return found


def upward_imports(root: Path) -> list[tuple[str, str]]:
    rank = {name: i for i, name in enumerate(LAYERS)}
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        parts = relative.split("/")
        if "tests" in parts or "migrations" in parts:
            continue
        own = parts[0].removesuffix(".py")
        if own not in rank:
            continue
        for target in sorted(imported_apps(path.read_text(encoding="utf-8"))):
            if target != own and target in rank and rank[target] > rank[own]:
                found.append((relative, target))
    return found


def test_every_app_has_a_layer() -> None:
    apps = {
        p.name.removesuffix(".py")
        for p in ROOT.iterdir()
        if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"
    } - {"__init__"}
    assert sorted(apps - set(LAYERS)) == []


def test_no_app_imports_from_a_layer_above_it() -> None:
    unexpected = [pair for pair in upward_imports(ROOT) if pair not in KNOWN_UPWARD]
    assert unexpected == []


def test_known_exceptions_are_still_needed() -> None:
    """A fixed exception is removed from the list, so it cannot come back unnoticed."""
    stale = sorted(set(KNOWN_UPWARD) - set(upward_imports(ROOT)))
    assert stale == []


def test_core_imports_no_app() -> None:
    offenders = [pair for pair in upward_imports(ROOT) if pair[0].startswith("core/")]
    assert [pair for pair in offenders if pair not in KNOWN_UPWARD] == []
    assert {target for _module, target in offenders} <= {"wsgi"}


def test_it_catches_a_planted_upward_import(tmp_path: Path) -> None:
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "__init__.py").write_text("")
    (tmp_path / "core" / "planted.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from tirek.cases.models import Case\n"  # allowed: types only
        "def f():\n"
        "    from tirek.reports import indicators\n"  # not allowed, even inside a function
        "    import tirek.audit.services\n"
    )
    assert upward_imports(tmp_path) == [
        ("core/planted.py", "audit"),
        ("core/planted.py", "reports"),
    ]
