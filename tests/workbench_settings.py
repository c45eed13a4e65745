"""Django settings for the XBlock SDK workbench under test: its own settings, with the database
and log in a folder of the test's (``COMPTOIR_WORKBENCH_DIR``) and no app the tests do not use.

Used in-process by tests/test_xblock.py (Django's test client) and by the ``runserver`` that
tests/browser/test_xblock_workbench.py and bench/xblock_answer.py start (tests/xblock_workbench.py).
"""
import os

from workbench.settings import *  # noqa: F401,F403  (the SDK's settings are the base)
from workbench.settings import INSTALLED_APPS

_DIR = os.environ.get("COMPTOIR_WORKBENCH_DIR", ".")
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(_DIR, "workbench.db"),
                         "OPTIONS": {"timeout": 30}}}
# djpyfs backs the SDK's file-system service, which comptoir does not use (and it is a separate package).
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "djpyfs"]
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"null": {"class": "logging.NullHandler"}},
           "loggers": {"django": {"handlers": ["null"], "level": "WARNING"}}}
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]


def _fast_sqlite(sender, connection, **kwargs):
    """A throwaway database: no fsync per commit (the workbench commits once per field written),
    and WAL so concurrent learners read while one writes."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=OFF")


from django.db.backends.signals import connection_created  # noqa: E402

connection_created.connect(_fast_sqlite)
