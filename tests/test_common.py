"""scikit-learn's estimator checks over every public estimator, with no expected failures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skdecay import (
    ElasticNetClassifier,
    ElasticNetRegressor,
    LassoRegressor,
    RidgeRegressor,
)

ESTIMATORS = [
    ElasticNetRegressor(alpha=0.01),
    LassoRegressor(alpha=0.01),
    RidgeRegressor(),
    RidgeRegressor(solver="cd"),
    ElasticNetClassifier(),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)
