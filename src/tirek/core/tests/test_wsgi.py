"""The module `tirek serve`'s workers load: the application, with what loading it created,
and the URL tables every request uses, kept out of the garbage collector's walks
(docs/performance.md, "Garbage collection pauses")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CODE = """
import gc
before = gc.get_freeze_count()
import tirek.wsgi
from django.urls import reverse
reverse("cases:list")  # the first link a page draws
gc.collect()
print(before, gc.get_freeze_count(), len(gc.get_objects()), callable(tirek.wsgi.application))
"""


def test_loading_the_application_freezes_what_every_request_uses(tmp_path: Path) -> None:
    env = {**os.environ, "TIREK_VAR_DIR": str(tmp_path), "TIREK_DEMO": "1", "DATABASE_URL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", CODE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    before, frozen, walked, callable_app = done.stdout.split()
    assert int(before) == 0
    # Django, the apps, their models and the URL tables: many thousands of objects...
    assert int(frozen) > 50_000
    # ...and drawing a link afterwards leaves few for the collector to walk (building the
    # URL tables then would leave some 20,000).
    assert int(walked) < 5_000, walked
    assert callable_app == "True"
