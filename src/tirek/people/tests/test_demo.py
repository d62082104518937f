"""The demo people loader: invented families, idempotent, found by stable keys."""

from __future__ import annotations

import io
from datetime import date

from tirek.accounts import demo_org
from tirek.people import demo, selectors
from tirek.people.matching import Birth, Identity
from tirek.people.models import HouseholdMember, MergeRequest, Person, Relationship


def test_it_loads_families_spelled_across_scripts_once(db: None) -> None:
    out = io.StringIO()
    demo_org.load(out)
    demo.load(out)
    demo.load(out)
    assert Person.objects.count() == len(demo.PEOPLE)
    assert Relationship.objects.count() == len(demo.RELATIONSHIPS)
    assert HouseholdMember.objects.filter(until__isnull=True).count() == 8
    assert MergeRequest.objects.count() == 1
    mother = demo.demo_person("karimova-aisha")
    assert mother is not None and mother.iin == "920412401006"
    assert {n.script for n in mother.names.all()} == {"latin", "arabic"}
    guardian = Relationship.objects.get(
        kind="legal_guardian", person=demo.demo_person("abenov-ibragim")
    )
    assert guardian.legal_basis == "court_decision"
    # The demo's promise: the Uzbek Latin spelling finds the boy registered in Cyrillic.
    query = Identity(given=("Oʻtkir",), family=("Gʻulomov",), birth=Birth(date(2012, 2, 12)))
    [found] = selectors.find_duplicates(query)
    assert found.person == demo.demo_person("gulomov-utkir") and found.probable


def test_it_rebuilds_stale_keys_with_the_command(db: None) -> None:
    from django.core.management import call_command

    from tirek.people.models import PersonNameKey

    demo_org.load(io.StringIO())
    demo.load(io.StringIO())
    expected = set(PersonNameKey.objects.values_list("person_id", "key"))
    PersonNameKey.objects.filter(key__startswith="P").delete()  # as if made by older rules
    out = io.StringIO()
    call_command("people_keys", stdout=out)
    assert set(PersonNameKey.objects.values_list("person_id", "key")) == expected
    assert f"{len(demo.PEOPLE)} people" in out.getvalue()
