"""The module `tirek serve`'s workers load: the application, with what loading it created
kept out of the garbage collector's walks (docs/performance.md, "Garbage collection
pauses")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CODE = """
import gc
before = gc.get_freeze_count()
import tirek.wsgi
print(before, gc.get_freeze_count(), callable(tirek.wsgi.application))
"""


def test_loading_the_application_freezes_what_loading_created(tmp_path: Path) -> None:
    env = {**os.environ, "TIREK_VAR_DIR": str(tmp_path), "TIREK_DEMO": "1", "DATABASE_URL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", CODE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    before, frozen, callable_app = done.stdout.split()
    assert int(before) == 0
    # Django, the apps and their models: tens of thousands of objects, not a handful.
    assert int(frozen) > 50_000
    assert callable_app == "True"
