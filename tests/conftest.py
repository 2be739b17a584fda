"""Suite-wide pytest configuration. Each test owns its own kernel and resources.

Test modules are imported by pytest under names worker processes cannot import, so
functions defined in them are registered with cloudpickle to travel by value.
"""

import sys

import cloudpickle
import pytest


def pytest_collection_finish(session: pytest.Session) -> None:
    seen = set()
    for item in session.items:
        module = getattr(item, "module", None)
        if module is not None and module.__name__ not in seen and module.__name__ in sys.modules:
            seen.add(module.__name__)
            cloudpickle.register_pickle_by_value(module)
