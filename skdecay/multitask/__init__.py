r"""Multi-task elastic net: one sparsity pattern shared by several regression targets.

Minimises, over the coefficients ``B`` (``coef_``, shape ``(n_tasks, n_features)``)
and the intercepts ``b``,

.. math::

    \frac{1}{2n} \sum_i s_i \|y_i - B x_i - b\|_2^2
    + \alpha \sum_j f_j \Big(\rho \|B_{:j}\|_2 + \frac{1-\rho}{2} \|B_{:j}\|_2^2\Big)

(``rho = l1_ratio``, ``s`` the sample weights rescaled to sum to ``n``, ``f`` the
penalty factors): the L2,1 norm zeroes whole columns, so a feature is selected
for every task or for none.  :class:`sklearn.linear_model.MultiTaskElasticNet`
with the same ``alpha`` and ``l1_ratio``; glmnet's ``family="mgaussian"`` with
lambda = alpha.

Data flow: the estimators validate once and build a :class:`_Data` (weights,
column moments); :func:`_solve` asks the :class:`~skdecay.penalties.MultiTaskElasticNetPenalty`
for its kernel weights and ``alpha_max`` and runs the whole block
coordinate-descent loop in one compiled call (:mod:`skdecay._kernels.multitask`),
stopped on the duality gap relative to the gap of the all-zero coefficients.

Layout: :mod:`._solver` (the problem and its block CD), :mod:`._estimator`
(:class:`MultiTaskElasticNetRegressor`), :mod:`._path` (:func:`multitask_enet_path`),
:mod:`._cv` (:class:`MultiTaskElasticNetRegressorCV`).
"""

from ._cv import MultiTaskElasticNetRegressorCV
from ._estimator import MultiTaskElasticNetRegressor
from ._path import multitask_enet_path

__all__ = [
    "MultiTaskElasticNetRegressor",
    "MultiTaskElasticNetRegressorCV",
    "multitask_enet_path",
]
