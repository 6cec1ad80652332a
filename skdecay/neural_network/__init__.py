r"""Multilayer perceptrons with elastic-net weight penalties, coupled or decoupled.

Every estimator minimises

.. math::

    \frac{1}{n} \sum_i s_i \, \ell(y_i, f(x_i))
    + \sum_{l} \alpha_l \Big(\rho_l \|W_l\|_1 + \frac{1-\rho_l}{2} \|W_l\|_F^2\Big)

over the weight matrices ``W_l`` and biases of the network (``rho = l1_ratio``;
biases are never penalised; sample weights ``s`` rescaled to sum to ``n``),
plus, with ``group_alpha``, a group lasso on the rows of the weight matrices
(input selection and unit pruning; the ``shrink`` method removes what it zeroed).
Each minibatch step uses ``sum_{i in batch} s_i grad_i / batch_len`` plus the
*full* penalty, so ``alpha`` means the same for every batch size.  The data
loss ``l`` is ``1/2 * sum_k (y_k - yhat_k)**2`` (regression, identity output),
the binary log-loss summed over the outputs (sigmoid; binary and multilabel
classification), the multinomial log-loss (softmax; multiclass) or the half
Poisson deviance (``loss="poisson"``, exp output).

Training runs the optimizer chains of :mod:`skdecay.optim` in the numba kernel
:func:`skdecay._kernels.mlp.mlp_epoch`, one call per epoch; Python runs the
epochs, the schedules, the stopping rule and the verbose output.
``solver="lbfgs"`` evaluates the full-batch loss with the same kernel
(:func:`skdecay._kernels.mlp.full_loss_grad`) under scipy's L-BFGS-B, or under
:func:`skdecay.optim.owlqn` when the penalty has an L1 part.

Input: dense (C or F order, read one minibatch of rows at a time, never
copied whole) or CSR (the first layer runs over the stored entries).

State: each epoch ends by replacing one immutable ``_State`` tuple, and the
fitted attributes are written from it once training stops, so an interrupt
leaves the last complete epoch (or, before the first one, the previous state).

Threads: training runs with BLAS limited to one thread (``threadpoolctl``),
through one limit shared by the fits of all threads (reference-counted).
The products of a minibatch are too small for threads to pay, and one thread
per fit is what parallel grid searches (joblib, dask workers) need to avoid
oversubscribing the cores; parallelise over fits with ``n_jobs`` instead.
"""

from ._classifier import ElasticNetMLPClassifier, LassoMLPClassifier, RidgeMLPClassifier
from ._regressor import ElasticNetMLPRegressor, LassoMLPRegressor, RidgeMLPRegressor

__all__ = [
    "ElasticNetMLPClassifier",
    "ElasticNetMLPRegressor",
    "RidgeMLPClassifier",
    "RidgeMLPRegressor",
    "LassoMLPClassifier",
    "LassoMLPRegressor",
]
