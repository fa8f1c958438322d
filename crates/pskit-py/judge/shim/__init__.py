"""`import psutil` gives pskit, for running psutil's own tests against it.

Placed as psutil/__init__.py at the head of PYTHONPATH. The module object
itself is pskit's, so patches of psutil's public names reach pskit's own
calls. psutil's pure-Python helper modules that the tests import
(_common, _ntuples, _psposix, _pslinux) are loaded from the sdist next to
this file (psutil/_sdist/, copied at test time, never committed), with a
pure-Python stand-in for the C extension that _pslinux imports.
"""

import importlib.util
import os
import sys

import pskit

_SDIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_sdist")
sys.modules["psutil"] = pskit


def _load(name):
    full = "psutil." + name
    spec = importlib.util.spec_from_file_location(full, os.path.join(_SDIST, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    sys.modules[full] = mod
    spec.loader.exec_module(mod)
    setattr(pskit, name, mod)
    return mod


_common = _load("_common")
# One exception hierarchy: the helpers' TimeoutExpired and pskit's are the same class.
for _n in ("Error", "NoSuchProcess", "ZombieProcess", "AccessDenied", "TimeoutExpired"):
    setattr(_common, _n, getattr(pskit, _n))
_load("_ntuples")
_load("_psposix")
_load("_psutil_linux")
pskit._psplatform = _load("_pslinux")
