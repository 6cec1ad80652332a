"""numba kernels: arrays, scalars and integer codes in; one pass per call.

Every kernel is compiled lazily (importing skdecay compiles nothing) and cached
on disk with ``cache=True``.  Two guards protect that cache:

* a read-only installation (package folder and user cache folder both
  unwritable, ``NUMBA_CACHE_DIR`` unset) falls back to in-memory compilation
  with a single warning instead of failing at import;
* every kernel module carries ``KERNEL_STAMP``, equal to the package version
  (a test enforces it).  numba keys its cache on the source file only, so a
  kernel that calls a kernel of another module could otherwise be served
  stale machine code after an upgrade; bumping the stamp in every module
  rewrites every file and invalidates every entry.
"""

import warnings

import numba

__all__ = ["kernel"]

_CACHE_WARNED = False


def kernel(func=None, *, error_model: str = "python", fastmath=False):
    """Compile ``func`` with ``numba.njit(cache=True)``, uncached if it cannot.

    Use as ``@kernel``, or ``@kernel(error_model="numpy")`` for a kernel whose
    float divisions must vectorise: numba's default ("python") error model
    checks every division for a zero divisor, which blocks SIMD code; with
    "numpy" a division by zero gives inf/nan instead of raising, and the
    Python driver checks finiteness.  ``fastmath`` takes numba's flag set; the
    CD kernels use ``{"reassoc", "contract"}`` only, so that dot products
    vectorise (summation order changes, as in BLAS) while NaN and infinity keep
    their IEEE meaning for the drivers' divergence checks.
    """
    if func is None:
        return lambda f: kernel(f, error_model=error_model, fastmath=fastmath)
    global _CACHE_WARNED
    try:
        return numba.njit(cache=True, nogil=True, error_model=error_model, fastmath=fastmath)(func)
    except RuntimeError as exc:  # no writable cache locator
        if not _CACHE_WARNED:
            _CACHE_WARNED = True
            warnings.warn(
                "skdecay: numba cannot cache compiled kernels here "
                f"({exc}); compiling in memory. Set NUMBA_CACHE_DIR to a "
                "writable folder to keep compiled code between sessions.",
                RuntimeWarning,
                stacklevel=2,
            )
        return numba.njit(cache=False, nogil=True, error_model=error_model, fastmath=fastmath)(func)
