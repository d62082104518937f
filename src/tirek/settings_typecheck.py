"""Settings the type checker loads (django-stubs imports them to learn the models and
apps). The checker runs without production secrets, which the real settings refuse, so it
reads them in debug mode; nothing else imports this module."""

import os

os.environ.setdefault("TIREK_DEBUG", "1")

from tirek.settings import *  # noqa: E402, F403
