"""Tie a child process's life to its parent's (Linux ``PR_SET_PDEATHSIG``), best effort."""

from __future__ import annotations

import ctypes
import os
import signal

__all__ = ["die_with_parent", "parent_alive"]

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Ask the kernel to send ``sig`` to this process when its parent exits."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def parent_alive(original_ppid: int) -> bool:
    """False once this process has been re-parented (its parent died)."""
    return os.getppid() == original_ppid
