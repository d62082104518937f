"""`tirek audit anchor` and `tirek audit verify --anchor`: a log wiped and started
again, or cut before the anchor, is found; an intact log that grew since passes."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditChain, AuditEntry
from tirek.audit.services import record
from tirek.testing import World


def _write_entries(world: World, count: int) -> None:
    worker = world.staff(Role.CASE_MANAGER)
    for n in range(count):
        record(actor=worker, action=Action.READ, object_type="cases.case", object_id=n)


def _anchor(tmp_path: Path) -> Path:
    path = tmp_path / "anchor.json"
    call_command("audit", "anchor", "--output", str(path), stdout=StringIO())
    return path


def _verify_with(anchor: Path) -> str:
    out = StringIO()
    call_command("audit", "verify", "--anchor", str(anchor), stdout=out, stderr=StringIO())
    return out.getvalue()


def _refused(anchor: Path) -> str:
    err = StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command("audit", "verify", "--anchor", str(anchor), stdout=StringIO(), stderr=err)
    return f"{refusal.value}\n{err.getvalue()}"


def test_anchor_lists_every_used_chain_head(world: World, tmp_path: Path) -> None:
    _write_entries(world, 40)
    document = json.loads(_anchor(tmp_path).read_text())
    heads = {(h["chain"], h["seq"], h["mac"]) for h in document["heads"]}
    expected = {(c.id, c.seq, c.head_mac) for c in AuditChain.objects.filter(seq__gt=0)}
    assert heads == expected
    assert "signature" in document


def test_anchor_prints_to_stdout_without_output(world: World) -> None:
    _write_entries(world, 3)
    out = StringIO()
    call_command("audit", "anchor", stdout=out)
    assert json.loads(out.getvalue())["format"] == "tirek-audit-anchor/1"


def test_a_log_that_grew_after_the_anchor_verifies(world: World, tmp_path: Path) -> None:
    _write_entries(world, 30)
    anchor = _anchor(tmp_path)
    _write_entries(world, 30)
    assert str(AuditEntry.objects.count()) in _verify_with(anchor)


def test_a_wiped_and_restarted_log_is_found(world: World, tmp_path: Path) -> None:
    _write_entries(world, 30)
    anchor = _anchor(tmp_path)
    # Behind Tirek's back: delete everything, heads included, and write afresh. Without
    # the anchor the new log is internally consistent.
    AuditEntry.objects.all().delete()
    AuditChain.objects.all().delete()
    _write_entries(world, 5)
    call_command("audit", "verify", stdout=StringIO(), stderr=StringIO())
    assert "is gone" in _refused(anchor)


def test_a_rewritten_chain_is_found(world: World, tmp_path: Path) -> None:
    _write_entries(world, 30)
    anchor = _anchor(tmp_path)
    head = AuditChain.objects.filter(seq__gt=0).first()
    assert head is not None
    AuditEntry.objects.filter(chain=head.id, seq=head.seq).update(mac="0" * 64)
    assert "differs from the anchored one" in _refused(anchor)


def test_a_changed_anchor_is_refused(world: World, tmp_path: Path) -> None:
    _write_entries(world, 10)
    anchor = _anchor(tmp_path)
    document = json.loads(anchor.read_text())
    document["heads"] = document["heads"][1:]  # hide one chain from the check
    anchor.write_text(json.dumps(document))
    assert "Подпись якоря не совпадает" in _refused(anchor)


@pytest.mark.parametrize("content", ["", "not json", "[]", '{"format": "other"}'])
def test_a_file_that_is_not_an_anchor_is_refused(
    world: World, tmp_path: Path, content: str
) -> None:
    anchor = tmp_path / "anchor.json"
    anchor.write_text(content)
    assert "якор" in _refused(anchor).lower()


def test_a_missing_anchor_file_is_refused(world: World, tmp_path: Path) -> None:
    assert "не найден" in _refused(tmp_path / "absent.json")
