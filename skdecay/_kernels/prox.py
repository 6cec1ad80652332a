"""Proximal operators of the elastic-net penalty (scalar, inlined into CD)."""

from . import kernel

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
    z = soft_threshold(g, l1) / denom
    if z > hi:
        return hi
    if z < lo:
        return lo
    return z
