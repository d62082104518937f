"""The task list speaks every installed language (Russian complete, others their titles)."""

from __future__ import annotations

import pytest

from tirek.accounts.roles import Role
from tirek.testing import World, logged_in_client


@pytest.mark.parametrize(
    ("language", "word"),
    [
        ("ru", "Задачи"),
        ("kk", "Тапсырмалар"),
        ("uz", "Vazifalar"),
        ("tg", "Вазифаҳо"),
        ("en", "Tasks"),
    ],
)
def test_it_names_the_task_list_in_the_users_language(
    world: World, language: str, word: str
) -> None:
    client = logged_in_client(world.staff(Role.CASE_MANAGER))
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    page = client.get("/work/tasks/").content.decode()
    assert f"<title>{word} · Tirek</title>" in page
