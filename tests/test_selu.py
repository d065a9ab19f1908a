"""SELU: its two constants, the fixed point they define, the kink, limits and PyTorch."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
import torch
from scipy import integrate, stats

import actlib
from actlib.activations.selu import ALPHA, SCALE, SCALE_ALPHA

SPEC = actlib.get("selu")


def _closed_forms(dps: int = 50) -> tuple[mp.mpf, mp.mpf]:
    """α and λ from the closed forms of Klambauer et al. (2017), eqs. (14)-(15)."""
    with mp.workdps(dps):
        phi_m1 = mp.erfc(1 / mp.sqrt(2)) / 2  # Φ(−1)
        phi_m2 = mp.erfc(mp.sqrt(2)) / 2  # Φ(−2)
        alpha = 1 / (mp.sqrt(2 * mp.pi) * (mp.mpf(1) / 2 - mp.sqrt(mp.e) * phi_m1))
        second = mp.mpf(1) / 2 + alpha**2 * (
            mp.e**2 * phi_m2 - 2 * mp.sqrt(mp.e) * phi_m1 + mp.mpf(1) / 2
        )
        scale = 1 / mp.sqrt(second)
        return +alpha, +scale


# ---------------------------------------------------------------------------- the constants
def test_constants_are_the_nearest_doubles_to_the_fixed_point():
    alpha, scale = _closed_forms()
    assert float(alpha) == ALPHA
    assert float(scale) == SCALE
    # the documented 32-digit values, correctly rounded
    assert mp.nstr(alpha, 32) == "1.6732632423543772848170429916717"
    assert mp.nstr(scale, 32) == "1.0507009873554804934193349852946"


def test_scale_alpha_is_pytorchs_product_one_ulp_below_the_rounded_exact_product():
    alpha, scale = _closed_forms()
    assert SCALE_ALPHA == SCALE * ALPHA
    with mp.workdps(50):
        exact = float(alpha * scale)
    assert exact == math.nextafter(SCALE_ALPHA, math.inf)


def test_constants_equal_pytorchs():
    t = torch.tensor([1.0, -1000.0, -math.inf], dtype=torch.float64)
    one, far, minus_inf = torch.nn.functional.selu(t).tolist()
    assert one == SCALE
    assert -far == -minus_inf == SCALE_ALPHA
    assert -far / one == ALPHA


def test_spec_has_no_parameters_like_pytorch():
    assert SPEC.params == {} and SPEC.parameters == ()
    assert str(SPEC.torch_module()) == "SELU()"
    with pytest.raises(TypeError):
        SPEC.forward(1.0, alpha=2.0)


# ---------------------------------------------------------------------------- the fixed point
def _gauss_moment(k: int) -> float:
    def integrand(z: float) -> float:
        return float(SPEC.forward(z)) ** k * stats.norm.pdf(z)

    # split at the kink, where the integrand is not smooth
    left = integrate.quad(integrand, -np.inf, 0.0, epsabs=1e-14, epsrel=1e-13)[0]
    right = integrate.quad(integrand, 0.0, np.inf, epsabs=1e-14, epsrel=1e-13)[0]
    return left + right


def test_standard_normal_input_gives_mean_zero_and_variance_one():
    mean, second = _gauss_moment(1), _gauss_moment(2)
    assert abs(mean) < 1e-12
    assert abs(second - mean**2 - 1.0) < 1e-12


def test_elu_with_alpha_one_is_not_a_fixed_point():
    elu = actlib.get("elu")
    z = np.random.default_rng(0).standard_normal(200_000)
    assert elu.forward(z).mean() > 0.1 and elu.forward(z).var() < 0.7
    assert abs(SPEC.forward(z).mean()) < 0.01 and abs(SPEC.forward(z).var() - 1) < 0.01


# ---------------------------------------------------------------------------- values and kink
def test_selu_is_scale_times_elu_with_alpha():
    xs = np.linspace(-30.0, 30.0, 6001)
    expected = SCALE * actlib.get("elu").forward(xs, alpha=ALPHA)
    np.testing.assert_allclose(SPEC.forward(xs), expected, rtol=4.5e-16, atol=0)


def test_kink_values_and_one_sided_slopes():
    assert SPEC.derivative(0.0) == SCALE_ALPHA  # the left piece, as autograd
    assert SPEC.derivative(np.nextafter(0.0, 1.0)) == SCALE
    assert SPEC.derivative(-np.nextafter(0.0, 1.0)) == SCALE_ALPHA
    t = torch.tensor([0.0], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.selu(t).backward()
    assert t.grad.item() == SCALE_ALPHA
    props = SPEC.properties()
    assert not props.continuously_differentiable  # λα ≠ λ: a kink, unlike ELU with α = 1
    assert props.monotonic and props.zero_centred
    assert props.slope_at_zero == SCALE_ALPHA


def test_limits_and_saturation():
    assert SPEC.limits() == (-SCALE_ALPHA, math.inf)
    assert SPEC.limits("derivative") == (0.0, SCALE)
    f = SPEC.forward(np.array([-np.inf, -1000.0, -40.0, np.inf]))
    np.testing.assert_array_equal(f, [-SCALE_ALPHA, -SCALE_ALPHA, -SCALE_ALPHA, np.inf])
    props = SPEC.properties()
    assert props.range.inf == -SCALE_ALPHA and not props.range_attained[0]
    assert props.saturates == ("negative",)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_matches_pytorch_forward_and_autograd(dtype):
    big, tiny = (1e300, 1e-300) if dtype is torch.float64 else (1e30, 1e-30)
    xs = np.concatenate([np.linspace(-50, 50, 2001), [-tiny, tiny, big, -big]])
    t = torch.tensor(xs, dtype=dtype, requires_grad=True)
    y = torch.nn.functional.selu(t)
    (g,) = torch.autograd.grad(y.sum(), t)
    np_dtype = np.float64 if dtype is torch.float64 else np.float32
    x_cast = xs.astype(np_dtype)
    eps = np.finfo(np_dtype).eps
    np.testing.assert_allclose(SPEC.forward(x_cast), y.detach().numpy(), rtol=2 * eps, atol=0)
    np.testing.assert_allclose(SPEC.derivative(x_cast), g.numpy(), rtol=2 * eps, atol=0)


def test_no_cancellation_near_zero_and_no_overflow_far_right():
    x = -1e-12
    with mp.workdps(40):
        exact = float(mp.mpf(SCALE_ALPHA) * mp.expm1(mp.mpf(x)))
    assert abs(SPEC.forward(x) - exact) <= 2 * abs(exact) * np.finfo(float).eps
    naive = SPEC.naive_forward(np.array([x]))[0]
    assert abs(naive - exact) > 1e-6 * abs(exact)  # the textbook formula cancels
    assert SPEC.forward(1.75e308) == np.inf  # λ·1.75e308 > the largest double: inf is right
    assert SPEC.forward(1e308) == SCALE * 1e308
    assert SPEC.derivative(1000.0) == SCALE and SPEC.forward(1000.0) == SCALE * 1000.0


def test_float32_keeps_dtype_and_saturates():
    y = SPEC.forward(np.array([-100.0, 0.5], dtype=np.float32))
    assert y.dtype == np.float32
    assert y[0] == np.float32(-SCALE_ALPHA) and y[1] == np.float32(SCALE * 0.5)
