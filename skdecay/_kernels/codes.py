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

# scalar prox codes of the coordinate-descent kernels (``_kernels.prox.coordinate``);
# ``skdecay.penalties`` re-exports them (``PROX_ELASTIC_NET`` is also its code 0)
PROX_ELASTIC_NET = 0
PROX_MCP = 2  # 1 is the multi-task block prox (``penalties.PROX_BLOCK_ELASTIC_NET``)
PROX_SCAD = 3

__all__ = [
    "PROX_ELASTIC_NET",
    "PROX_MCP",
    "PROX_SCAD",
    "SQUARED",
    "LOGISTIC",
    "MULTINOMIAL",
    "POISSON",
    "GAMMA",
    "TWEEDIE",
    "LOSS_NAMES",
]
