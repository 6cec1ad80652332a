"""Ridge solvers for dense or sparse ``X``: direct (Cholesky) solves and
Jacobi-preconditioned conjugate gradients (CG).

All solve the problem of :class:`~skdecay.RidgeRegressor` as built by
:mod:`skdecay.linear_model` (sample weights ``pb.s`` summing to ``n``, per-feature
penalty ``lam = n * alpha * pf``, unpenalised intercept)::

    minimise  ||t - A w||^2 / 2 + sum_j lam_j w_j^2 / 2,
    A = sqrt(s) (X - 1 xm^T),  t = sqrt(s) (y - ym)

(``xm``, ``ym`` the weighted means; zero without intercept), either through the
normal equations ``(A^T A + D) w = A^T t`` (``D = diag(lam)``, ``p x p``) or, when
``n < p`` and every ``lam_j > 0``, through the kernel (dual) system
``(A D^-1 A^T + I) u = t`` (``n x n``), ``w = D^-1 A^T u``.  ``A`` is never
formed: sparse ``X`` is neither centred nor weighted nor densified (nor is
dense ``X`` in CG).  Centring and weights act on vectors (``A v = sqrt(s) P X v``
and ``A^T u = X^T P^T sqrt(s) u`` with ``P = I - 1 s^T / n``, since ``xm = X^T s
/ n``) or on the ``n x n`` kernel matrix of a direct solve.  Every solver
returns a :class:`~skdecay.solvers.Result` carrying the true duality gap.

Layout: :mod:`._direct` (Cholesky, minimum norm), :mod:`._cg` (the two CG systems),
:mod:`._pcg` (the CG loop), :mod:`._caps` (``solver="auto"``'s CG caps),
:mod:`._problem` (weights, centred target, duality gaps), :mod:`._products`
(products with ``X``).
"""

from ._caps import cg_cap, sparse_cap
from ._cg import ridge_cg, ridge_dual_cg
from ._direct import ridge_direct, ridge_min_norm

__all__ = ["cg_cap", "ridge_cg", "ridge_direct", "ridge_dual_cg", "ridge_min_norm", "sparse_cap"]
