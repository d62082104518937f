"""Extension points so each domain app plugs into the shell without editing core.

An app declares what it plugs in on its config (``tirek.core.wiring``), which registers it
here in ``ready()``:
- ``nav_items``: links in the main navigation, shown when ``visible(user)`` is true;
- ``my_work_panels``: callables ``(request) -> dict | None`` giving a panel for the home
  page ("my work"): ``{"title": ..., "template": ..., **context}``; ``None`` hides it;
- ``demo_loaders``: ``(order, callable(stdout))`` run by ``tirek demo`` in order, each
  idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from tirek.core.http import AuthenticatedHttpRequest


@dataclass(frozen=True)
class NavItem:
    label: Any  # a lazy translation
    url_name: str
    visible: Callable[[Any], bool]
    order: int = 50


nav_items: list[NavItem] = []
my_work_panels: list[tuple[int, Callable[[AuthenticatedHttpRequest], dict[str, Any] | None]]] = []
# Context managers "my work" draws its panels inside (e.g. the access policy reading the
# user's case ids once for every panel; the audit log noting what the panels show), each
# given the request.
my_work_scopes: list[Callable[[AuthenticatedHttpRequest], AbstractContextManager[None]]] = []
demo_loaders: list[tuple[int, Callable[[Any], None]]] = []
# (prefix, ninja.Router): mounted under /api/v1/<prefix>
api_routers: list[tuple[str, Any]] = []
# Callables that re-encrypt stored files (attachments) with the newest key; return a count.
encrypted_file_rotators: list[Callable[[], int]] = []
# Callables that move stored files under their person's data key (``tirek keys person``).
person_key_movers: list[Callable[[], int]] = []
# (prefix, "app.urls"): page URLs, e.g. ("cases/", "tirek.cases.urls")
url_includes: list[tuple[str, str]] = []


@dataclass(frozen=True)
class CaseNumbers:
    """How lower layers (the audit log) name cases by number and find them by number
    without importing the cases app: ``numbers(ids) -> {id: number}``,
    ``ids(number) -> [id, ...]``. Registered by the cases app."""

    numbers: Callable[[set[int]], dict[int, str]]
    ids: Callable[[str], list[int]]


case_numbers: list[CaseNumbers] = []

# What other apps keep about cases without naming the case in their audit entries (the
# child's person, a family and its plan, an incident, a conference): ``records(case_ids)
# -> {object_type: ids}``, so that the audit log's filter by case finds the entries about
# them too. Ids only; read for the data protection officer's filter. Registered by the
# apps that keep them (``case_records`` on their config).
case_records: list[Callable[[list[int]], dict[str, set[int]]]] = []

# How the audit log (a layer below organisations) names agencies, units and regions:
# kind ("agency", "unit", "region") -> names(ids) -> {id: name}. Registered by the
# organisations app.
organisation_names: dict[str, Callable[[set[int]], dict[int, str]]] = {}


def add_nav(item: NavItem) -> None:
    if item not in nav_items:
        nav_items.append(item)
        nav_items.sort(key=lambda i: i.order)


def add_my_work_panel(
    order: int, panel: Callable[[AuthenticatedHttpRequest], dict[str, Any] | None]
) -> None:
    if (order, panel) not in my_work_panels:
        my_work_panels.append((order, panel))
        my_work_panels.sort(key=lambda p: p[0])


def add_my_work_scope(
    scope: Callable[[AuthenticatedHttpRequest], AbstractContextManager[None]],
) -> None:
    if scope not in my_work_scopes:
        my_work_scopes.append(scope)


def add_case_records(records: Callable[[list[int]], dict[str, set[int]]]) -> None:
    if records not in case_records:
        case_records.append(records)


def add_api_router(prefix: str, router: Any) -> None:
    if all(existing is not router for _prefix, existing in api_routers):
        api_routers.append((prefix, router))


def add_urls(prefix: str, module: str) -> None:
    if (prefix, module) not in url_includes:
        url_includes.append((prefix, module))


def add_demo_loader(order: int, loader: Callable[[Any], None]) -> None:
    if (order, loader) not in demo_loaders:
        demo_loaders.append((order, loader))
        demo_loaders.sort(key=lambda p: p[0])


def add_encrypted_file_rotator(rotate: Callable[[], int]) -> None:
    if rotate not in encrypted_file_rotators:
        encrypted_file_rotators.append(rotate)


def add_person_key_mover(move: Callable[[], int]) -> None:
    if move not in person_key_movers:
        person_key_movers.append(move)
