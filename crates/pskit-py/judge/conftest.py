"""pytest hooks for running psutil 7.2.2's own tests against pskit (and psutil).

JUDGE_EXCLUDE names excluded.tsv: each test id in it is marked skipped with the
reason "excluded: ...", in both runs, so the two are counted alike. An id that
no longer exists in the collected files is an error (the list must not rot).
JUDGE_IMPL=pskit makes sure `import psutil` really is pskit.
"""

import os
import sys

import pytest


def _load():
    path = os.environ.get("JUDGE_EXCLUDE")
    out = {}
    if not path:
        return out
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            test_id, category, reason = line.rstrip("\n").split("\t")
            out[test_id] = "excluded: %s: %s" % (category, reason)
    return out


def pytest_configure(config):
    if os.environ.get("JUDGE_IMPL") == "pskit":
        import psutil

        assert psutil.__name__ == "pskit", "import psutil gave %r" % psutil


def pytest_collection_modifyitems(session, config, items):
    excluded = _load()
    files = {item.nodeid.split("::")[0] for item in items}
    seen = set()
    for item in items:
        reason = excluded.get(item.nodeid)
        if reason:
            seen.add(item.nodeid)
            item.add_marker(pytest.mark.skip(reason=reason))
    missing = [t for t in excluded if t.split("::")[0] in files and t not in seen]
    if missing:
        raise pytest.UsageError("excluded.tsv names tests that do not exist: %s" % missing)
