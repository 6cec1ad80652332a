"""BLAS limited to one thread while any MLP of this process trains (one shared,
reference-counted limit)."""

from __future__ import annotations

import contextlib
import threading

from threadpoolctl import ThreadpoolController

_CONTROLLER: list = []


def _blas_controller() -> ThreadpoolController:
    """One ``ThreadpoolController`` per process (building one costs ~10 ms; limiting ~0.05 ms).

    Created after scipy's BLAS is loaded: numba's ``np.dot`` calls it.
    """
    if not _CONTROLLER:
        import scipy.linalg  # noqa: F401  (loads the BLAS numba uses)

        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0]


_LIMIT_LOCK = threading.Lock()
_LIMIT: dict = {"depth": 0}


@contextlib.contextmanager
def _one_blas_thread():
    """BLAS limited to one thread while any MLP of this process trains.

    BLAS's thread count is process-wide.  Nested ``threadpoolctl`` limits
    entered from several threads restore in the wrong order (the second fit
    saves the first one's "1" as the original and leaves the process at one
    thread for good), so the fits share one limit with a reference count: the
    first to start sets it, the last to end restores what was there before.
    """
    with _LIMIT_LOCK:
        if _LIMIT["depth"] == 0:
            _LIMIT["limiter"] = _blas_controller().limit(limits=1, user_api="blas")
        _LIMIT["depth"] += 1
    try:
        yield
    finally:
        with _LIMIT_LOCK:
            _LIMIT["depth"] -= 1
            if _LIMIT["depth"] == 0:
                _LIMIT.pop("limiter").restore_original_limits()
