from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import reverse

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tirek.settings")
application = get_wsgi_application()

# What loading the application created (Django, the apps, their models and settings:
# some 175,000 objects) lives as long as the process, and so do the URL tables the first
# link drawn would build (20,000 more): built now, then frozen, the cyclic garbage
# collector no longer walks them on every full collection. Those walks took 60-70 ms and
# made the slowest twentieth of the requests twice as slow as the rest
# (docs/performance.md, "Garbage collection pauses").
reverse("home")
gc.freeze()
