"""Scalar proximal operators inlined into CD: the elastic net, MCP and SCAD."""

from . import kernel
from .codes import PROX_ELASTIC_NET, PROX_MCP, PROX_SCAD

KERNEL_STAMP = "0.1.0"


@kernel
def soft_threshold(z, t):
    """``sign(z) * max(|z| - t, 0)``."""
    if z > t:
        return z - t
    if z < -t:
        return z + t
    return z - z  # a zero of z's dtype


@kernel
def enet_coordinate(a, g, l1, l2, positive):
    """Minimiser of ``a/2 * w**2 - g*w + l1*|w| + l2/2 * w**2`` (``w >= 0`` if positive).

    ``a`` is the curvature of the smooth loss along the coordinate and ``g``
    the linear term (``a * w_old + gradient``).  Returns 0 when the curvature
    and ``l2`` are both zero (a column of zeros).
    """
    denom = a + l2
    if denom <= 0:
        return g - g
    if positive:
        z = g - l1
        if z <= 0:
            return g - g
        return z / denom
    return soft_threshold(g, l1) / denom


@kernel
def _clip(z, lo, hi):
    """``z`` clipped to ``[lo, hi]``."""
    if z > hi:
        return hi
    if z < lo:
        return lo
    return z


@kernel
def enet_coordinate_box(a, g, l1, l2, lo, hi):
    """Minimiser of ``a/2 * w**2 - g*w + l1*|w| + l2/2 * w**2`` over ``lo <= w <= hi``.

    The box contains 0 (``lo <= 0 <= hi``); in one dimension the constrained
    minimiser of a convex function is the unconstrained one clipped to the box:
    ``clip(soft(g, l1) / (a + l2), lo, hi)`` (``lo = 0, hi = inf`` is ``positive``;
    ``lo = hi = 0`` fixes the coordinate at 0).  Returns 0 when the curvature and
    ``l2`` are both zero (a column of zeros).
    """
    denom = a + l2
    if denom <= 0:
        return g - g
    return _clip(soft_threshold(g, l1) / denom, lo, hi)


@kernel
def _ncv_objective(code, a, g, l1, l2, gamma, w):
    """``(a + l2)/2 * w**2 - g*w + pen(w)`` with ``pen`` the MCP or SCAD of
    ``(l1, gamma)`` (:func:`ncv_coordinate`)."""
    t = abs(w)
    if code == PROX_MCP:
        if t <= gamma * l1:
            pen = l1 * t - t * t / (2 * gamma)
        else:
            pen = gamma * l1 * l1 / 2
    elif code != PROX_SCAD:
        raise ValueError("unknown prox code " + str(code))
    elif t <= l1:
        pen = l1 * t
    elif t <= gamma * l1:
        pen = (2 * gamma * l1 * t - t * t - l1 * l1) / (2 * (gamma - 1))
    else:
        pen = (gamma + 1) * l1 * l1 / 2
    return (a + l2) / 2 * w * w - g * w + pen


@kernel
def ncv_coordinate(code, a, g, l1, l2, gamma, lo, hi):
    """Minimiser over ``lo <= w <= hi`` of ``A/2 * w**2 - g*w + pen(w)``, ``A = a + l2``,
    ``pen`` the MCP (``code == PROX_MCP``) or the SCAD (``PROX_SCAD``) of level ``l1``
    and concavity ``gamma`` (Breheny's parametrization, as ncvreg).

    When ``A > 1/gamma`` (MCP) or ``A > 1/(gamma - 1)`` (SCAD) the one-dimensional
    problem is strictly convex and the minimiser is the firm (MCP) or SCAD threshold
    of ``g`` divided by the curvature, clipped to the box:

    * MCP: ``soft(g, l1) / (A - 1/gamma)`` if ``|g| <= A gamma l1``, else ``g / A``;
    * SCAD: ``soft(g, l1) / A`` if ``|g| <= (A + 1) l1``, ``sign(g) (|g| - gamma l1 /
      (gamma - 1)) / (A - 1/(gamma - 1))`` if ``|g| <= A gamma l1``, else ``g / A``.

    Below that curvature (an unstandardised column, or the logistic loss's
    curvature ``<= 1/4``) the problem is not convex: the candidates (the
    stationary points of the convex regions, the boundaries of the concave ones,
    the box ends, all clipped to the box) are compared and the best returned, so
    that every coordinate step still minimises exactly and CD descends.  Returns 0 when ``A = 0``.
    """
    A = a + l2
    zero = g - g
    one = gamma / gamma  # (gamma > 1) a 1 of the arrays' dtype: float32 stays float32
    if A <= 0:
        return zero
    s = one if g >= 0 else -one
    ag = abs(g)
    if code == PROX_MCP:
        if A * gamma > one:
            if ag <= l1:
                return _clip(zero, lo, hi)
            if ag <= A * gamma * l1:
                return _clip(s * (ag - l1) / (A - one / gamma), lo, hi)
            return _clip(g / A, lo, hi)
    elif code != PROX_SCAD:
        raise ValueError("unknown prox code " + str(code))
    elif A * (gamma - one) > one:
        if ag <= l1:
            return _clip(zero, lo, hi)
        if ag <= (A + one) * l1:
            return _clip(s * (ag - l1) / A, lo, hi)
        if ag <= A * gamma * l1:
            return _clip(s * (ag - gamma * l1 / (gamma - one)) / (A - one / (gamma - one)), lo, hi)
        return _clip(g / A, lo, hi)
    # non-convex coordinate problem: compare the candidates
    best = _clip(zero, lo, hi)
    fbest = _ncv_objective(code, a, g, l1, l2, gamma, best)
    for k in range(6):
        if k == 0:
            c = s * l1
        elif k == 1:
            c = s * gamma * l1
        elif k == 2:
            c = g / A
        elif k == 3:
            c = lo
        elif k == 4:
            c = hi
        else:  # the stationary point of the L1 region (SCAD's convex part)
            c = s * max(ag - l1, zero) / A
        if not (c == c) or c - c != 0:  # NaN or an infinite box end
            continue
        c = _clip(c, lo, hi)
        f = _ncv_objective(code, a, g, l1, l2, gamma, c)
        if f < fbest:
            best, fbest = c, f
    return best


@kernel
def coordinate(code, a, g, l1, l2, gamma, lo, hi):
    """The coordinate update of the prox ``code``: :func:`enet_coordinate_box` for
    ``PROX_ELASTIC_NET``, :func:`ncv_coordinate` for ``PROX_MCP`` and ``PROX_SCAD``
    (``gamma`` unused by the elastic net); any other code raises ``ValueError``."""
    if code == PROX_ELASTIC_NET:
        return enet_coordinate_box(a, g, l1, l2, lo, hi)
    return ncv_coordinate(code, a, g, l1, l2, gamma, lo, hi)
