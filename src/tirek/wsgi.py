from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tirek.settings")
application = get_wsgi_application()

# What loading the application created (Django, the apps, their models and settings:
# some 175,000 objects) lives as long as the process. Frozen, the cyclic garbage collector
# no longer walks it on every full collection: those walks took 60-70 ms and made the
# slowest twentieth of the requests twice as slow as the rest (docs/performance.md,
# "Garbage collection pauses").
gc.freeze()
