"""numba kernels against plain-numpy references written here from their definitions.

The CD epoch minimises, coordinate by coordinate over ``order``,

    F(w, b) = 1/2 * sum_i h_i * (z_i - x_i @ w - b)**2 + sum_j l1_j |w_j| + l2_j/2 w_j**2

keeping the intercept ``b`` optimal for the current ``w`` (when there is one);
the tests hold the state as the residual ``q = z - X @ w - b0`` and the shift
``delta`` with ``b = b0 + delta`` (the sparse kernel's storage; the dense
kernel stores the true residual ``q - delta``, converted in ``_run_kernel``).
The reference below re-derives every step from scratch (centred columns,
re-optimised ``b``), with none of the kernel's bookkeeping.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import minimize_scalar

from skdecay._kernels import cd as kcd
from skdecay._kernels.prox import enet_coordinate, enet_coordinate_box, soft_threshold

# ---------------------------------------------------------------------------
# prox kernels


def _ref_soft(z, t):
    return np.sign(z) * max(abs(z) - t, 0.0)


@pytest.mark.parametrize("t", [0.0, 0.5, 2.0])
def test_soft_threshold(t):
    for z in [-3.0, -2.0, -0.5, -1e-300, 0.0, 0.3, 0.5, 2.0, 7.25]:
        assert soft_threshold(z, t) == _ref_soft(z, t)
        got32 = soft_threshold(np.float32(z), np.float32(t))
        assert got32 == np.float32(_ref_soft(np.float32(z), np.float32(t)))


def _ref_coordinate(a, g, l1, l2, positive):
    """argmin_w (a + l2)/2 w**2 - g w + l1 |w| (w >= 0 if positive); 0 if a + l2 == 0."""
    if a + l2 <= 0:
        return 0.0
    if positive:
        return max(g - l1, 0.0) / (a + l2)
    return _ref_soft(g, l1) / (a + l2)


@pytest.mark.parametrize("positive", [False, True])
def test_enet_coordinate_against_formula_and_minimiser(positive):
    rng = np.random.default_rng(0)
    for _ in range(60):
        a, l2 = rng.uniform(0, 3, 2)
        l1 = rng.choice([0.0, rng.uniform(0, 2)])
        g = 3 * rng.standard_normal()
        got = enet_coordinate(a, g, l1, l2, positive)
        assert got == pytest.approx(_ref_coordinate(a, g, l1, l2, positive), rel=1e-14, abs=0)
        phi = lambda w: 0.5 * a * w * w - g * w + l1 * abs(w) + 0.5 * l2 * w * w  # noqa: E731
        res = minimize_scalar(
            phi, bounds=(0 if positive else -50, 50), method="bounded", options={"xatol": 1e-12}
        )
        assert phi(got) <= min(res.fun, phi(0.0)) + 1e-12
    assert enet_coordinate(0.0, 1.0, 0.0, 0.0, positive) == 0.0  # empty column, no ridge
    got32 = enet_coordinate(
        np.float32(1.5), np.float32(2.0), np.float32(0.5), np.float32(0.25), positive
    )
    assert got32 == np.float32(np.float32(1.5) / np.float32(1.75))


def test_enet_coordinate_box_is_the_clipped_minimiser():
    rng = np.random.default_rng(1)
    for _ in range(60):
        a, l2 = rng.uniform(0, 3, 2)
        l1 = rng.choice([0.0, rng.uniform(0, 2)])
        g = 3 * rng.standard_normal()
        lo, hi = -rng.choice([0.0, 0.3, np.inf]), rng.choice([0.0, 0.5, np.inf])
        got = enet_coordinate_box(a, g, l1, l2, lo, hi)
        phi = lambda w: 0.5 * a * w * w - g * w + l1 * abs(w) + 0.5 * l2 * w * w  # noqa: E731
        res = minimize_scalar(
            phi, bounds=(max(lo, -50), min(hi, 50)), method="bounded", options={"xatol": 1e-12}
        )
        assert lo <= got <= hi
        assert phi(got) <= min(res.fun, phi(0.0), phi(max(lo, -50)), phi(min(hi, 50))) + 1e-12
        # positive is the box [0, inf); an unbounded box is enet_coordinate
        assert enet_coordinate_box(a, g, l1, l2, 0.0, np.inf) == enet_coordinate(a, g, l1, l2, True)
        assert enet_coordinate_box(a, g, l1, l2, -np.inf, np.inf) == enet_coordinate(
            a, g, l1, l2, False
        )
    assert enet_coordinate_box(1.0, 5.0, 0.0, 0.0, 0.0, 0.0) == 0.0  # excluded feature
    f = np.float32
    got32 = enet_coordinate_box(f(1.5), f(2.0), f(0.5), f(0.25), f(-1), f(0.5))
    assert got32 == f(0.5)  # clipped to the float32 bound
    got32 = enet_coordinate_box(f(1.5), f(2.0), f(0.5), f(0.25), f(-1), f(2))
    assert got32 == f(1.5) / f(1.75)


# ---------------------------------------------------------------------------
# CD epochs


def _box(positive, p, dtype=np.float64):
    """``(lo, hi)`` arrays of an epoch: ``positive`` is a flag or a ``(lo, hi)`` pair."""
    if isinstance(positive, tuple):
        lo, hi = positive
    else:
        lo, hi = (0.0 if positive else -np.inf), np.inf
    return np.full(p, lo, dtype=dtype) + 0, np.full(p, hi, dtype=dtype) + 0


BOX = (
    np.array([-np.inf, -0.1, 0.0, -0.05, -np.inf, 0.0, -0.2, -0.3]),
    np.array([np.inf, 0.1, 0.0, 0.05, 0.02, np.inf, 0.3, 0.0]),
)


def _problem(dtype=np.float64, n=30, p=8, seed=0, with_empty_column=True):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * (rng.uniform(size=(n, p)) < 0.6)
    X[:, 1] += 2.0  # a column with a large mean: the coupled intercept move matters
    if with_empty_column:
        X[:, 3] = 0.0
    z = rng.standard_normal(n) + X @ rng.standard_normal(p) + 1.5
    h = rng.uniform(0.1, 2.0, n) / n
    l1 = rng.uniform(0, 0.05, p)
    l1[0] = 0.0  # unpenalised
    l2 = rng.uniform(0, 0.05, p)
    l2[[0, 2]] = 0.0  # pure L1 / unpenalised
    w0 = rng.standard_normal(p) * (rng.uniform(size=p) < 0.5)
    b0 = 0.3
    cast = lambda a: np.asarray(a, dtype=dtype)  # noqa: E731
    return (np.asfortranarray(cast(X)), cast(z), cast(h), cast(l1), cast(l2), cast(w0), dtype(b0))


def _wmean(v, h):
    return np.dot(h, v) / np.sum(h)


def _kernel_inputs(X, z, h, w0, b0, fit_intercept):
    """Moments and initial state the way the kernel expects them, computed in numpy."""
    dt = X.dtype
    hxx = (h[:, None] * X * X).sum(axis=0)
    if fit_intercept:
        hx = (h[:, None] * X).sum(axis=0)
        xbar = hx / h.sum()
        col_sq = (h[:, None] * (X - xbar) ** 2).sum(axis=0)
    else:
        hx = np.zeros(X.shape[1])
        xbar = np.zeros(X.shape[1])
        col_sq = hxx
    q = z - X @ w0 - b0
    delta = _wmean(q, h) if fit_intercept else 0.0
    return (
        np.asarray(col_sq, dt),
        np.asarray(hx, dt),
        np.asarray(xbar, dt),
        np.asarray(q, dt),
        dt.type(delta),
    )


def _ref_epoch(X, z, h, w, b, l1, l2, positive, order, fit_intercept):
    """Exact minimisation over each ``w_j`` in turn, with ``b`` re-optimised (if fitted)."""
    X, z, h = (np.asarray(a, dtype=np.float64) for a in (X, z, h))
    w = np.array(w, dtype=np.float64)
    if fit_intercept:
        b = _wmean(z - X @ w, h)
    max_dw = max_w = 0.0
    for j in order:
        x = X[:, j]
        xc = x - _wmean(x, h) if fit_intercept else x
        a = np.dot(h, xc * xc)
        if a <= 0 and l2[j] <= 0:
            continue
        r = z - X @ w - b
        g = np.dot(h * xc, r) + a * w[j]
        lo, hi = _box(positive, X.shape[1])
        new = float(np.clip(_ref_coordinate(a, g, float(l1[j]), float(l2[j]), False), lo[j], hi[j]))
        max_dw = max(max_dw, abs(new - w[j]))
        max_w = max(max_w, abs(new))
        w[j] = new
        if fit_intercept:
            b = _wmean(z - X @ w, h)
    return w, float(b), max_dw, max_w


ORDERS = {
    "cyclic": lambda p, rng: np.arange(p),
    "reversed": lambda p, rng: np.arange(p)[::-1].copy(),
    "permuted": lambda p, rng: rng.permutation(p),
    "subset_with_repeats": lambda p, rng: np.array([5, 1, 5, 0, 7, 1]),
}


def _run_kernel(kind, X, w, q, h, delta, col_sq, hx, xbar, l1, l2, positive, order):
    lo, hi = _box(positive, X.shape[1], X.dtype)
    if kind == "dense":  # the dense kernel keeps the true residual q - delta
        r = q - delta
        out = kcd.cd_epoch_dense(
            X, w, r, h, delta, col_sq, xbar, l1, l2, lo, hi, order, 0, X.dtype.type(1)
        )
        q[:] = r + out[2]
        return out
    S = sp.csc_matrix(X)
    S.sort_indices()
    csc, one = (S.data, S.indices, S.indptr), X.dtype.type(1)
    return kcd.cd_epoch_sparse(
        *csc, w, q, h, delta, col_sq, hx, xbar, l1, l2, lo, hi, order, 0, one
    )


@pytest.mark.parametrize("kind", ["dense", "sparse"])
@pytest.mark.parametrize("order_kind", list(ORDERS))
@pytest.mark.parametrize("positive", [False, True, BOX], ids=["free", "positive", "box"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_cd_epoch_matches_numpy_reference(kind, order_kind, positive, fit_intercept):
    X, z, h, l1, l2, w0, b0 = _problem()
    lo, hi = _box(positive, X.shape[1])
    w0 = np.clip(np.abs(w0) if positive is True else w0, lo, hi)
    order = ORDERS[order_kind](X.shape[1], np.random.default_rng(1)).astype(np.int64)
    col_sq, hx, xbar, q, delta = _kernel_inputs(X, z, h, w0, b0, fit_intercept)
    w = w0.copy()
    X_before = X.copy()
    max_dw, max_w, delta, _ = _run_kernel(
        kind, X, w, q, h, delta, col_sq, hx, xbar, l1, l2, positive, order
    )
    w_ref, b_ref, max_dw_ref, max_w_ref = _ref_epoch(
        X, z, h, w0, b0, l1, l2, positive, order, fit_intercept
    )
    np.testing.assert_allclose(w, w_ref, rtol=1e-12, atol=1e-12)
    assert b0 + delta == pytest.approx(b_ref, rel=1e-12, abs=1e-12)
    if not fit_intercept:
        assert delta == 0
    # the stored residual is z - X @ w - b0 for the new w
    np.testing.assert_allclose(q, z - X @ w_ref - b0, rtol=1e-12, atol=1e-12)
    assert max_dw == pytest.approx(max_dw_ref, rel=1e-12, abs=1e-14)
    assert max_w == pytest.approx(max_w_ref, rel=1e-12, abs=1e-14)
    np.testing.assert_array_equal(X, X_before)
    assert np.all((w >= lo) & (w <= hi))


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_dense_and_sparse_epochs_agree(positive, fit_intercept):
    X, z, h, l1, l2, w0, b0 = _problem(n=50, p=12, seed=3)
    col_sq, hx, xbar, q0, delta0 = _kernel_inputs(X, z, h, w0, b0, fit_intercept)
    order = np.random.default_rng(2).permutation(12).astype(np.int64)
    states = {}
    for kind in ("dense", "sparse"):
        w, q, delta = w0.copy(), q0.copy(), delta0
        for _ in range(5):
            out = _run_kernel(kind, X, w, q, h, delta, col_sq, hx, xbar, l1, l2, positive, order)
            delta = out[2]
        states[kind] = (w, q, delta, out[:2])
    (wd, qd, dd, md), (ws, qs, ds, ms) = states["dense"], states["sparse"]
    np.testing.assert_allclose(wd, ws, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(qd, qs, rtol=1e-12, atol=1e-13)
    assert dd == pytest.approx(ds, rel=1e-12, abs=1e-13)
    np.testing.assert_allclose(md, ms, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("positive", [False, True])
def test_single_coordinate_move_is_exact_minimisation(fit_intercept, positive):
    """One coordinate move minimises F over (w_j, b) jointly: compared with a scalar search."""
    X, z, h, l1, l2, w0, b0 = _problem(seed=7)
    X64 = X.astype(np.float64)

    def F_profile(w):  # objective with the intercept at its optimum for w (or fixed at b0)
        r = z - X64 @ w
        b = _wmean(r, h) if fit_intercept else b0
        return 0.5 * np.dot(h, (r - b) ** 2) + np.sum(l1 * np.abs(w)) + 0.5 * np.sum(l2 * w * w)

    for j in (1, 2, 5):
        col_sq, hx, xbar, q, delta = _kernel_inputs(X, z, h, w0, b0, fit_intercept)
        w = w0.copy()
        order = np.array([j], dtype=np.int64)
        _run_kernel("dense", X, w, q, h, delta, col_sq, hx, xbar, l1, l2, positive, order)

        def along(t, j=j):
            v = w0.copy()
            v[j] = t
            return F_profile(v)

        res = minimize_scalar(
            along, bounds=(0 if positive else -20, 20), method="bounded", options={"xatol": 1e-11}
        )
        assert F_profile(w) <= min(res.fun, along(0.0)) + 1e-13
        assert F_profile(w) <= F_profile(w0) + 1e-15


@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_epochs_decrease_objective_monotonically(kind):
    X, z, h, l1, l2, w0, b0 = _problem(n=40, p=10, seed=11)
    col_sq, hx, xbar, q, delta = _kernel_inputs(X, z, h, w0, b0, True)
    w = w0.copy()

    def F(w, b):
        r = z - X @ w - b
        return 0.5 * np.dot(h, r * r) + np.sum(l1 * np.abs(w)) + 0.5 * np.sum(l2 * w * w)

    values = [F(w, b0 + delta)]
    for _ in range(30):
        _, _, delta, _ = _run_kernel(
            kind, X, w, q, h, delta, col_sq, hx, xbar, l1, l2, False, np.arange(10, dtype=np.int64)
        )
        values.append(F(w, b0 + delta))
    assert np.all(np.diff(values) <= 1e-14)
    assert values[-1] < values[0]


# ---------------------------------------------------------------------------
# column moments


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize("offset", [0.0, 1e3])
def test_column_moments_dense_and_sparse(dtype, center, offset):
    rng = np.random.default_rng(4)
    X = rng.standard_normal((25, 6)) * (rng.uniform(size=(25, 6)) < 0.4)
    X[:, 2] = 0.0
    X[:, 4] += offset  # a large mean must not cancel the centred second moment
    h = rng.uniform(0.1, 2, 25)
    Xd = np.asfortranarray(X.astype(dtype))
    hd = h.astype(dtype)
    X64 = Xd.astype(np.float64)
    ref_xbar = (h[:, None] * X64).sum(0) / h.sum() if center else np.zeros(6)
    ref_sq = (h[:, None] * (X64 - ref_xbar) ** 2).sum(0)
    rtol = 1e-12 if dtype == np.float64 else 2e-5
    xbar, sq = kcd.column_moments_dense(Xd, hd, center)
    S = sp.csc_matrix(Xd)
    xbar_s, sq_s = kcd.column_moments_sparse(S.data, S.indices, S.indptr, hd, 6, center)
    for got in (xbar, sq, xbar_s, sq_s):
        assert got.dtype == dtype and got.shape == (6,)
    for got_xbar, got_sq in ((xbar, sq), (xbar_s, sq_s)):
        np.testing.assert_allclose(got_xbar, ref_xbar, rtol=rtol, atol=rtol)
        np.testing.assert_allclose(got_sq, ref_sq, rtol=rtol, atol=rtol * (1 + offset))


# ---------------------------------------------------------------------------
# float32


@pytest.mark.parametrize("kind", ["dense", "sparse"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_float32_epoch_stays_float32_and_matches_reference(kind, fit_intercept):
    X, z, h, l1, l2, w0, b0 = _problem(dtype=np.float32)
    col_sq, hx, xbar, q, delta = _kernel_inputs(X, z, h, w0, b0, fit_intercept)
    for a in (col_sq, hx, xbar, q):
        assert a.dtype == np.float32
    w = w0.copy()
    order = np.arange(X.shape[1], dtype=np.int64)
    max_dw, max_w, delta, _ = _run_kernel(
        kind, X, w, q, h, delta, col_sq, hx, xbar, l1, l2, False, order
    )
    assert w.dtype == np.float32 and q.dtype == np.float32
    # scalars come back as Python floats; they must carry float32 values
    for v in (max_dw, max_w, delta):
        assert float(np.float32(v)) == v
    w_ref, b_ref, _, _ = _ref_epoch(
        X, z, h, w0, b0, l1.astype(np.float64), l2.astype(np.float64), False, order, fit_intercept
    )
    np.testing.assert_allclose(w, w_ref, rtol=1e-4, atol=1e-5)
    assert float(b0) + delta == pytest.approx(b_ref, rel=1e-4, abs=1e-5)


# ---------------------------------------------------------------------------
# working-set support: gradient-mapping steps, uniform weights, moments of a subset


def _ref_steps(X, z, h, w, b, l1, l2, positive, order, fit_intercept):
    """``(col_sq_j + l2_j) * |dw_j|`` of every move of :func:`_ref_epoch`, from scratch."""
    X, z, h = (np.asarray(a, dtype=np.float64) for a in (X, z, h))
    w = np.array(w, dtype=np.float64)
    if fit_intercept:
        b = _wmean(z - X @ w, h)
    steps = [0.0]
    for j in order:
        xc = X[:, j] - _wmean(X[:, j], h) if fit_intercept else X[:, j]
        a = np.dot(h, xc * xc)
        if a <= 0 and l2[j] <= 0:
            continue
        r = z - X @ w - b
        new = _ref_coordinate(a, np.dot(h * xc, r) + a * w[j], float(l1[j]), float(l2[j]), positive)
        steps.append((a + float(l2[j])) * abs(new - w[j]))
        w[j] = new
        if fit_intercept:
            b = _wmean(z - X @ w, h)
    return steps


@pytest.mark.parametrize("kind", ["dense", "sparse"])
@pytest.mark.parametrize("uniform", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_epoch_step_and_uniform_weights_match_reference(kind, uniform, fit_intercept):
    """The fourth output is the largest gradient-mapping step; uniform weights without
    centring take the BLAS dot-product branch of the dense kernel: same epoch."""
    X, z, h, l1, l2, w0, b0 = _problem(seed=5)
    if uniform:
        h = np.full_like(h, 1.0 / h.size)
    order = np.random.default_rng(3).permutation(X.shape[1]).astype(np.int64)
    col_sq, hx, xbar, q, delta = _kernel_inputs(X, z, h, w0, b0, fit_intercept)
    w = w0.copy()
    _, _, delta, step = _run_kernel(kind, X, w, q, h, delta, col_sq, hx, xbar, l1, l2, False, order)
    w_ref, b_ref, _, _ = _ref_epoch(X, z, h, w0, b0, l1, l2, False, order, fit_intercept)
    steps = _ref_steps(X, z, h, w0, b0, l1, l2, False, order, fit_intercept)
    np.testing.assert_allclose(w, w_ref, rtol=1e-12, atol=1e-12)
    assert b0 + delta == pytest.approx(b_ref, rel=1e-12, abs=1e-12)
    assert step == pytest.approx(max(steps), rel=1e-10, abs=1e-14)
    assert step > 0


def test_epoch_step_vanishes_at_a_fixed_point():
    X, z, h, l1, l2, w0, b0 = _problem(seed=6)
    col_sq, hx, xbar, q, delta = _kernel_inputs(X, z, h, w0, b0, True)
    w = w0.copy()
    order = np.arange(X.shape[1], dtype=np.int64)
    for _ in range(3000):
        *_, delta, step = _run_kernel(
            "dense", X, w, q, h, delta, col_sq, hx, xbar, l1, l2, False, order
        )
        if step < 1e-14:
            break
    assert step < 1e-14
    # at the fixed point the epoch's optimality holds: the reference moves nothing
    w_ref, _, max_dw_ref, _ = _ref_epoch(X, z, h, w, b0 + delta, l1, l2, False, order, True)
    assert max_dw_ref < 1e-12


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("center", [True, False])
def test_column_moments_of_a_subset_in_place(dtype, center):
    rng = np.random.default_rng(8)
    X = rng.standard_normal((30, 9)) * (rng.uniform(size=(30, 9)) < 0.5) + 0.5
    h = rng.uniform(0.1, 2, 30).astype(dtype)
    Xd = np.asfortranarray(X.astype(dtype))
    X64, h64 = Xd.astype(np.float64), h.astype(np.float64)
    idx = np.array([7, 2, 4], dtype=np.int64)
    ref_xbar = (h64[:, None] * X64).sum(0) / h64.sum() if center else np.zeros(9)
    ref_sq = (h64[:, None] * (X64 - ref_xbar) ** 2).sum(0)
    S = sp.csc_matrix(Xd)
    rtol = 1e-12 if dtype == np.float64 else 2e-5
    for kind in ("dense", "sparse"):
        xbar = np.full(9, -7.0, dtype=dtype)
        col_sq = np.full(9, -7.0, dtype=dtype)
        if kind == "dense":
            kcd.column_moments_dense_at(Xd, h, center, idx, xbar, col_sq)
        else:
            kcd.column_moments_sparse_at(S.data, S.indices, S.indptr, h, center, idx, xbar, col_sq)
        others = np.setdiff1d(np.arange(9), idx)
        assert np.all(xbar[others] == -7) and np.all(col_sq[others] == -7)
        np.testing.assert_allclose(xbar[idx], ref_xbar[idx], rtol=rtol, atol=rtol)
        np.testing.assert_allclose(col_sq[idx], ref_sq[idx], rtol=rtol, atol=rtol)
        assert xbar.dtype == dtype and col_sq.dtype == dtype


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("wdtype", [np.float64, np.float32])
def test_screen_kernels_match_their_numpy_references(positive, wdtype):
    """``pure_l1_scaling`` and ``kkt_violations`` against the numpy code they replace
    for large ``p`` (mixed pure-L1, elastic-net and unpenalised coordinates)."""
    from skdecay._kernels.screen import kkt_violations, pure_l1_scaling
    from skdecay.penalties import _scaling_limit_numpy

    rng = np.random.default_rng(7)
    p = 600
    V = rng.standard_normal(p)
    w = np.where(rng.random(p) < 0.3, rng.standard_normal(p), 0.0).astype(wdtype)
    if positive:
        w = np.abs(w)
    l1 = np.where(rng.random(p) < 0.1, 0.0, rng.uniform(0.2, 1.5, p))
    l2 = np.where(rng.random(p) < 0.5, 0.0, rng.uniform(0.0, 0.5, p))
    # numpy reference, as in penalties.dual.fast_violations for small p
    ref = np.abs(V - np.sign(w) * l1 - l2 * w)
    zero = w == 0
    mag = V[zero] if positive else np.abs(V[zero])
    ref[zero] = np.maximum(mag - l1[zero], 0.0)
    np.testing.assert_allclose(kkt_violations(V, w, l1, l2, positive), ref, rtol=1e-6, atol=0)
    for K in (1, 3):
        M = np.abs(rng.standard_normal((K, p)))
        got = pure_l1_scaling(M, l1, l2)
        assert got == pytest.approx(_scaling_limit_numpy(M, l1, l2), rel=1e-15)
    assert pure_l1_scaling(np.zeros((1, p)), l1, l2) == 1.0


# ---------------------------------------------------------------------------
# integer codes: one registry (``_kernels.codes``); an unknown code raises


BOGUS = 17


def test_the_registry_is_the_only_source_of_codes():
    from skdecay import losses, optim, penalties
    from skdecay._kernels import codes, mlp

    for table in (codes.LOSS_NAMES, codes.PROX_NAMES, codes.ACTIVATION_NAMES, codes.STEP_NAMES):
        assert sorted(table) == list(range(len(table)))  # 0..m-1, each code once
        assert len(set(table.values())) == len(table)
    assert BOGUS not in codes.LOSS_NAMES and BOGUS not in codes.PROX_NAMES
    # the re-exports are the registry's values, not copies
    assert penalties.PROX_BLOCK_ELASTIC_NET == codes.PROX_BLOCK_ELASTIC_NET
    assert (penalties.PROX_MCP, penalties.PROX_SCAD) == (codes.PROX_MCP, codes.PROX_SCAD)
    assert {c: losses.get_loss(c).name for c in losses.LOSSES} == codes.LOSS_NAMES
    assert (mlp.SQUARED_LOSS, mlp.LOGISTIC_LOSS, mlp.MULTINOMIAL_LOSS, mlp.POISSON_LOSS) == (
        codes.SQUARED,
        codes.LOGISTIC,
        codes.MULTINOMIAL,
        codes.POISSON,
    )
    assert optim.PROX_GROUP == codes.PROX_GROUP and mlp.LOGISTIC == codes.SIGMOID
    # the regression losses: one list, from the registry
    assert losses.REGRESSION_LOSS_NAMES == ("squared_error", "poisson", "gamma", "tweedie")
    assert losses.GLM_LOSS_NAMES == ("poisson", "gamma", "tweedie")


@pytest.mark.parametrize("code", [BOGUS, -1, 2.5, True, None, "logistic"])
def test_python_side_rejects_unknown_loss_codes(code):
    from skdecay import losses

    if code == "logistic":  # a name is fine; a code must be an exact integer
        assert losses.get_loss(code).code == 1
        return
    with pytest.raises(ValueError, match="unknown loss code"):
        losses.get_loss(code)


def test_prox_kernels_raise_on_an_unknown_code():
    """``coordinate`` dispatches on the scalar prox codes; an unknown one (or the
    multi-task block code, which is not a scalar prox) raises instead of falling
    through to the SCAD formula."""
    from skdecay._kernels import codes
    from skdecay._kernels.prox import _ncv_objective, coordinate, ncv_coordinate

    inf = np.inf
    for code in (BOGUS, codes.PROX_BLOCK_ELASTIC_NET):
        with pytest.raises(ValueError, match=f"unknown prox code {code}"):
            coordinate(code, 1.0, 0.7, 0.2, 0.1, 3.0, -inf, inf)
        with pytest.raises(ValueError, match=f"unknown prox code {code}"):
            ncv_coordinate(code, 1.0, 0.7, 0.2, 0.1, 3.0, -inf, inf)
        with pytest.raises(ValueError, match=f"unknown prox code {code}"):
            _ncv_objective(code, 1.0, 0.7, 0.2, 0.1, 3.0, 0.5)
    # the known codes still return the closed forms
    assert coordinate(codes.PROX_ELASTIC_NET, 1.0, 0.7, 0.2, 0.1, 3.0, -inf, inf) == (
        pytest.approx(0.5 / 1.1)
    )
    # MCP's firm threshold, |g| <= A gamma l1: soft(g, l1) / (A - 1/gamma)
    mcp = coordinate(codes.PROX_MCP, 1.0, 0.5, 0.2, 0.0, 3.0, -inf, inf)
    assert mcp == pytest.approx(0.3 / (1 - 1 / 3))


def test_loss_kernels_raise_on_an_unknown_code():
    """The per-sample loss of the compiled GLM/logistic path and its exact change
    raise for a code they do not know (the squared loss included: that path never
    handles it), instead of returning the Tweedie formula's value."""
    from skdecay._kernels import codes
    from skdecay._kernels.logistic_gap import gap_search
    from skdecay._kernels.logistic_path import _evaluate, _unit, _unit_change

    for code in (BOGUS, codes.SQUARED):
        with pytest.raises(ValueError, match=f"unknown loss code {code}"):
            _unit(code, 1.5, 1.0, 0.3)
        with pytest.raises(ValueError, match=f"unknown loss code {code}"):
            _unit_change(code, 1.5, 1.0, 0.3, np.exp(0.3), 0.01)
    # the path's first evaluation of the loss, with the kernel's own arrays
    Z, Y = np.zeros((1, 4)), np.ones((1, 4))
    bufs = [np.empty((1, 4)), np.empty((2, 4)), np.empty((1, 4)), np.empty((1, 4))]
    with pytest.raises(ValueError, match=f"unknown loss code {BOGUS}"):
        _evaluate(Z, Y, np.ones(4), BOGUS, 1.5, *bufs)
    assert _evaluate(Z, Y, np.ones(4), codes.POISSON, 1.5, *bufs) == pytest.approx(1.0)  # mu - y z
    # the duality gap's data term (Tweedie has no conjugate: it never gets there)
    V, W, l1 = np.zeros((1, 2)), np.zeros((1, 2)), np.ones(2)
    for code in (BOGUS, codes.TWEEDIE):
        with pytest.raises(ValueError, match=f"unknown loss code {code}"):
            gap_search(
                Y, Z, np.zeros((2, 4)), np.ones(4), 4, code, V, W, l1, 0 * l1,
                (False, -l1, l1, False), 0.0, np.inf, 1.0, np.empty((6, 2)),
            )  # fmt: skip


def test_mlp_kernels_raise_on_an_unknown_code():
    from skdecay import optim
    from skdecay._kernels import mlp

    a = np.array([-1.0, 0.5])
    with pytest.raises(ValueError, match=f"unknown activation code {BOGUS}"):
        mlp._activate(a.copy(), BOGUS)
    with pytest.raises(ValueError, match=f"unknown activation code {BOGUS}"):
        mlp._backprop_activation(a.copy(), a.copy(), BOGUS)
    b = a.copy()
    mlp._activate(b, mlp.IDENTITY)  # identity: a valid no-op
    np.testing.assert_array_equal(b, a)
    n = 3
    p, g, z = np.ones(n), np.ones(n), np.zeros(n)
    hyper = optim.hyper_parameters(0.1, 0.9, False, 0.9, 0.999, 1e-8)
    with pytest.raises(ValueError, match=f"unknown optimizer step code {BOGUS}"):
        mlp.chain_update(
            p, g, np.array([BOGUS]), hyper, z, z, *optim.no_groups(), z.copy(), z.copy(), 1,
            z.copy(), z.copy(),
        )  # fmt: skip
    with pytest.raises(ValueError, match=f"unknown step code {BOGUS}"):  # the numpy side
        optim.apply_chain(np.array([BOGUS]), p.copy(), g, hyper, z, z, z.copy(), z.copy(), 1)
