"""When ``solver="auto"`` tries CG first: the iteration caps after which the direct
solve takes over.
"""

from __future__ import annotations

import numpy as np

from ..solvers import Problem


def cg_cap(pb: Problem, max_iter: int) -> int:
    """Iteration cap of conjugate gradients under ``solver="auto"`` for dense ``X``
    (0: go direct).

    The Cholesky route costs ``~n p^2`` flops (compute bound: forming ``A^T A``),
    a CG iteration one fused pass over ``X`` (memory bound, ``~n p``): their
    ratio grows with ``p``.  Measured on this machine (one thread, n = 20000,
    float64, two runs agreeing within ~20%; ``chol`` is all of
    :func:`ridge_direct`: centring copy, Gram, solve and gap; ``setup`` the
    first pass of :func:`ridge_cg`; ``third``: CG iterations costing, with the
    setup, a third of ``chol``)::

        p          200    250    300    500    700    1000   2000
        CG it/ms   4.1    5.2    6.1    11     17     23     47-60
        setup/ms   5.6    9.5    11     15-18  26     34-35  89-128
        chol/ms    42     78     88     180    348    505    1840-1940
        chol/it    10     15     14     16-17  21     22     32-39
        third      2.0    3.2    3.0    4.1    5.3    6.0    9.2-10

    (the ratio grows less than ``p``: beyond ~100 MB, ``X`` no longer fits in
    the cache and each pass is slower).  A third of the direct cost buys about
    ``p / 120`` iterations, 4 at ``p = 500``: too few for any ``tol`` below
    ``1e-3`` even on well-conditioned data (``make_regression(20000, 500)``
    needs 6 iterations at ``tol=1e-4``, 8 at ``1e-6``, 10 at ``1e-7``).  The
    cap is therefore ``min(m // 50, 5 + m // 100)`` with ``m = min(n, p)`` (5 at
    ``m = 250``, 10 at 500, 15 at 1000, 25 at 2000): a CG attempt that runs
    into it costs 45-80% of the direct solve in the table.  Wide ``X``
    (``n < p``) is the same trade transposed: CG on the kernel system (one pass
    over ``X`` per iteration) against forming the ``n x n`` kernel matrix
    (``~n^2 p`` flops); measured, the direct solve costs 15 CG iterations at
    300 x 3000 and about 50 at 1000 x 10000, so the cap is, if anything,
    cautious there.  CG gives up earlier (:func:`_cg_remaining`) as soon as
    the condition number seen so far (Ritz values) shows that even CG's
    optimistic bound misses the cap; on ill-conditioned test data (correlated
    columns, decaying spectrum) that happened after 3-7 iterations, 20-50% of
    the direct cost.  Below 5 iterations (``m < 250``) CG rarely meets even the
    default ``tol``: such problems go direct, as do unpenalised features (no
    closed-form gap).  With several BLAS threads the Gram product speeds up
    more than the memory-bound CG passes, so the cap is generous there.
    """
    n, p = pb.X.shape
    if not np.all(pb.penalty.weights()[1] > 0):
        return 0
    m = min(n, p)
    cap = min(m // 50, 5 + m // 100, max_iter)
    return cap if cap >= 5 else 0


# Largest n of a direct kernel solve for sparse X under solver="auto" (its n x n
# float64 matrix takes 8 n^2 bytes: 200 MB at n = 5000).
_SPARSE_DIRECT_ROWS = 5000


def sparse_cap(pb: Problem, max_iter: int) -> int | None:
    """Iteration cap of the kernel-system CG for wide sparse ``X`` under
    ``solver="auto"``, or ``None``: no direct fallback (CG runs to ``max_iter``).

    The direct kernel solve (:func:`ridge_direct`) forms ``X D^-1 X^T`` by a
    sparse product and factors the dense ``n x n`` matrix; a CG iteration is two
    sparse products.  Measured (one thread, uniform entries, alpha = 1), the
    direct solve costs as much as 41 CG iterations at 1000 x 200000 (2e5
    nonzeros), 115 at 1000 x 20000, 207 at 2000 x 50000 and 863 at 5000 x
    100000, where CG needed 10-17 iterations to tol=1e-10.  The cap ``10 + n //
    25`` (50 at n = 1000, 210 at 5000) makes a CG attempt that runs into it
    cost 0.4-1.2 times the direct solve; CG gives up earlier when its Ritz
    values show the cap is out of reach (:func:`_cg_remaining`).  Beyond ``n =
    5000`` the ``n x n`` matrix (200 MB) is not formed: CG only.
    """
    if pb.n > _SPARSE_DIRECT_ROWS:
        return None
    return min(max_iter, 10 + pb.n // 25)
