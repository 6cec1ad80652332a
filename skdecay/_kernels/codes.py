"""The integer codes shared by the Python side and the numba kernels.

One registry: :mod:`skdecay.losses`, :mod:`skdecay.penalties`,
:mod:`skdecay.optim` and the networks build on these names and the kernels
compare against them (numba freezes module globals at compile time), so a code
is defined here once and nowhere else.  Plain Python, no numba import.

Every ``if code == ...`` ladder of a kernel ends in an explicit branch for a code
it does not know, which raises ``ValueError("unknown <kind> code <code>")``
(numba raises it into Python): a bad code can never fall through to another
formula and return a number.  The Python side checks codes first
(:func:`check_code`, :func:`skdecay.losses.get_loss`), so the kernels' branch is
a last line of defence.
"""

KERNEL_STAMP = "0.1.0"

# losses (``skdecay.losses.LOSSES`` holds one entry per code; the networks'
# output layers use the first four)
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

# prox codes: the scalar coordinate updates of ``_kernels.prox.coordinate`` and the
# multi-task block prox of ``_kernels.multitask`` (``skdecay.penalties`` re-exports them)
PROX_ELASTIC_NET = 0
PROX_BLOCK_ELASTIC_NET = 1
PROX_MCP = 2
PROX_SCAD = 3

PROX_NAMES = {
    PROX_ELASTIC_NET: "elastic_net",
    PROX_BLOCK_ELASTIC_NET: "block_elastic_net",
    PROX_MCP: "mcp",
    PROX_SCAD: "scad",
}

# hidden activations of the networks (``_kernels.mlp``)
IDENTITY = 0
SIGMOID = 1  # the logistic function (``activation="logistic"``)
TANH = 2
RELU = 3

ACTIVATION_NAMES = {IDENTITY: "identity", SIGMOID: "logistic", TANH: "tanh", RELU: "relu"}

# the steps of an optimizer chain (``skdecay.optim``, ``_kernels.mlp.apply_chain``)
ADD_DECAYED_WEIGHTS = 0
DECAY_WEIGHTS = 1
SCALE_BY_MOMENTUM = 2
SCALE_BY_ADAM = 3
DESCENT = 4
PROX_L1 = 5
PROX_GROUP = 6

STEP_NAMES = {
    ADD_DECAYED_WEIGHTS: "add_decayed_weights",
    DECAY_WEIGHTS: "decay_weights",
    SCALE_BY_MOMENTUM: "scale_by_momentum",
    SCALE_BY_ADAM: "scale_by_adam",
    DESCENT: "descent",
    PROX_L1: "prox_l1",
    PROX_GROUP: "prox_group",
}


def check_code(kind: str, code, names: dict) -> int:
    """``int(code)`` if ``names`` (one of the tables above) knows it, else
    ``ValueError("unknown <kind> code <code>")``, the kernels' message."""
    try:
        known = not isinstance(code, bool) and int(code) in names and int(code) == code
    except (TypeError, ValueError):
        known = False
    if not known:
        raise ValueError(f"unknown {kind} code {code!r}; known: {names}.")
    return int(code)


__all__ = sorted(name for name in dict(globals()) if name.isupper() and name != "KERNEL_STAMP")
__all__ += ["check_code"]
