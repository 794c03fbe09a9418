"""Hand freed heap memory back to the operating system between cycles.

Each cycle allocates and frees tens of megabytes (JSON bodies, row lists, timelines). CPython
returns the objects to the C allocator, but glibc keeps the freed pages, fragmented, so a
daemon's RSS creeps up over weeks without any object leaking (bench/RESULTS.md, memory).
`malloc_trim(0)` releases them. On other C libraries this is a no-op.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim  # glibc; musl has no malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_freed_memory() -> bool:
    """Return freed heap pages to the OS; True when the C library supports it."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
