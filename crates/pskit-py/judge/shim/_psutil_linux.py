"""Stand-in for psutil's C extension: only what _pslinux touches at import.

pskit never loads psutil's compiled module; a test that needs the real one is
in excluded.tsv.
"""

import os

version = 722
DUPLEX_FULL, DUPLEX_HALF, DUPLEX_UNKNOWN = 2, 1, 0


def getpagesize():
    return os.sysconf("SC_PAGE_SIZE")


def net_if_addrs():
    raise NotImplementedError("psutil's C extension is not loaded under pskit")
