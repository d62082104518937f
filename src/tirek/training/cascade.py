"""The training cascade: master trainers → the trainers they certified → … .

Every event knows who delivered it; every certified trainer's assignment carries the
trainer certificate that allowed it, and that certificate knows the event where the
trainer was trained. From these links:

- a master trainer is generation 1; a trainer certified at an event is one generation
  below that event's first trainer (master trainers first, then by assignment order);
- an event's generation is the smallest generation among its trainers;
- reach: *direct* = distinct people in the events a trainer delivered; *indirect* =
  people reached by the trainers they certified, and theirs, not already direct.
  Staff are counted once across events (by account); external people per event row.

Everything is computed from five flat queries, so the page costs the same however
deep the tree is. A cycle in bad data (A certified B who certified A) is cut where it
closes, never followed forever.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Certificate, Event, Participant, TrainerAssignment

Key = tuple[str, Any]


@dataclass
class EventRef:
    id: int
    title: str
    kind: str
    start_date: Any
    participants: int = 0
    generation: int | None = None


@dataclass
class Node:
    key: Key
    name: str
    is_master: bool = False
    certified_at: int | None = None  # event id of the trainer certificate
    parent: Key | None = None
    generation: int | None = None
    events: list[EventRef] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    direct: set[Key] = field(default_factory=set)
    total: set[Key] = field(default_factory=set)

    @property
    def direct_count(self) -> int:
        return len(self.direct)

    @property
    def indirect_count(self) -> int:
        return len(self.total - self.direct)

    @property
    def total_count(self) -> int:
        return len(self.total)

    @property
    def is_active(self) -> bool:
        return bool(self.events)


@dataclass
class GenerationRow:
    generation: int
    events: int
    participants: int
    gain_mean: Decimal | None


@dataclass
class Cascade:
    roots: list[Node]
    nodes: dict[Key, Node]
    by_generation: list[GenerationRow]

    @property
    def generations(self) -> int:
        return max((row.generation for row in self.by_generation), default=0)

    @property
    def trainers(self) -> int:
        return len(self.nodes)

    @property
    def active_trainers(self) -> int:
        return sum(1 for n in self.nodes.values() if n.is_active)


def _person_name(first: str | None, last: str | None, username: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or (username or "")


def build(course_id: int | None = None) -> Cascade:
    # Flat value rows only: model instances would cost more than the whole walk.
    events_qs = Event.objects.all()
    cert_filter = Q(kind=Certificate.Kind.TRAINER, revoked_at__isnull=True, user__isnull=False)
    if course_id:
        events_qs = events_qs.filter(courses=course_id)
        cert_filter &= Q(course_id=course_id)
    events = {
        eid: EventRef(id=eid, title=title, kind=kind, start_date=start)
        for eid, title, kind, start in events_qs.values_list("id", "title", "kind", "start_date")
    }
    assignments = (
        TrainerAssignment.objects.filter(event_id__in=events_qs.values("id"))
        .order_by("-is_master", "id")
        .values_list(
            "event_id",
            "user_id",
            "external_name",
            "is_master",
            "certificate__event_id",
            "user__first_name",
            "user__last_name",
            "user__username",
        )
    )
    participants = Participant.objects.filter(event_id__in=events_qs.values("id")).values_list(
        "id", "event_id", "user_id"
    )
    # Knowledge gain summed per event in SQL: (sum of post − pre, number of people).
    gain_rows = (
        Participant.objects.filter(
            event_id__in=events_qs.values("id"), pre_score__isnull=False, post_score__isnull=False
        )
        .values("event_id")
        .annotate(total=Sum(F("post_score") - F("pre_score")), n=Count("id"))
        .values_list("event_id", "total", "n")
    )
    certificates = (
        Certificate.objects.filter(cert_filter)
        .order_by("issued_at", "id")
        .values_list("user_id", "event_id", "user__first_name", "user__last_name", "user__username")
    )

    nodes: dict[Key, Node] = {}
    delivered_by: dict[int, list[Key]] = defaultdict(list)
    for event_id, user_id, external, is_master, cert_event, first, last, username in assignments:
        if event_id not in events:
            continue
        if user_id:
            key: Key = ("u", user_id)
            name = _person_name(first, last, username)
        else:
            key, name = ("x", " ".join(external.split()).casefold()), external
        node = nodes.setdefault(key, Node(key=key, name=name))
        node.is_master = node.is_master or is_master
        if cert_event and node.certified_at is None:
            node.certified_at = cert_event
        if key not in delivered_by[event_id]:
            delivered_by[event_id].append(key)
            node.events.append(events[event_id])
    # Certified trainers who have not delivered yet still belong in the tree.
    for user_id, event_id, first, last, username in certificates:
        key = ("u", user_id)
        if key not in nodes:
            nodes[key] = Node(key=key, name=_person_name(first, last, username))
        if nodes[key].certified_at is None and not nodes[key].is_master:
            nodes[key].certified_at = event_id

    # Parent: the first trainer of the event where the trainer was certified.
    for node in nodes.values():
        if node.is_master or node.certified_at is None:
            continue
        parents = [k for k in delivered_by.get(node.certified_at, []) if k != node.key]
        node.parent = parents[0] if parents else None

    # Generations, walking up parents with a guard against cycles.
    def generation(node: Node, seen: frozenset[Key] = frozenset()) -> int:
        if node.generation is not None:
            return node.generation
        if node.is_master or node.parent is None or node.parent in seen:
            node.generation = 1
        else:
            node.generation = generation(nodes[node.parent], seen | {node.key}) + 1
        return node.generation

    for node in nodes.values():
        generation(node)

    for event_id, keys in delivered_by.items():
        events[event_id].generation = min(nodes[k].generation or 1 for k in keys)

    people_by_event: dict[int, set[Key]] = defaultdict(set)
    for pid, event_id, user_id in participants:
        people_by_event[event_id].add(("u", user_id) if user_id else ("p", pid))
    gains: dict[int, list[tuple[Decimal, int]]] = defaultdict(list)
    for event_id, total, n in gain_rows:
        generation_of_event = events[event_id].generation if event_id in events else None
        if generation_of_event:
            gains[generation_of_event].append((Decimal(str(total)), n))
    for event_id, ref in events.items():
        ref.participants = len(people_by_event.get(event_id, ()))

    for node in nodes.values():
        for ref in node.events:
            node.direct |= people_by_event.get(ref.id, set())

    roots: list[Node] = []
    for node in nodes.values():
        if node.parent is not None and node.parent in nodes and not node.is_master:
            parent = nodes[node.parent]
            if _is_ancestor(nodes, node.key, parent.key):
                roots.append(node)  # a cycle: cut it here
            else:
                parent.children.append(node)
        else:
            roots.append(node)

    def accumulate(node: Node, seen: frozenset[Key]) -> set[Key]:
        node.total = set(node.direct)
        for child in node.children:
            if child.key not in seen:
                node.total |= accumulate(child, seen | {child.key})
        return node.total

    for root in roots:
        accumulate(root, frozenset({root.key}))
    for node in nodes.values():
        node.children.sort(key=lambda n: n.name)
    roots.sort(key=lambda n: (not n.is_master, n.name))

    by_generation = []
    for g in sorted({ref.generation for ref in events.values() if ref.generation}):
        refs = [ref for ref in events.values() if ref.generation == g]
        sums = gains.get(g, [])
        people = sum(n for _total, n in sums)
        by_generation.append(
            GenerationRow(
                generation=g,
                events=len(refs),
                participants=len(set().union(*(people_by_event.get(r.id, set()) for r in refs))),
                gain_mean=(
                    (sum((total for total, _n in sums), Decimal(0)) / people).quantize(
                        Decimal("0.1")
                    )
                    if people
                    else None
                ),
            )
        )
    return Cascade(roots=roots, nodes=nodes, by_generation=by_generation)


def _is_ancestor(nodes: dict[Key, Node], key: Key, of: Key) -> bool:
    """Is ``key`` an ancestor of ``of`` (following parents)?"""
    seen: set[Key] = set()
    current: Key | None = of
    while current is not None and current not in seen:
        if current == key:
            return True
        seen.add(current)
        current = nodes[current].parent if current in nodes else None
    return False


@dataclass
class Row:
    """One node of the tree in document order, so the page renders nested lists in one
    loop (a recursive template include costs a template lookup per node). After an item
    with children a ``<ul>`` opens; otherwise the item closes, then ``closes`` levels."""

    node: Node
    depth: int
    has_children: bool = False
    closes: range = range(0)


def flatten(roots: list[Node]) -> list[Row]:
    rows: list[Row] = []

    def walk(node: Node, depth: int, seen: frozenset[Key]) -> None:
        rows.append(Row(node=node, depth=depth))
        for child in node.children:
            if child.key not in seen:
                walk(child, depth + 1, seen | {child.key})

    for root in roots:
        walk(root, 0, frozenset({root.key}))
    for i, row in enumerate(rows):
        next_depth = rows[i + 1].depth if i + 1 < len(rows) else 0
        row.has_children = next_depth > row.depth
        if not row.has_children:
            row.closes = range(row.depth - next_depth)
    return rows


EVENTS_SHOWN = 3


def tree_html(rows: list[Row]) -> SafeString:
    """The tree as nested lists, built in Python: a country's cascade has hundreds or
    thousands of trainers, and a template loop per node would dominate the page's time.
    Each node lists its most recent events only, to keep the page small on slow links."""
    from django.urls import reverse
    from django.utils import formats
    from django.utils.translation import gettext as _

    event_url = reverse("training:event", args=[0])[: -len("0/")]
    master = escape(_("master trainer"))
    idle = escape(_("has not delivered yet"))
    out: list[str] = []
    for row in rows:
        node = row.node
        classes = (
            "node" + (" master" if node.is_master else "") + ("" if node.is_active else " inactive")
        )
        out.append(
            f'<li class="cascade-node"><div class="{classes}"><strong>{escape(node.name)}</strong>'
        )
        if node.is_master:
            out.append(f' <span class="badge">{master}</span>')
        generation = escape(_("generation %(g)s") % {"g": node.generation})
        reach = escape(
            _("reach: %(d)s directly, %(i)s indirectly, %(t)s in all")
            % {"d": node.direct_count, "i": node.indirect_count, "t": node.total_count}
        )
        out.append(f' <span class="badge">{generation}</span><span class="reach">{reach}</span>')
        if node.events:
            recent = sorted(node.events, key=lambda e: e.start_date, reverse=True)
            out.append('<ul class="events">')
            for ref in recent[:EVENTS_SHOWN]:
                out.append(
                    f"<li>{escape(formats.date_format(ref.start_date, 'SHORT_DATE_FORMAT'))} · "
                    f'<a href="{event_url}{ref.id}/">{escape(ref.title)}</a> ({ref.participants})</li>'
                )
            if len(recent) > EVENTS_SHOWN:
                more = _("and %(n)s more") % {"n": len(recent) - EVENTS_SHOWN}
                out.append(f'<li class="muted">{escape(more)}</li>')
            out.append("</ul>")
        else:
            out.append(f' <span class="muted">{idle}</span>')
        out.append("</div>")
        if row.has_children:
            out.append("<ul>")
        else:
            out.append("</li>" + "</ul></li>" * len(row.closes))
    return mark_safe("".join(out))  # noqa: S308  (every piece of data is escaped above)
