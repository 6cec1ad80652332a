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
  rewrites every file and invalidates every entry;
* a cache entry that cannot be loaded (truncated or empty ``.nbc``, garbage
  ``.nbi``, an entry compiled for other argument types) is caught once per
  kernel: the kernel is compiled in memory, its entry rewritten when the folder
  is writable (a garbage index is removed first), and one
  :class:`KernelCacheWarning` names the cache folder.  Without this guard numba
  raises ``UnpicklingError``, ``EOFError`` or ``TypeError: can't unbox array`` in
  every fit of every process until the file is deleted by hand.
"""

import hashlib
import os
import warnings

import numba
from numba.core import sigutils
from numba.core.caching import FunctionCache, IndexDataCacheFile

__all__ = ["kernel", "KernelCacheWarning"]


class KernelCacheWarning(RuntimeWarning):
    """A compiled kernel's cache entry was unreadable and has been recompiled."""


_HERE = os.path.dirname(os.path.abspath(__file__))
_DIGEST = None


def _sources_digest() -> str:
    """SHA-256 of every kernel module's source (computed once per process)."""
    global _DIGEST
    if _DIGEST is None:
        h = hashlib.sha256()
        for name in sorted(os.listdir(_HERE)):
            if name.endswith(".py"):
                with open(os.path.join(_HERE, name), "rb") as f:
                    h.update(name.encode() + b"\0" + f.read() + b"\0")
        _DIGEST = h.hexdigest()
    return _DIGEST


class _GuardedCache(FunctionCache):
    """numba's on-disk cache, with unreadable entries recompiled instead of raised.

    For the kernels of this package the index is also stamped with a digest of
    every kernel module's source: numba stamps an entry with its own file only,
    so a kernel calling a kernel of another module could be served stale
    machine code after that module changed (``KERNEL_STAMP`` guards releases;
    the digest also guards edits between them)."""

    def __init__(self, py_func):
        super().__init__(py_func)
        self._warned = False
        source = getattr(self._impl.locator, "_py_file", "")
        if os.path.dirname(os.path.abspath(source)) == _HERE:
            self._cache_file = IndexDataCacheFile(
                cache_path=self._cache_path,
                filename_base=self._impl.filename_base,
                source_stamp=(self._impl.locator.get_source_stamp(), _sources_digest()),
            )

    def _report(self, what: str, exc: BaseException | None, rewritten: bool) -> None:
        if self._warned:
            return
        self._warned = True
        why = f" ({type(exc).__name__}: {exc})" if exc is not None else ""
        then = (
            "its entry was rewritten"
            if rewritten
            else "the folder is not writable: delete the entry to stop this warning"
        )
        warnings.warn(
            f"skdecay: the compiled-code cache of kernel {self._py_func.__name__!r} in "
            f"{self._cache_path!r} could not be used: {what}{why}. Recompiled in "
            f"memory; {then}.",
            KernelCacheWarning,
            stacklevel=6,
        )

    def load_overload(self, sig, target_context):
        try:
            cres = super().load_overload(sig, target_context)
        except Exception as exc:  # unreadable index or data file
            self._bad = ("an unreadable cache file", exc)
            return None
        if cres is not None:
            args = tuple(sigutils.normalize_signature(sig)[0])
            if tuple(cres.signature.args) != args:  # a data file of another overload
                self._bad = (f"an entry compiled for {cres.signature.args}, not {args}", None)
                return None
        return cres

    def save_overload(self, sig, data):
        bad, self._bad = getattr(self, "_bad", None), None
        try:
            super().save_overload(sig, data)
            saved = True
        except Exception:  # an index numba cannot parse: remove it and save again
            saved = False
            try:
                os.remove(self._cache_file._index_path)
                super().save_overload(sig, data)
                saved = True
            except Exception:
                pass
        if bad is not None:
            self._report(*bad, saved and os.access(self._cache_path, os.W_OK))


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
        disp = numba.njit(cache=False, nogil=True, error_model=error_model, fastmath=fastmath)(func)
        disp._cache = _GuardedCache(func)  # what cache=True installs, guarded
        return disp
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
