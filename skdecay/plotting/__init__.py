"""Plots of regularized models, following scikit-learn's Display API.

Every display is built by a classmethod (``from_estimator``, ``from_path``,
...) or directly from arrays, draws itself with ``plot(ax=None, ...)``, which
returns the display, and keeps the matplotlib objects it drew as attributes
(``ax_``, ``figure_``, the artists).  matplotlib is an optional dependency
(``pip install skdecay[plot]``): importing this module does not import it;
``plot`` does.

* :class:`RegularizationPathDisplay`: coefficients against ``alpha`` (log
  axis), from a :class:`~skdecay.path.RegularizationPath` or a fitted linear
  model or CV estimator, with the selected ``alpha`` marked.
* :class:`WeightDistributionDisplay`: histograms of the weights of one or more
  models (or of each layer of an MLP), the exact zeros as their own bar.
* :class:`TrainingHistoryDisplay`: loss, validation score, per-layer weight
  norm and share of exact zeros after every epoch of an MLP.
* :class:`CVScoreDisplay`: cross-validated score against ``alpha`` (mean
  +/- standard deviation over the folds), one curve per ``l1_ratio``.
"""

from ._cv import CVScoreDisplay
from ._history import TrainingHistoryDisplay
from ._path import RegularizationPathDisplay
from ._weights import WeightDistributionDisplay

__all__ = [
    "CVScoreDisplay",
    "RegularizationPathDisplay",
    "TrainingHistoryDisplay",
    "WeightDistributionDisplay",
]
