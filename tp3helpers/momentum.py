r"""Momentum gradient descent as a heavy ball rolling on the loss (TP3, Question 3).

This project's convention (notebook 3, *Theory*), with :math:`v_0 = 0`:

.. math::

    v_{t+1} = \rho\, v_t - \nabla E(w_t), \qquad w_{t+1} = w_t + \eta\, v_{t+1}.

It is the homework's update with the sign of the position step corrected (the homework's
:math:`w_{t+1} = w_t - \eta v_{t+1}` climbs the loss), and gives the iterates of PyTorch's
``SGD(lr=eta, momentum=rho)`` and of Polyak's heavy ball
:math:`w_{t+1} = w_t - \eta \nabla E(w_t) + \rho\,(w_t - w_{t-1})`. A ball of mass :math:`m` with
friction :math:`c`, :math:`m \ddot x = -\nabla E(x) - c \dot x`, integrated by semi-implicit Euler
with step :math:`\Delta t`, has the same positions for :math:`\rho = 1 - c\,\Delta t / m` and
:math:`\eta = \Delta t^2 / m`.

Domain: that of :mod:`tp3helpers._validation` (numbers at most :math:`10^{50}`, positive scales
from :math:`10^{-50}` to :math:`10^{50}`, runs of at most :math:`10^6` steps). A run stops as soon
as an iterate leaves it (an entry beyond :data:`DIVERGENCE_BOUND` or not finite) and returns only
the rows before: fewer than ``steps + 1`` rows mean the run diverged (:func:`has_diverged`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validation import (
    LIMIT,
    MAX_STEPS,
    PRODUCT_LIMIT,
    WIDE_LIMIT,
    as_float_array,
    as_symmetric,
    check_bool,
    check_callable,
    check_entries,
    check_generator,
    check_in_range,
    check_int_in_range,
    check_nonnegative,
    check_positive,
    short_repr,
)

__all__ = [
    "DIVERGENCE_BOUND",
    "MONOTONE",
    "OSCILLATING",
    "DIVERGENT",
    "BOUNDED",
    "momentum_descent",
    "gradient_descent",
    "torch_sgd_momentum",
    "has_diverged",
    "heavy_ball",
    "physical_to_momentum",
    "momentum_to_physical",
    "rotation_matrix",
    "Quadratic",
    "Rosenbrock",
    "mechanical_energy",
    "convergence_rate",
    "iteration_regime",
    "optimal_parameters",
    "measured_rate",
    "DOUBLE_ROOT_RTOL",
    "closed_form_errors",
    "steps_to_tolerance",
    "REAL_POSITIVE",
    "COMPLEX_PAIR",
    "REAL_NEGATIVE",
    "root_kind",
    "nesterov_descent",
    "nesterov_rate",
    "nesterov_parameters",
    "worst_case_quadratic",
    "HeavyBallCounterexample",
    "noisy_gradient",
    "stationary_variance",
]

#: A run stops once an iterate's largest absolute entry exceeds this (or is not finite): the
#: limit of the common domain, so every position returned is a valid input of the objectives.
DIVERGENCE_BOUND = LIMIT
_BOUND_SQUARED = DIVERGENCE_BOUND**2

#: Codes returned by :func:`iteration_regime`.
MONOTONE, OSCILLATING, DIVERGENT, BOUNDED = 0, 1, 2, 3
#: Codes returned by :func:`root_kind`.
REAL_POSITIVE, COMPLEX_PAIR, REAL_NEGATIVE = 0, 1, 2

Grad = Callable[[np.ndarray], np.ndarray]
#: One step of a run: ``update(w, v, step)`` returns the next ``(w, v)``.
Update = Callable[[np.ndarray, np.ndarray, int], tuple[np.ndarray, np.ndarray]]


def _gradient(grad: Grad, w: np.ndarray, step: int) -> np.ndarray:
    """``grad(w)``, which must be real numbers of the shape of ``w`` (a huge or non-finite value
    only makes the run diverge)."""
    g = grad(w)
    if type(g) is not np.ndarray:  # a list, a scalar, a string...
        try:
            g = np.asarray(g)
        except ValueError:  # a ragged list
            g = np.asarray(None)
    if g.dtype.kind not in "biuf":
        raise TypeError(
            f"grad must return an array of real numbers, got {short_repr(g)} at step {step}"
        )
    if g.shape != w.shape:
        raise ValueError(
            f"grad must return an array of shape {w.shape} like w0, got {g.shape} at step {step}"
        )
    return g


def _run(
    update: Update, w0: np.ndarray, steps: object, return_velocity: object
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Iterate ``update`` from ``(w0, 0)`` until an iterate leaves the domain."""
    steps = check_int_in_range(steps, "steps", 0, MAX_STEPS)
    keep_velocity = check_bool(return_velocity, "return_velocity")
    check_entries((steps + 1) * w0.size * (2 if keep_velocity else 1), "steps",
                  f"a history of {steps + 1} iterates of size {w0.size}")
    w, v = w0, np.zeros_like(w0)
    positions, velocities = [w], [v]
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is a divergence, caught below
        for step in range(1, steps + 1):
            w, v = update(w, v, step)
            # |w|^2 <= B^2 settles the usual case in one dot product; otherwise every entry is
            # compared with B (false for NaN too)
            if not (w @ w <= _BOUND_SQUARED or np.abs(w).max() <= DIVERGENCE_BOUND):
                break
            positions.append(w)
            velocities.append(v)
    return (np.array(positions), np.array(velocities)) if keep_velocity else np.array(positions)


def momentum_descent(
    grad: Grad,
    w0: object,
    *,
    rho: float,
    eta: float,
    steps: int,
    return_velocity: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    r"""Gradient descent with momentum, in this project's convention (notebook 3, *Theory*).

    .. math::

        v_0 = 0, \qquad v_{t+1} = \rho\, v_t - \nabla E(w_t), \qquad
        w_{t+1} = w_t + \eta\, v_{t+1}

    Parameters
    ----------
    grad : callable
        ``grad(w)`` returns :math:`\nabla E(w)`, real numbers shaped like ``w``; it must not
        modify ``w``.
    w0 : array_like, shape (d,)
    rho, eta : float
        A negative step climbs the loss.
    steps : int
        0 to :math:`10^6`; the history holds at most :math:`10^8` numbers.
    return_velocity : bool, default False

    Returns
    -------
    positions : numpy.ndarray, shape (steps + 1, d)
        :math:`w_0, \dots, w_T`; fewer rows if the run diverged.
    velocities : numpy.ndarray, same shape
        :math:`v_0, \dots, v_T`, only when ``return_velocity`` is true.
    """
    check_callable(grad, "grad")
    w = as_float_array(w0, "w0", ndim=1)
    rho = check_in_range(rho, "rho")
    eta = check_in_range(eta, "eta")

    def update(w: np.ndarray, v: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray]:
        v = rho * v - _gradient(grad, w, step)
        return w + eta * v, v

    return _run(update, w, steps, return_velocity)


def gradient_descent(grad: Grad, w0: object, *, eta: float, steps: int) -> np.ndarray:
    r"""Plain gradient descent :math:`w_{t+1} = w_t - \eta \nabla E(w_t)`: :func:`momentum_descent`
    with :math:`\rho = 0`."""
    return momentum_descent(grad, w0, rho=0.0, eta=eta, steps=steps)


def torch_sgd_momentum(
    grad: Grad, w0: object, *, lr: float, momentum: float, steps: int
) -> np.ndarray:
    r"""A NumPy transcription of PyTorch's ``torch.optim.SGD`` (no dampening or weight decay).

    .. math:: b_1 = g_1, \qquad b_t = \mu\, b_{t-1} + g_t, \qquad p_t = p_{t-1} - \text{lr}\; b_t,

    with :math:`g_t = \nabla E(p_{t-1})`. Since :math:`b = -v`, this is :func:`momentum_descent`
    with ``rho = momentum`` and ``eta = lr``.
    """
    check_callable(grad, "grad")
    p = as_float_array(w0, "w0", ndim=1)
    lr = check_in_range(lr, "lr")
    mu = check_in_range(momentum, "momentum")

    def update(p: np.ndarray, b: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray]:
        b = mu * b + _gradient(grad, p, step)
        return p - lr * b, b

    return _run(update, p, steps, False)


def has_diverged(positions: object, steps: int) -> bool:
    """Whether a run asked for ``steps`` updates returned fewer than ``steps + 1`` rows."""
    rows = len(as_float_array(positions, "positions", ndim=2))
    asked = check_int_in_range(steps, "steps", 0, MAX_STEPS)
    if rows > asked + 1:
        raise ValueError(
            f"positions has {rows} rows, more than steps + 1 = {asked + 1}: it is not a run of "
            f"{asked} steps"
        )
    return rows < asked + 1


def heavy_ball(
    grad: Grad,
    x0: object,
    *,
    mass: float,
    friction: float,
    dt: float,
    steps: int,
    return_velocity: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    r"""A ball of mass :math:`m` with friction :math:`c` in the potential :math:`E`, from rest.

    Newton's law :math:`m \ddot x = -\nabla E(x) - c\, \dot x` by semi-implicit Euler:

    .. math::

        v_{t+1} = v_t + \frac{\Delta t}{m}\bigl(-\nabla E(x_t) - c\, v_t\bigr), \qquad
        x_{t+1} = x_t + \Delta t\, v_{t+1}.

    With :math:`v = (\Delta t / m)\, u` this is :func:`momentum_descent` on :math:`u` with
    :math:`\rho = 1 - c \Delta t / m` and :math:`\eta = \Delta t^2 / m`. ``mass`` and ``dt`` are
    positive scales, ``friction`` :math:`\ge 0`; the other arguments and the result are as for
    :func:`momentum_descent` (the velocities are the physical :math:`v_t`).
    """
    check_callable(grad, "grad")
    x = as_float_array(x0, "x0", ndim=1)
    m = check_positive(mass, "mass")
    c = check_nonnegative(friction, "friction")
    h = check_positive(dt, "dt")

    def update(x: np.ndarray, v: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray]:
        v = v + (h / m) * (-_gradient(grad, x, step) - c * v)
        return x + h * v, v

    return _run(update, x, steps, return_velocity)


def physical_to_momentum(mass: float, friction: float, dt: float) -> tuple[float, float]:
    r"""Momentum parameters ``(rho, eta)`` of a ball with friction (notebook 3, *Theory*).

    .. math:: \rho = 1 - \frac{c\,\Delta t}{m}, \qquad \eta = \frac{\Delta t^2}{m}

    ``mass`` and ``dt`` are positive scales, ``friction`` :math:`c \ge 0`.
    """
    m = check_positive(mass, "mass")
    c = check_nonnegative(friction, "friction")
    h = check_positive(dt, "dt")
    return 1.0 - c * h / m, h * h / m


def momentum_to_physical(rho: float, eta: float, mass: float = 1.0) -> tuple[float, float, float]:
    r"""Inverse of :func:`physical_to_momentum` for a given mass: ``(mass, friction, dt)``.

    .. math:: \Delta t = \sqrt{\eta\, m}, \qquad c = \frac{(1 - \rho)\, m}{\Delta t}

    ``rho`` at most 1 (a larger one needs negative friction); ``eta``, ``mass`` positive scales.
    """
    r = check_in_range(rho, "rho")
    if r > 1:
        raise ValueError(f"rho must be <= 1 for a non-negative friction, got {r!r}")
    e = check_positive(eta, "eta")
    m = check_positive(mass, "mass")
    h = float(np.sqrt(e * m))
    return m, (1.0 - r) * m / h, h


def rotation_matrix(angle: float) -> np.ndarray:
    r"""The 2-D rotation by ``angle`` radians.

    .. math:: Q = \begin{pmatrix}\cos\theta & -\sin\theta\\ \sin\theta & \cos\theta\end{pmatrix}
    """
    a = check_in_range(angle, "angle")
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, -s], [s, c]])


def _points(w: object, d: int, name: str = "w") -> np.ndarray:
    """Points ``w`` of shape (..., d) in the domain."""
    arr = as_float_array(w, name)
    if arr.ndim == 0 or arr.shape[-1] != d:
        raise ValueError(f"{name} must have shape (..., {d}), got {arr.shape}")
    return arr


def _positive_eigenvalues(eigenvalues: object, name: str = "eigenvalues") -> np.ndarray:
    """Curvatures: positive scales."""
    lam = as_float_array(eigenvalues, name, ndim=(0, 1)).reshape(-1)
    if not ((lam >= 1 / LIMIT) & (lam <= LIMIT)).all():
        raise ValueError(
            f"{name} must all lie in [{1 / LIMIT:g}, {LIMIT:g}] (positive curvatures), got "
            f"{short_repr(lam)}"
        )
    return lam


class Quadratic:
    r"""The quadratic bowl :math:`E(w) = \tfrac12 (w - w^\star)^\top A\, (w - w^\star)`.

    Its gradient is :math:`A (w - w^\star)`, its Hessian :math:`A`. ``A`` is symmetric positive
    definite (entries at most :math:`10^{150}`, eigenvalues at least :math:`10^{-50}`); ``minimum``
    :math:`w^\star` is the origin by default. Attributes: ``eigenvalues`` of :math:`A`, ascending,
    and ``condition_number`` :math:`\kappa = \lambda_{\max} / \lambda_{\min}`.
    """

    def __init__(self, A: object, minimum: object | None = None) -> None:
        a = as_symmetric(A, "A", max_abs=PRODUCT_LIMIT)
        eigenvalues = np.linalg.eigvalsh(a)
        if not eigenvalues[0] >= 1 / LIMIT:
            raise ValueError(
                "A must be positive definite, with eigenvalues at least "
                f"{1 / LIMIT:g}, got eigenvalues {short_repr(eigenvalues)}"
            )
        self._set(a, eigenvalues, minimum)

    def _set(self, A: np.ndarray, eigenvalues: np.ndarray, minimum: object | None) -> None:
        d = len(A)
        self.A, self.eigenvalues = A, eigenvalues
        self.minimum = np.zeros(d) if minimum is None else as_float_array(minimum, "minimum",
                                                                           ndim=1)
        if self.minimum.shape != (d,):
            raise ValueError(f"minimum must have shape ({d},), got {self.minimum.shape}")
        self.condition_number = float(eigenvalues[-1] / eigenvalues[0])

    @classmethod
    def from_eigenvalues(
        cls, eigenvalues: object, rotation: object | None = None, minimum: object | None = None
    ) -> Quadratic:
        r""":math:`A = Q \operatorname{diag}(\lambda) Q^\top` from positive-scale eigenvalues and an
        orthogonal ``rotation`` :math:`Q` (the identity by default); ``eigenvalues`` and
        ``condition_number`` are exactly those asked for."""
        lam = _positive_eigenvalues(eigenvalues)
        q = np.eye(lam.size) if rotation is None else as_float_array(rotation, "rotation", ndim=2)
        if q.shape != (lam.size, lam.size) or not np.allclose(q @ q.T, np.eye(lam.size)):
            raise ValueError(
                f"rotation must be an orthogonal ({lam.size}, {lam.size}) matrix, got "
                f"{short_repr(q)}"
            )
        a = (q * lam) @ q.T
        bowl = cls.__new__(cls)
        bowl._set((a + a.T) / 2, np.sort(lam), minimum)
        return bowl

    @property
    def dim(self) -> int:
        return self.A.shape[0]

    def value(self, w: object) -> np.ndarray | float:
        """:math:`E(w)` for points of shape (d,) or (..., d)."""
        z = _points(w, self.dim) - self.minimum
        out = 0.5 * np.einsum("...i,ij,...j->...", z, self.A, z)
        return float(out) if np.ndim(out) == 0 else out

    def grad(self, w: object) -> np.ndarray:
        r""":math:`\nabla E(w) = A (w - w^\star)`, same shape as ``w``."""
        return (_points(w, self.dim) - self.minimum) @ self.A

    def hessian(self, w: object | None = None) -> np.ndarray:
        """:math:`A` (the same everywhere)."""
        return self.A.copy()


class Rosenbrock:
    r"""Rosenbrock's banana valley, optionally scaled:

    .. math:: E(x, y) = s\,\bigl[(a - x)^2 + b\,(y - x^2)^2\bigr],

    minimum 0 at :math:`(a, a^2)`, where the Hessian is
    :math:`s \begin{pmatrix} 2 + 8 b a^2 & -4 a b \\ -4 a b & 2 b \end{pmatrix}`. ``a`` is at most
    :math:`10^{24}` in magnitude (so that :math:`(a, a^2)` is in the domain); ``b``, the steepness
    of the walls, and ``scale`` :math:`s` are positive scales.
    """

    def __init__(self, a: float = 1.0, b: float = 100.0, *, scale: float = 1.0) -> None:
        self.a = check_in_range(a, "a", -1e24, 1e24)
        self.b = check_positive(b, "b")
        self.scale = check_positive(scale, "scale")
        self.minimum = np.array([self.a, self.a**2])
        self.eigenvalues = np.linalg.eigvalsh(self.hessian(self.minimum))

    dim = 2

    def value(self, w: object) -> np.ndarray | float:
        p = _points(w, 2)
        x, y = p[..., 0], p[..., 1]
        out = self.scale * ((self.a - x) ** 2 + self.b * (y - x**2) ** 2)
        return float(out) if np.ndim(out) == 0 else out

    def grad(self, w: object) -> np.ndarray:
        p = _points(w, 2)
        x, y = p[..., 0], p[..., 1]
        ridge = y - x**2
        gx = -2.0 * (self.a - x) - 4.0 * self.b * x * ridge
        gy = 2.0 * self.b * ridge
        return self.scale * np.stack([gx, gy], axis=-1)

    def hessian(self, w: object) -> np.ndarray:
        """The 2 x 2 Hessian at one point ``w``."""
        x, y = _points(w, 2).reshape(2)
        return self.scale * np.array(
            [[2.0 + 12.0 * self.b * x**2 - 4.0 * self.b * y, -4.0 * self.b * x],
             [-4.0 * self.b * x, 2.0 * self.b]]
        )


def mechanical_energy(
    value: Callable[[np.ndarray], np.ndarray],
    positions: object,
    *,
    mass: float = 1.0,
    dt: float = 1.0,
    potential_minimum: float = 0.0,
    eta: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Kinetic, potential and total energy of the ball along a trajectory.

    With :math:`v_t = (x_t - x_{t-1}) / \Delta t` and :math:`v_0 = 0` (start at rest),

    .. math:: K_t = \tfrac12 m \lVert v_t \rVert^2, \qquad U_t = E(x_t) - E_{\min}, \qquad
              H_t = K_t + U_t.

    Parameters
    ----------
    value : callable
        :math:`E` on the whole (T, d) array at once, returning T finite real numbers.
    positions : array_like, shape (T, d)
    mass, dt : float
        Positive scales; or, for a momentum run, ``eta`` alone (:math:`m = 1`,
        :math:`\Delta t = \sqrt{\eta}`).
    potential_minimum : float, default 0.0

    Returns
    -------
    kinetic, potential, total : numpy.ndarray, each of shape (T,)
    """
    check_callable(value, "value")
    x = as_float_array(positions, "positions", ndim=2)
    m = check_positive(mass, "mass")
    h = check_positive(dt, "dt")
    e_min = check_in_range(potential_minimum, "potential_minimum")
    if eta is not None:
        if (m, h) != (1.0, 1.0):
            raise ValueError(f"give eta or mass and dt, not both: got eta={eta!r}, mass={m!r}, "
                             f"dt={h!r}")
        h = float(np.sqrt(check_positive(eta, "eta")))
    velocity = np.diff(x, axis=0) / h
    kinetic = np.zeros(len(x))
    kinetic[1:] = 0.5 * m * np.sum(velocity**2, axis=1)
    energy = np.asarray(value(x))
    if energy.dtype.kind not in "biuf" or energy.size != len(x):
        raise ValueError(f"value must return {len(x)} real numbers, one per position, got "
                         f"{short_repr(energy)}")
    potential = as_float_array(energy, "value(positions)",
                               max_abs=np.finfo(np.float64).max).reshape(len(x)) - e_min
    return kinetic, potential, kinetic + potential


def _kind(s: np.ndarray, r: np.ndarray) -> np.ndarray:
    """The kind of roots of :math:`z^2 - s z + r` (:func:`root_kind`), entry by entry."""
    return np.where(s * s >= 4.0 * r, np.where(s >= 0, REAL_POSITIVE, REAL_NEGATIVE), COMPLEX_PAIR)


def _roots(rho: object, eta: object, eigenvalues: object) -> tuple[np.ndarray, ...]:
    r"""Per eigenvalue (last axis): trace :math:`s`, :func:`root_kind` and the root moduli."""
    r = as_float_array(rho, "rho", allow_empty=True)
    e = as_float_array(eta, "eta", allow_empty=True)
    lam = _positive_eigenvalues(eigenvalues)
    try:
        shape = np.broadcast_shapes(r.shape, e.shape)
    except ValueError:
        raise ValueError(
            f"rho and eta must broadcast together, got shapes {r.shape} and {e.shape}"
        ) from None
    check_entries(int(np.prod(shape)) * lam.size, "rho and eta",
                  f"a grid of {shape} rates for {lam.size} eigenvalues")
    r, e = np.broadcast_arrays(r, e)
    s = 1.0 + r[..., None] - e[..., None] * lam
    kind = _kind(s, r[..., None])
    disc = np.where(kind == COMPLEX_PAIR, 0.0, s * s - 4.0 * r[..., None])
    modulus = np.where(kind == COMPLEX_PAIR, np.sqrt(np.abs(r))[..., None],
                       0.5 * (np.abs(s) + np.sqrt(disc)))
    return s, kind, modulus


def convergence_rate(rho: object, eta: object, eigenvalues: object) -> np.ndarray | float:
    r"""Asymptotic rate of momentum descent on a quadratic (notebook 3, *Theory*).

    Along an eigenvalue :math:`\lambda` the error obeys
    :math:`e_{t+1} = (1 + \rho - \eta\lambda)\, e_t - \rho\, e_{t-1}`, and the rate is the largest
    root modulus of its characteristic polynomial:

    .. math::

        r(\rho, \eta) = \max_{\lambda} \max \{ |\mu| :
        \mu^2 - (1 + \rho - \eta\lambda)\mu + \rho = 0 \},

    :math:`(|s| + \sqrt{s^2 - 4\rho})/2` for real roots (:math:`s = 1 + \rho - \eta\lambda`,
    :math:`s^2 \ge 4\rho`), :math:`\sqrt{\rho}` for a complex pair. ``rho`` and ``eta`` broadcast
    together (at most :math:`10^8` numbers per eigenvalue), and the result has their shape (a float
    for scalars); ``eigenvalues`` are positive scales.
    """
    _, _, modulus = _roots(rho, eta, eigenvalues)
    out = modulus.max(axis=-1)
    return float(out) if out.ndim == 0 else out


def iteration_regime(rho: object, eta: object, eigenvalues: object) -> np.ndarray | int:
    r"""What the error does (notebook 3, *Beyond the homework*): :data:`MONOTONE`,
    :data:`OSCILLATING`, :data:`BOUNDED` or :data:`DIVERGENT`.

    Divergent when :func:`convergence_rate` exceeds 1, or is 1 with the double root -1
    (:math:`\rho = 1`, :math:`\eta\lambda = 4`); bounded when it is 1 otherwise (to
    :math:`10^{-12}`); else monotone when every direction's :func:`root_kind` is
    :data:`REAL_POSITIVE`, oscillating if not. Same domain as :func:`convergence_rate`.
    """
    s, kind, modulus = _roots(rho, eta, eigenvalues)
    out = np.where(np.all(kind == REAL_POSITIVE, axis=-1), MONOTONE, OSCILLATING)
    on_circle = np.abs(modulus - 1.0) <= 1e-12
    grows = (modulus > 1.0 + 1e-12) | (on_circle & (np.abs(s + 2.0) <= 1e-12))
    out = np.where(on_circle.any(axis=-1), BOUNDED, out)
    out = np.where(grows.any(axis=-1), DIVERGENT, out)
    return int(out) if out.ndim == 0 else out


def optimal_parameters(lambda_min: float, lambda_max: float) -> tuple[float, float]:
    r"""Polyak's optimal ``(rho, eta)`` for eigenvalues in :math:`[\lambda_{\min}, \lambda_{\max}]`.

    .. math::

        \rho^\star = \left(\frac{\sqrt{\kappa} - 1}{\sqrt{\kappa} + 1}\right)^2, \qquad
        \eta^\star = \left(\frac{2}{\sqrt{\lambda_{\min}} + \sqrt{\lambda_{\max}}}\right)^2,
        \qquad \kappa = \frac{\lambda_{\max}}{\lambda_{\min}},

    whose :func:`convergence_rate` is :math:`(\sqrt{\kappa} - 1)/(\sqrt{\kappa} + 1)`, against
    :math:`(\kappa - 1)/(\kappa + 1)` for gradient descent with its best step
    :math:`2 / (\lambda_{\min} + \lambda_{\max})`. Both bounds are positive scales.
    """
    lo = check_positive(lambda_min, "lambda_min")
    hi = check_positive(lambda_max, "lambda_max")
    if lo > hi:
        raise ValueError(f"lambda_min must be <= lambda_max, got {lo!r} > {hi!r}")
    root_kappa = float(np.sqrt(hi / lo))
    rho = ((root_kappa - 1) / (root_kappa + 1)) ** 2
    eta = (2 / (np.sqrt(lo) + np.sqrt(hi))) ** 2
    return rho, float(eta)


def measured_rate(positions: object, minimum: object, *, start: int | None = None) -> float:
    r"""The rate observed on a run, :math:`(z_T / z_s)^{1/(T - s)}`.

    :math:`z_t = \sqrt{\lVert w_t - w^\star\rVert^2 + \lVert w_{t-1} - w^\star\rVert^2}`, the
    size of the iteration's state, does not pass near 0 when the error oscillates. Computed as
    :math:`\exp((\ln z_T - \ln z_s)/(T - s))` so that errors of :math:`10^{-200}` count too; 0
    when the run reaches :math:`w^\star`. ``positions`` is a run of at least 4 rows, ``minimum``
    :math:`w^\star` and ``start`` :math:`s` from 1 to :math:`T - 2` (by default :math:`T / 2`).
    """
    x = as_float_array(positions, "positions", ndim=2)
    w_star = as_float_array(minimum, "minimum", ndim=1)
    if x.shape[1] != w_star.size:
        raise ValueError(
            f"minimum has {w_star.size} entries but the positions have {x.shape[1]} "
            f"coordinates (shape {x.shape}); they must match"
        )
    last = x.shape[0] - 1
    if last < 3:
        raise ValueError(f"positions must hold a run of T >= 3 steps (4 rows), got shape {x.shape}")
    s = last // 2 if start is None else check_int_in_range(start, "start", 1, last - 2)
    diff = x - w_star
    state = np.concatenate([diff[1:], diff[:-1]], axis=1)  # row t - 1 is the state at t
    z = np.hypot.reduce(state, axis=1)
    if z[s - 1] == 0 or z[last - 1] == 0:
        return 0.0
    return float(np.exp((np.log(z[last - 1]) - np.log(z[s - 1])) / (last - s)))


# -- Step counts from the closed form (notebook 3, Check) -----------------------------------------

#: Roots closer than this, relative to their size, are one double root in closed_form_errors.
DOUBLE_ROOT_RTOL = 1e-7


def closed_form_errors(
    rho: float, eta: float, eigenvalues: object, start: object, steps: int
) -> np.ndarray:
    r"""The errors of :func:`momentum_descent` on a quadratic along each eigenvector, from the
    closed form of their recurrence (notebook 3, *Check*).

    Along :math:`\lambda`, :math:`e_{t+1} = (1 + \rho - \eta\lambda)\, e_t - \rho\, e_{t-1}` and
    :math:`e_1 = (1 - \eta\lambda)\, e_0`. With :math:`z_1, z_2` the roots of
    :math:`z^2 - (1 + \rho - \eta\lambda) z + \rho`,

    .. math::

        e_t = a z_1^t + b z_2^t, \quad a + b = e_0, \quad a z_1 + b z_2 = e_1
        \qquad (z_1 \ne z_2),

        e_t = \bigl(e_0 + t\,(e_1 / z - e_0)\bigr)\, z^t \qquad (\text{double root } z \ne 0),

    and :math:`e_t = 0` for :math:`t \ge 1` at the double root 0. Roots within
    :data:`DOUBLE_ROOT_RTOL` of each other count as double: that changes :math:`e_t` by about
    :math:`(t \cdot 10^{-7})^2`, where the two-root formula would lose :math:`10^{-9}` to
    cancellation. ``eigenvalues`` are positive scales, ``start`` holds :math:`e_0` along them,
    ``steps`` is 0 to :math:`10^5`. Returns :math:`e_t`, shape (steps + 1, d); a diverging run
    that overflows float64 is refused.
    """
    r = check_in_range(rho, "rho")
    e = check_in_range(eta, "eta")
    lam = _positive_eigenvalues(eigenvalues)
    e0 = as_float_array(start, "start", ndim=1).astype(np.float64)
    if e0.shape != lam.shape:
        raise ValueError(f"start must have one entry per eigenvalue, shape {lam.shape}, "
                         f"got {e0.shape}")
    count = check_int_in_range(steps, "steps", 0, 100_000)
    s = 1.0 + r - e * lam
    root = np.sqrt((s * s - 4.0 * r).astype(complex))
    z1, z2 = (s + root) / 2, (s - root) / 2
    e1 = (1.0 - e * lam) * e0
    t = np.arange(count + 1)[:, None]
    double = np.abs(z1 - z2) <= DOUBLE_ROOT_RTOL * np.abs(z1)
    z = np.where(double & (s != 0), s / 2, 1.0)  # the double root (z1 + z2) / 2, where used
    gap = np.where(double, 1.0, z1 - z2)
    a = (e1 - z2 * e0) / gap
    with np.errstate(over="ignore", invalid="ignore"):
        distinct = a * z1**t + (e0 - a) * z2**t
        repeated = (e0 + t * (e1 / z - e0)) * z**t
    out = np.where(double, repeated, distinct).real
    out[1:, double & (s == 0)] = 0.0
    if not np.isfinite(out).all():
        raise ValueError(
            f"the errors of rho={r!r}, eta={e!r} overflow float64 within {count} steps (the run "
            "diverges); ask for fewer steps"
        )
    return out


def steps_to_tolerance(errors: object, tol: float) -> int | None:
    r"""First step :math:`t` with :math:`e_t \le \varepsilon\, e_0`, or ``None`` if never.

    ``errors`` are sizes :math:`e_t \ge 0` (1-D, at most :math:`10^{300}`); ``tol`` is
    :math:`\varepsilon \in (0, 1)`.
    """
    e = as_float_array(errors, "errors", ndim=1, max_abs=WIDE_LIMIT)
    if (e < 0).any():
        raise ValueError(f"errors must be sizes >= 0, got {short_repr(e[e < 0])}")
    eps = check_in_range(tol, "tol", 0.0, 1.0, low_inclusive=False, high_inclusive=False)
    hits = np.flatnonzero(e <= eps * e[0])
    return int(hits[0]) if hits.size else None


def root_kind(rho: object, eta_lambda: object) -> np.ndarray | int:
    r"""The kind of roots of :math:`z^2 - (1 + \rho - \eta\lambda) z + \rho` (notebook 3,
    *Beyond the homework*): :data:`REAL_POSITIVE`, :data:`COMPLEX_PAIR` or :data:`REAL_NEGATIVE`.

    With :math:`s = 1 + \rho - \eta\lambda` and :math:`\rho \ge 0`, the roots are real when
    :math:`s^2 \ge 4\rho`, with the sign of :math:`s`, else a complex pair of modulus
    :math:`\sqrt\rho`:

    * real, :math:`\ge 0` for :math:`\eta\lambda \le (1 - \sqrt\rho)^2` (overdamped);
    * complex for :math:`(1 - \sqrt\rho)^2 < \eta\lambda < (1 + \sqrt\rho)^2` (underdamped);
    * real, negative for :math:`\eta\lambda \ge (1 + \sqrt\rho)^2` (the step overshoots).

    Both borders are the curve :math:`\rho = (1 - \sqrt{\eta\lambda})^2` (critical damping).

    ``rho`` :math:`\ge 0` and ``eta_lambda`` are numbers or arrays, broadcast together.
    """
    r = as_float_array(rho, "rho", allow_empty=True).astype(np.float64)
    x = as_float_array(eta_lambda, "eta_lambda", allow_empty=True).astype(np.float64)
    if (r < 0).any():
        raise ValueError(f"rho must be >= 0, got {short_repr(r[r < 0])}")
    out = _kind(1.0 + r - x, r)
    return int(out) if out.ndim == 0 else out


# -- Nesterov's momentum and the lower bound (notebook 3, Going deeper) ---------------------------


def nesterov_descent(grad: Grad, w0: object, *, rho: float, eta: float, steps: int) -> np.ndarray:
    r"""Nesterov's accelerated gradient in this project's convention (Sutskever et al.'s form).

    .. math::

        v_0 = 0, \qquad v_{t+1} = \rho\, v_t - \nabla E(w_t + \eta\rho\, v_t), \qquad
        w_{t+1} = w_t + \eta\, v_{t+1},

    the gradient taken where the old velocity alone would carry the ball; equivalently
    :math:`y_t = w_t + \rho(w_t - w_{t-1})` and :math:`w_{t+1} = y_t - \eta\nabla E(y_t)`.
    Same arguments, domain and divergence rule as :func:`momentum_descent`.
    """
    check_callable(grad, "grad")
    w = as_float_array(w0, "w0", ndim=1)
    rho = check_in_range(rho, "rho")
    eta = check_in_range(eta, "eta")

    def update(w: np.ndarray, v: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray]:
        v = rho * v - _gradient(grad, w + eta * rho * v, step)
        return w + eta * v, v

    return _run(update, w, steps, False)


def nesterov_rate(rho: float, eta: float, eigenvalues: object) -> float:
    r"""Asymptotic rate of :func:`nesterov_descent` on a quadratic.

    Along :math:`\lambda` the error obeys
    :math:`e_{t+1} = (1 - \eta\lambda)\bigl((1 + \rho)\, e_t - \rho\, e_{t-1}\bigr)`; the rate is
    the largest root modulus of
    :math:`z^2 - (1 + \rho)(1 - \eta\lambda)\, z + \rho(1 - \eta\lambda)` over the eigenvalues
    (positive scales).
    """
    r = check_in_range(rho, "rho")
    e = check_in_range(eta, "eta")
    lam = _positive_eigenvalues(eigenvalues)
    return float(max(
        np.abs(np.roots([1.0, -(1.0 + r) * (1.0 - e * x), r * (1.0 - e * x)])).max() for x in lam
    ))


def nesterov_parameters(mu: float, L: float) -> tuple[float, float]:
    r"""Nesterov's momentum and step for curvatures in :math:`[\mu, L]`, :math:`\kappa = L/\mu`:

    .. math:: \rho = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}, \qquad \eta = \frac1L,

    which converge on every function with curvature in :math:`[\mu, L]`, the loss gap shrinking at
    least like :math:`(1 - 1/\sqrt\kappa)^t`. ``mu <= L``, positive scales.
    """
    lo, hi = check_positive(mu, "mu"), check_positive(L, "L")
    if lo > hi:
        raise ValueError(f"mu must be <= L, got {lo!r} > {hi!r}")
    root_lo, root_hi = float(np.sqrt(lo)), float(np.sqrt(hi))
    return (root_hi - root_lo) / (root_hi + root_lo), 1.0 / hi


def worst_case_quadratic(dimension: int, mu: float, L: float) -> Quadratic:
    r"""Nesterov's hard quadratic for first-order methods (Nesterov 2004, section 2.1.4).

    .. math::

        E(w) = \frac{L - \mu}{8}\Bigl(w_1^2 + \sum_{i=1}^{n-1} (w_i - w_{i+1})^2 - 2 w_1\Bigr)
               + \frac{\mu}{2}\lVert w\rVert^2,

    with Hessian :math:`A = \mu I + \tfrac{L - \mu}{4}\,T` (:math:`T` tridiagonal, 2 on the
    diagonal, -1 beside it) and minimum :math:`w^\star = A^{-1}\, \tfrac{L - \mu}{4} e_1`. A method
    combining past gradients from 0 has :math:`w_t` zero beyond entry :math:`t`, so
    :math:`\lVert w_t - w^\star\rVert \ge \lVert w^\star_{t+1:}\rVert`, with
    :math:`w^\star_i \approx q^i`, :math:`q = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)`.
    ``dimension`` :math:`n` is 2 to 5000; ``mu < L``, positive scales.
    """
    n = check_int_in_range(dimension, "dimension", 2, 5000)
    lo, hi = check_positive(mu, "mu"), check_positive(L, "L")
    if not lo < hi:
        raise ValueError(f"mu must be < L, got {lo!r} >= {hi!r}")
    A = lo * np.eye(n) + (hi - lo) / 4 * (2 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1))
    b = np.zeros(n)
    b[0] = (hi - lo) / 4
    return Quadratic(A, np.linalg.solve(A, b))


class HeavyBallCounterexample:
    r"""Lessard, Recht and Packard's function on which the heavy ball cycles (2016, section 4.6).

    Convex, three quadratic pieces, curvature :math:`\mu = 1` in the middle and :math:`L = 25`
    elsewhere:

    .. math::

        E'(x) = \begin{cases} 25x & x < 1 \\ x + 24 & 1 \le x < 2 \\ 25x - 24 & x \ge 2 \end{cases},
        \qquad
        E(x) = \begin{cases} \tfrac{25}{2}x^2 & x < 1 \\ \tfrac12 x^2 + 24x - 12 & 1 \le x < 2 \\
        \tfrac{25}{2}x^2 - 24x + 36 & x \ge 2 \end{cases},

    minimum 0 at :math:`x = 0`. Polyak's :math:`(\rho^\star, \eta^\star) = (4/9, 1/9)`, optimal on
    every quadratic with these bounds, cycle here from a start in about :math:`[3.07, 3.46]`, while
    gradient descent and :func:`nesterov_descent` converge.
    """

    mu, L, dim = 1.0, 25.0, 1
    minimum = np.zeros(1)

    def value(self, w: object) -> np.ndarray | float:
        """:math:`E(x)` for points of shape (..., 1)."""
        x = _points(w, 1)[..., 0]
        out = np.where(x < 1, 12.5 * x**2,
                       np.where(x < 2, 0.5 * x**2 + 24 * x - 12, 12.5 * x**2 - 24 * x + 36))
        return float(out) if np.ndim(out) == 0 else out

    def grad(self, w: object) -> np.ndarray:
        """:math:`E'(x)`, same shape as ``w``."""
        x = _points(w, 1)
        return np.where(x < 1, 25 * x, np.where(x < 2, x + 24, 25 * x - 24))


# -- Stochastic gradients (notebook 3, Going deeper) ----------------------------------------------


def noisy_gradient(grad: Grad, sigma: float, rng: np.random.Generator) -> Grad:
    r"""``grad`` plus independent Gaussian noise at every call, the simplest model of a minibatch:
    :math:`g(w) = \nabla E(w) + \sigma \xi`, :math:`\xi \sim \mathcal N(0, I)`,
    :math:`\sigma \ge 0`."""
    check_callable(grad, "grad")
    s = check_nonnegative(sigma, "sigma")
    check_generator(rng, "rng")

    def noisy(w: np.ndarray) -> np.ndarray:
        g = np.asarray(grad(w), dtype=np.float64)
        return g + s * rng.standard_normal(g.shape)

    return noisy


def stationary_variance(rho: float, eta: float, eigenvalues: object, sigma: float) -> np.ndarray:
    r"""The noise floor: the variance momentum's error settles to along each eigenvector of a
    quadratic when every gradient carries independent noise of variance :math:`\sigma^2`.

    The error is the autoregression
    :math:`e_{t+1} = (1 + \rho - \eta\lambda)\, e_t - \rho\, e_{t-1} - \eta\sigma\xi_t`, of variance

    .. math::

        \operatorname{Var} e = \frac{\eta\,\sigma^2\,(1 + \rho)}
        {\lambda\,(1 - \rho)\,\bigl(2(1 + \rho) - \eta\lambda\bigr)}
        \;\approx\; \frac{\eta}{1 - \rho}\,\frac{\sigma^2}{2\lambda}
        \quad (\eta\lambda \ll 1),

    gradient descent's floor with the step :math:`\eta / (1 - \rho)`. ``rho`` in :math:`[0, 1)`,
    ``eta`` with :math:`\eta\lambda < 2(1 + \rho)` (the run settles), ``sigma`` :math:`\ge 0`.
    """
    r = check_in_range(rho, "rho", 0.0, 1.0, high_inclusive=False)
    e = check_positive(eta, "eta")
    lam = _positive_eigenvalues(eigenvalues)
    s = check_nonnegative(sigma, "sigma")
    if (e * lam >= 2 * (1 + r)).any():
        raise ValueError(
            f"eta * eigenvalue must be below 2 (1 + rho) = {2 * (1 + r):g} for the run to settle, "
            f"got eta = {e!r} and eigenvalues up to {lam.max()!r}"
        )
    return e * s**2 * (1 + r) / (lam * (1 - r) * (2 * (1 + r) - e * lam))
