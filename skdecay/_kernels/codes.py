"""The integer codes shared by the Python side and the numba kernels.

One registry: :mod:`skdecay.losses` builds its table on these names and the
kernels compare against them (numba freezes module globals at compile time), so
a code is defined here once and nowhere else.  Plain Python, no numba import.
"""

KERNEL_STAMP = "0.1.0"

# losses (``skdecay.losses.LOSSES`` holds one entry per code)
SQUARED = 0
LOGISTIC = 1
MULTINOMIAL = 2
POISSON = 3
GAMMA = 4
TWEEDIE = 5

LOSS_NAMES = {
    SQUARED: "squared_error",
    LOGISTIC: "logistic",
    MULTINOMIAL: "multinomial",
    POISSON: "poisson",
    GAMMA: "gamma",
    TWEEDIE: "tweedie",
}

__all__ = ["SQUARED", "LOGISTIC", "MULTINOMIAL", "POISSON", "GAMMA", "TWEEDIE", "LOSS_NAMES"]
