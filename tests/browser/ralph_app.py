"""Ralph's LRS application, as tests/browser/lms.py runs it (in Ralph's own virtual environment).

One setting differs from ``ralph.api:app``: Ralph 5.1's file-system backend writes with the
operation type CREATE, which refuses to write to an existing file, so an LRS on that backend
stores its first statement and answers 500 to every later one. Appending is what makes a JSON-lines
file a store; everything else — the API, validation, id conflicts, queries, paging — is Ralph's.
"""
from ralph.backends.data.base import BaseOperationType
from ralph.backends.data.fs import FSDataBackend

FSDataBackend.default_operation_type = BaseOperationType.APPEND

# After the setting: the router makes its backend when it is imported.
from ralph.api import app

__all__ = ["app"]
