"""Penalty objects: what a solver asks a penalty, answered by the penalty.

One class per penalty family, each answering every question a solver asks --
value, the kernels' scalar prox (code and parameters), the distance to the
subdifferential (KKT violation), the conjugate and Fenchel-Young gap (or "not
convex"), ``alpha_max`` and the dual-feasibility scaling.  The solvers call
these methods and never read a penalty's fields.

* :mod:`.elastic_net`: :class:`ElasticNetPenalty` -- L1, L2 and their mixture,
  per-feature factors and a box (``positive``, bounds, excluded features);
* :mod:`.nonconvex`: :class:`MCPPenalty`, :class:`SCADPenalty` (one class each
  on a shared base; no conjugate: the KKT rule);
* :mod:`.multitask`: :class:`MultiTaskElasticNetPenalty`, the block (L2,1)
  elastic net;
* :mod:`.group`: :class:`SparseGroupPenalty` and :func:`check_groups`;
* :mod:`.dual`: the elastic net's gap along the dual scaling as a piecewise
  quadratic and its exact minimiser, the closed-form scaling limit.
"""

from __future__ import annotations

from .dual import (
    FenchelYoungLine,
    GeneralLine,
    _scaling_limit_numpy,  # noqa: F401 (the compiled scaling's reference, tests)
    minimize_piecewise_quadratic,
    scaling_limit,
)
from .elastic_net import PROX_ELASTIC_NET, ElasticNetPenalty, coordinate_weights, penalty_value
from .group import SparseGroupPenalty, check_groups
from .multitask import PROX_BLOCK_ELASTIC_NET, MultiTaskElasticNetPenalty
from .nonconvex import (
    DEFAULT_GAMMA,
    NONCONVEX_PENALTIES,
    PROX_MCP,
    PROX_SCAD,
    MCPPenalty,
    SCADPenalty,
)

__all__ = [
    "coordinate_weights",
    "penalty_value",
    "FenchelYoungLine",
    "GeneralLine",
    "minimize_piecewise_quadratic",
    "scaling_limit",
    "ElasticNetPenalty",
    "MCPPenalty",
    "SCADPenalty",
    "MultiTaskElasticNetPenalty",
    "SparseGroupPenalty",
    "check_groups",
    "make_penalty",
    "DEFAULT_GAMMA",
    "NONCONVEX_PENALTIES",
    "PROX_ELASTIC_NET",
    "PROX_BLOCK_ELASTIC_NET",
    "PROX_MCP",
    "PROX_SCAD",
]


def make_penalty(kind, alpha, l1_ratio, penalty_factor, gamma=None, **box):
    """The penalty object of ``kind`` (``"elastic_net"``, ``"mcp"`` or ``"scad"``;
    ``gamma=None``: 3 for MCP, 3.7 for SCAD); ``box``: ``positive``,
    ``lower_bounds``, ``upper_bounds``."""
    if kind in (None, "elastic_net"):
        return ElasticNetPenalty(alpha, l1_ratio, penalty_factor, **box)
    if kind not in NONCONVEX_PENALTIES:
        raise ValueError(f"penalty must be 'elastic_net', 'mcp' or 'scad'; got {kind!r}.")
    gamma = DEFAULT_GAMMA[kind] if gamma is None else gamma
    return NONCONVEX_PENALTIES[kind](alpha, l1_ratio, penalty_factor, gamma, **box)
