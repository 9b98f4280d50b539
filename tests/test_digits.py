"""tp3helpers.digits: the split, Nyström features, the softmax objective and the step predictions,
cross-checked against scikit-learn, SciPy and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
from sklearn.datasets import load_digits
from sklearn.kernel_approximation import Nystroem
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

from tp3helpers.digits import (
    NystromFeatures,
    SoftmaxObjective,
    accuracy,
    choose_landmarks,
    inverse_sqrt_psd,
    load_digits_split,
    minibatch_gradient,
    predicted_steps,
)
from tp3helpers.gradcheck import numerical_gradient
from tp3helpers.kernels import gaussian
from tp3helpers.momentum import momentum_descent, optimal_parameters, steps_to_tolerance


def test_split_is_scikit_learns_train_test_split_seeded_disjoint_and_scaled():
    a, b = load_digits_split(seed=3), load_digits_split(seed=3)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    digits = load_digits()
    expected = train_test_split(digits.data / 16.0, digits.target, test_size=0.3, random_state=3)
    for ours, theirs in zip(a, expected, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    assert a.X_train.shape == (1257, 64) and a.X_test.shape == (540, 64)  # ceil(0.3 * 1797)
    assert a.X_train.min() == 0.0 and a.X_train.max() == 1.0
    rows = {tuple(r) for r in a.X_test}
    assert sum(tuple(r) in rows for r in a.X_train) < 10  # a handful of duplicate images only
    assert not np.array_equal(load_digits_split(seed=4).y_test, a.y_test)
    assert set(a.y_train) == set(range(10))


@pytest.mark.parametrize("bad", [0.0, 1.0, 1796.5 / 1797, -0.1, float("nan")])
def test_split_rejects_bad_fraction(bad):
    with pytest.raises(ValueError, match="test_fraction"):
        load_digits_split(test_fraction=bad)


def test_split_at_the_edges_of_its_domain():
    smallest, largest = load_digits_split(test_fraction=1e-9), load_digits_split(1796 / 1797)
    assert len(smallest.y_test) == 1 and len(largest.y_train) == 1
    with pytest.raises(ValueError, match=r"seed must be an integer from 0 to 4294967295"):
        load_digits_split(seed=2**32)


def test_landmarks_are_distinct_rows(rng):
    X = rng.normal(size=(50, 3))
    Z = choose_landmarks(X, 10, rng)
    assert Z.shape == (10, 3)
    assert len({tuple(z) for z in Z}) == 10 and all(any((z == X).all(1)) for z in Z)
    with pytest.raises(ValueError, match="m must be an integer from 1 to 50, got 51"):
        choose_landmarks(X, 51, rng)
    with pytest.raises(TypeError, match="rng"):
        choose_landmarks(X, 5, 0)


def test_inverse_sqrt_matches_scipy(rng):
    A = rng.normal(size=(6, 6))
    K = A @ A.T + 0.1 * np.eye(6)
    inv_sqrt, eigenvalues, kept = inverse_sqrt_psd(K)
    assert kept == 6
    np.testing.assert_allclose(inv_sqrt, np.linalg.inv(scipy.linalg.sqrtm(K).real), rtol=1e-8)
    np.testing.assert_allclose(eigenvalues, np.linalg.eigvalsh(K))


def test_inverse_sqrt_drops_tiny_eigenvalues(rng):
    B = rng.normal(size=(8, 3))
    K = B @ B.T  # rank 3: five eigenvalues are rounding noise, some negative
    inv_sqrt, eigenvalues, kept = inverse_sqrt_psd(K)
    assert kept == 3 and np.all(np.isfinite(inv_sqrt))
    np.testing.assert_allclose(K @ inv_sqrt @ inv_sqrt @ K, K, atol=1e-9 * eigenvalues[-1])
    with pytest.raises(ValueError, match="positive eigenvalue"):
        inverse_sqrt_psd(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="symmetric"):
        inverse_sqrt_psd(np.array([[1.0, 2.0], [0.0, 1.0]]))


def test_nystrom_reproduces_the_kernel_on_landmarks(rng):
    Z = rng.normal(size=(20, 4))
    features = NystromFeatures(Z, bandwidth=1.5)
    phi = features.transform(Z)
    np.testing.assert_allclose(phi @ phi.T, gaussian(Z, bandwidth=1.5), atol=1e-8)
    with pytest.raises(ValueError, match="4 features"):
        features.transform(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="bandwidth"):
        NystromFeatures(Z, bandwidth=0.0)


def test_nystrom_features_are_scikit_learns(rng):
    """With every eigenvalue of K_mm kept (all above 1e-10 of the largest and 1e-12, scikit-learn's
    floor), both compute K_nm K_mm^(-1/2): the same features, not only the same Gram matrix."""
    X = rng.normal(size=(60, 5))
    h = 2.0
    reference = Nystroem(kernel="rbf", gamma=1 / (2 * h * h), n_components=25,
                         random_state=0).fit(X)
    ours = NystromFeatures(reference.components_, bandwidth=h)
    assert ours.kept == 25 and ours.eigenvalues[0] > 1e-12
    np.testing.assert_allclose(ours.transform(X), reference.transform(X), rtol=1e-7, atol=1e-9)


def test_nystrom_gram_matches_scikit_learn(rng):
    X = rng.normal(size=(60, 5))
    h = 2.0
    reference = Nystroem(kernel="rbf", gamma=1 / (2 * h * h), n_components=25,
                         random_state=0).fit(X)
    ours = NystromFeatures(reference.components_, bandwidth=h)
    phi, phi_sk = ours.transform(X), reference.transform(X)
    np.testing.assert_allclose(phi @ phi.T, phi_sk @ phi_sk.T, atol=1e-8)


def small_problem(rng, n=40, d=4, k=3, alpha=0.5):
    phi = rng.normal(size=(n, d))
    labels = np.arange(n) % k
    return SoftmaxObjective(phi, labels, alpha, num_classes=k)


def test_gradient_matches_finite_differences(rng):
    objective = small_problem(rng)
    w = rng.normal(size=objective.size)
    numeric = numerical_gradient(objective.value, w)
    np.testing.assert_allclose(objective.grad(w), numeric, rtol=1e-6, atol=1e-8)
    value, grad = objective.value_and_grad(w)
    assert value == objective.value(w) and np.array_equal(grad, objective.grad(w))


def test_minimiser_matches_scikit_learn(rng):
    objective = small_problem(rng)
    mu, L = objective.curvature_bounds()
    rho, eta = optimal_parameters(mu, L)
    w = momentum_descent(objective.grad, np.zeros(objective.size), rho=rho, eta=eta,
                         steps=2000)[-1]
    reference = LogisticRegression(C=1 / objective.alpha, fit_intercept=False, tol=1e-12,
                                   max_iter=10000).fit(objective.features, objective.labels)
    np.testing.assert_allclose(objective.weights(w), reference.coef_, rtol=1e-4, atol=1e-6)


def test_hessian_lies_between_the_curvature_bounds(rng):
    objective = small_problem(rng)
    mu, L = objective.curvature_bounds()
    for _ in range(3):
        w = 2 * rng.normal(size=objective.size)
        hessian = np.array([numerical_gradient(lambda v, i=i: objective.grad(v)[i], w)
                            for i in range(objective.size)])
        eigenvalues = np.linalg.eigvalsh(0.5 * (hessian + hessian.T))
        assert eigenvalues[0] >= mu - 1e-5 and eigenvalues[-1] <= L + 1e-5


def test_objective_rejects_bad_input(rng):
    with pytest.raises(ValueError, match="labels"):
        SoftmaxObjective(rng.normal(size=(5, 2)), [0, 1], 1.0)
    with pytest.raises(ValueError, match="alpha"):
        SoftmaxObjective(rng.normal(size=(2, 2)), [0, 1], 0.0)
    with pytest.raises(ValueError, match="w must have"):
        small_problem(rng).value(np.zeros(5))
    objective = small_problem(rng)
    huge = np.full(objective.size, 1e6)
    assert np.isfinite(objective.value(huge)) and np.all(np.isfinite(objective.grad(huge)))


def test_predicted_steps_follow_kappa():
    mu, L, tol = 1.0, 400.0, 1e-6
    gd = predicted_steps(0.0, 1 / L, mu, L, tol)
    rho, eta = optimal_parameters(mu, L)
    momentum = predicted_steps(rho, eta, mu, L, tol)
    assert gd == pytest.approx(400 * np.log(1e6), rel=0.01)
    assert momentum == pytest.approx(0.5 * 20 * np.log(1e6), rel=0.01)
    with pytest.raises(ValueError, match="do not converge"):
        predicted_steps(0.0, 3 / L, mu, L, tol)
    with pytest.raises(ValueError, match="tol"):
        predicted_steps(0.0, 1 / L, mu, L, 1.5)


def test_predicted_steps_match_runs_on_a_quadratic():
    """On a quadratic with curvatures in [1, 50] the error along the flattest direction shrinks
    exactly at gradient descent's rate; momentum's error needs the predicted count plus a little
    (critical damping at both ends of the spectrum adds a factor t)."""
    eigenvalues = np.array([1.0, 3.0, 50.0])
    grad = lambda w: eigenvalues * w  # noqa: E731
    gd_path = momentum_descent(grad, np.ones(3), rho=0.0, eta=1 / 50.0, steps=1000)
    assert steps_to_tolerance(np.abs(gd_path[:, 0]), 1e-6) == predicted_steps(
        0.0, 1 / 50.0, 1.0, 50.0, 1e-6)
    rho, eta = optimal_parameters(1.0, 50.0)
    m_path = momentum_descent(grad, np.ones(3), rho=rho, eta=eta, steps=1000)
    measured = steps_to_tolerance(np.linalg.norm(m_path, axis=1), 1e-6)
    predicted = predicted_steps(rho, eta, 1.0, 50.0, 1e-6)
    assert predicted <= measured <= 1.5 * predicted


def test_steps_to_tolerance_and_accuracy():
    assert steps_to_tolerance([4.0, 2.0, 1.0, 0.5], 0.25) == 2
    assert steps_to_tolerance([4.0, 3.0], 0.1) is None
    assert accuracy([1, 2, 3, 4], [1, 2, 0, 4]) == 0.75
    assert accuracy(["7", "1"], ["7", "7"]) == accuracy_score(["7", "7"], ["7", "1"]) == 0.5
    with pytest.raises(ValueError, match="same non-empty 1-D shape"):
        accuracy([1, 2], [1])


# -- the (C, D) orientation, the Hessian and minibatch gradients ---------------------------------


def test_weights_are_one_row_per_class_as_in_scikit_learn(rng):
    objective = small_problem(rng, n=30, d=4, k=3)
    w = rng.normal(size=objective.size)
    W = objective.weights(w)
    assert W.shape == (3, 4)  # C x D, like LogisticRegression.coef_
    logits = objective.features @ W.T
    np.testing.assert_array_equal(objective.predict(w, objective.features),
                                  np.argmax(logits, axis=1))
    # dJ/dW = (Y - T)^T Phi + alpha W, written out with scipy's softmax
    from scipy.special import softmax as scipy_softmax

    residual = scipy_softmax(logits, axis=1) - np.eye(3)[objective.labels]
    np.testing.assert_allclose(objective.weights(objective.grad(w)),
                               residual.T @ objective.features + objective.alpha * W, rtol=1e-12)


def test_hessian_matches_finite_differences_of_the_gradient(rng):
    objective = small_problem(rng, n=25, d=3, k=4)
    w = rng.normal(size=objective.size)
    numeric = np.array([numerical_gradient(lambda v, i=i: objective.grad(v)[i], w)
                        for i in range(objective.size)])
    np.testing.assert_allclose(objective.hessian(w), numeric, rtol=1e-6, atol=1e-7)


def test_hessian_spectrum_within_the_bounds_and_flat_along_shared_rows(rng):
    """Adding the same vector u to every class's row changes no probability, so along
    W = 1 u^T the curvature is exactly alpha: mu = alpha is attained."""
    objective = small_problem(rng, n=50, d=4, k=3)
    mu, L = objective.curvature_bounds()
    H = objective.hessian(2 * rng.normal(size=objective.size))
    eigenvalues = np.linalg.eigvalsh(H)
    assert mu - 1e-12 <= eigenvalues[0] and eigenvalues[-1] <= L + 1e-12
    shared = np.tile(rng.normal(size=4), 3)  # every row the same vector u
    np.testing.assert_allclose(H @ shared, objective.alpha * shared, rtol=1e-10)


def test_minibatch_gradient_is_unbiased_and_exact_on_the_full_batch(rng):
    objective = small_problem(rng, n=20, d=3, k=3)
    w = rng.normal(size=objective.size)
    full = objective.grad(w)
    np.testing.assert_allclose(objective.minibatch_grad(w, np.arange(20)), full, rtol=1e-12)
    # the mean over every one-sample batch is the full gradient (the expectation, exactly)
    mean = np.mean([objective.minibatch_grad(w, np.array([n])) for n in range(20)], axis=0)
    np.testing.assert_allclose(mean, full, rtol=1e-10, atol=1e-12)
    draw = minibatch_gradient(objective, 5, np.random.default_rng(0))
    g1, g2 = draw(w), draw(w)
    assert g1.shape == full.shape and not np.allclose(g1, g2)  # a new batch at every call


def test_minibatch_gradient_rejects_bad_input(rng):
    objective = small_problem(rng, n=20, d=3, k=3)
    w = np.zeros(objective.size)
    with pytest.raises(ValueError, match="rows must lie in"):
        objective.minibatch_grad(w, np.array([0, 20]))
    with pytest.raises(ValueError, match="rows must be a non-empty"):
        objective.minibatch_grad(w, np.array([], dtype=int))
    with pytest.raises(ValueError, match="batch_size must be an integer from 1 to 20"):
        minibatch_gradient(objective, 21, rng)
    with pytest.raises(TypeError, match="batch_size must be an integer from 1 to 20, got 2.5"):
        minibatch_gradient(objective, 2.5, rng)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        minibatch_gradient(objective, 5, 0)
    with pytest.raises(TypeError, match="objective must be a SoftmaxObjective"):
        minibatch_gradient(lambda w: w, 5, rng)
