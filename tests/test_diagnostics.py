"""Tests of actlib.nn.diagnostics and actlib.nn.plotting: gradients, dead units, collapse of
linear networks, linear pieces of ReLU networks, activation patterns, figures."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
import torch

import actlib
from actlib.nn.diagnostics import (
    DROPOUTS,
    activation_moments,
    activation_patterns,
    collapse_linear,
    collapse_symbolic,
    dead_units,
    gradient_profile,
    layer_statistics,
    linear_regions_1d,
    symbolic_network,
)
from actlib.nn.networks import MLP, build_mlp, sawtooth_mlp
from actlib.nn.plotting import plot_decision_boundary, plot_regions_1d
from actlib.nn.training import fit
from actlib.symbolic.pieces import affine_pieces, is_piecewise_linear

#: Hidden-layer activations that act on each unit alone (an MLP layer of any width).
HIDDEN = [s.name for s in actlib.specs(role="hidden") if s.shape.entrywise]
PIECEWISE_LINEAR = [n for n in HIDDEN if is_piecewise_linear(n)]
SMOOTH_HIDDEN = [n for n in HIDDEN if not is_piecewise_linear(n)]


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _net(name: str, sizes, seed: int = 0) -> MLP:
    """PyTorch's default initialisation in float64, as the chapter on nonlinearity uses."""
    return build_mlp(name, sizes, init="pytorch", seed=seed, dtype=torch.float64)


def test_hidden_activations_of_both_kinds():
    assert "relu" in PIECEWISE_LINEAR
    assert "gelu" in SMOOTH_HIDDEN


# ---------------------------------------------------------------------------- gradients
def test_sigmoid_gradients_vanish_within_the_derivative_bound():
    bound = actlib.get("sigmoid").properties().derivative_range.sup
    prof = gradient_profile("sigmoid", depth=12, init="xavier", seed=0)
    assert prof.preact_grad.shape == (12,) and prof.weight_grad.shape == (13,)
    # each layer multiplies the backward signal by about the mean of sigma' (<= 1/4)
    assert prof.factor_per_layer < 1.1 * bound
    assert prof.first_to_last < 1e-4
    # dL/dz shrinks monotonically towards the input
    assert all(prof.preact_grad[:-1] < prof.preact_grad[1:])


def test_kaiming_relu_keeps_gradients_of_the_same_order():
    sig = gradient_profile("sigmoid", depth=12, init="xavier", seed=0)
    relu = gradient_profile("relu", depth=12, init="kaiming", seed=0)
    assert 0.1 < relu.first_to_last < 10
    assert relu.factor_per_layer > 3 * sig.factor_per_layer


def test_relu_gradients_shrink_with_xavier_but_not_with_kaiming():
    xavier = gradient_profile("relu", depth=12, init="xavier", seed=1)
    kaiming = gradient_profile("relu", depth=12, init="kaiming", seed=1)
    assert xavier.first_to_last < 0.1 * kaiming.first_to_last


def test_large_initialisation_explodes():
    prof = gradient_profile("relu", depth=12, init="large", seed=0)
    assert prof.first_to_last > 1e4
    assert prof.weight_grad[0] > 1e6
    assert prof.activation_rms[-1] > 1e6 * prof.activation_rms[0]


def test_gradient_profile_is_reproducible():
    a = gradient_profile("rrelu", depth=5, seed=2)
    b = gradient_profile("rrelu", depth=5, seed=2)
    assert (a.weight_grad == b.weight_grad).all() and (a.preact_grad == b.preact_grad).all()


# ---------------------------------------------------------------------------- dead units
def test_identity_has_no_dead_units():
    model = build_mlp("identity", (8, 16, 16, 16, 2))
    report = dead_units(model, torch.randn(50, 8))
    assert report.overall == 0.0 and report.per_layer == (0.0, 0.0, 0.0)


def _with_negative_bias(name: str) -> MLP:
    model = build_mlp(name, (8, 16, 16, 16, 2))
    with torch.no_grad():
        model.linears[0].bias.fill_(-1e6)
    return model


def test_relu_with_huge_negative_bias_is_all_dead():
    model = _with_negative_bias("relu")
    report = dead_units(model, torch.randn(50, 8))
    # layer 1 never fires; later layers then only see 0 and relu'(0) = 0
    assert report.per_layer[0] == 1.0
    assert report.overall == 1.0


def test_leaky_relu_does_not_die():
    model = _with_negative_bias("leaky_relu")
    assert dead_units(model, torch.randn(50, 8)).overall == 0.0


def test_dead_units_counts_a_single_dead_unit():
    model = build_mlp("relu", (8, 10, 2))
    with torch.no_grad():
        model.linears[0].bias[3] = -1e6
        model.linears[0].bias[[0, 1, 2, 4, 5, 6, 7, 8, 9]] = 1e6
    report = dead_units(model, torch.randn(20, 8))
    assert report.per_layer == (0.1,)


def test_dead_units_restores_training_mode():
    model = build_mlp("rrelu", (3, 4, 4, 2))
    model.train()
    dead_units(model, torch.randn(5, 3))
    assert model.training


def test_dead_units_rejects_bad_input():
    with pytest.raises(TypeError, match="MLP"):
        dead_units(torch.nn.Linear(2, 2), torch.zeros(3, 2))
    model = build_mlp("relu", (2, 64, 64, 2))
    with pytest.raises(TypeError, match="floating"):
        dead_units(model, torch.zeros(3, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="non-empty"):
        dead_units(model, torch.zeros(0, 2))
    with pytest.raises(ValueError, match="tol"):
        dead_units(model, torch.zeros(3, 2), tol=-1.0)
    with pytest.raises(ValueError, match="classes"):
        gradient_profile("relu", classes=1)
    with pytest.raises(ValueError, match="elementwise"):
        gradient_profile("softmax")


# ---------------------------------------------------------------------------- collapse
@pytest.mark.parametrize("sizes", [(3, 8, 2), (2, 5, 7, 4, 1), (4, 16, 16, 16, 3)])
@pytest.mark.parametrize("seed", [0, 1])
def test_linear_net_equals_collapsed_matrix(sizes, seed, rng):
    net = _net("identity", sizes, seed=seed)
    w, b = collapse_linear(net)
    assert w.shape == (sizes[-1], sizes[0]) and b.shape == (sizes[-1],)
    x = rng.normal(size=(50, sizes[0]))
    with torch.no_grad():
        y = net(torch.as_tensor(x)).numpy()
    np.testing.assert_allclose(y, x @ w.T + b, rtol=1e-12, atol=1e-13)


def test_collapse_refuses_a_nonlinear_net():
    with pytest.raises(ValueError, match="not affine"):
        collapse_linear(_net("relu", (2, 4, 1)))


def test_symbolic_collapse_identity_and_not_relu(rng):
    x, layers, out = symbolic_network((2, 3, 3, 1), "identity")
    w, b = collapse_symbolic(layers)
    assert w.shape == (1, 2)
    assert sp.expand(out - (w * x + b)) == sp.zeros(1, 1)
    # With ReLU the same weights give something else wherever a unit is off.
    _, layers_r, out_r = symbolic_network((2, 3, 3, 1), "relu")
    values = {}
    for (wl, bl), (wr, br) in zip(layers, layers_r, strict=True):
        assert wl == wr and bl == br  # same symbols in both networks
        for sym in [*wl, *bl]:
            values[sym] = sp.Rational(int(rng.integers(-5, 6)), 2)
    # put the input where the first hidden unit is certainly negative
    values[layers[0][1][0]] = -100
    point = {x[0]: 1, x[1]: -1}
    lin = (w * x + b)[0].subs(values).subs(point)
    rel = out_r[0].subs(values).subs(point)
    assert out[0].subs(values).subs(point) == lin
    assert rel != lin


def test_collapse_folds_affine_activation_into_biases():
    """The symbolic collapse and the numeric one agree for numeric weights."""
    net = _net("identity", (2, 3, 1), seed=3)
    x, layers, out = symbolic_network((2, 3, 1), "identity")
    subs = {}
    for (ws, bs), lin in zip(layers, net.linears, strict=True):
        numbers = [*lin.weight.detach().ravel(), *lin.bias.detach()]
        for sym, v in zip([*ws, *bs], numbers, strict=True):
            subs[sym] = float(v)
    w_sym, b_sym = collapse_symbolic(layers)
    w, b = collapse_linear(net)
    np.testing.assert_allclose(np.array(w_sym.subs(subs), dtype=float), w, rtol=1e-13)
    np.testing.assert_allclose(np.array(b_sym.subs(subs), dtype=float).ravel(), b, rtol=1e-13)


def test_symbolic_network_refuses_softmax():
    with pytest.raises(ValueError, match="elementwise"):
        symbolic_network((2, 2, 1), "softmax")


# ---------------------------------------------------------------------------- 1-D regions
def _net_1d(net, xs):
    with torch.no_grad():
        return net(torch.as_tensor(np.asarray(xs, dtype=float)[:, None])).numpy()


@pytest.mark.parametrize("name", PIECEWISE_LINEAR)
@pytest.mark.parametrize("width", [1, 3, 10, 25])
@pytest.mark.parametrize("seed", range(4))
def test_one_hidden_layer_has_at_most_k_plus_one_pieces(name, width, seed):
    net = _net(name, (1, width, 1), seed=seed)
    regions = linear_regions_1d(net, -10.0, 10.0)
    kinks_per_unit = len(affine_pieces(name)) - 1
    assert 1 <= regions.count <= kinks_per_unit * width + 1
    assert len(regions.sign_changes) <= kinks_per_unit * width
    # the crossings are exactly the inputs (k - b)/w at which a unit reaches a kink k of the
    # activation, inside the interval
    lin = net.linears[0]
    kinks = np.array([p.hi for p in affine_pieces(name)[:-1]])
    w, b = lin.weight[:, 0].detach().numpy(), lin.bias.detach().numpy()
    expected = ((kinks[:, None] - b[None, :]) / w[None, :]).ravel()
    expected = np.sort(expected[(expected > -10) & (expected < 10)])
    np.testing.assert_allclose(regions.sign_changes, expected, rtol=1e-14)


@pytest.mark.parametrize("name", PIECEWISE_LINEAR)
@pytest.mark.parametrize("sizes", [(1, 6, 1), (1, 8, 8, 1), (1, 5, 5, 5, 2)])
def test_pieces_reproduce_the_network(name, sizes):
    net = _net(name, sizes, seed=11)
    regions = linear_regions_1d(net, -6.0, 6.0)
    xs = np.linspace(-6, 6, 4001)
    np.testing.assert_allclose(regions(xs), _net_1d(net, xs), rtol=1e-12, atol=1e-12)
    assert regions.pieces[0].lo == -6.0 and regions.pieces[-1].hi == 6.0
    for left, right in zip(regions.pieces[:-1], regions.pieces[1:], strict=True):
        assert left.hi == right.lo


@pytest.mark.parametrize("seed", range(5))
def test_breakpoints_are_where_the_slope_changes(seed):
    net = _net("relu", (1, 12, 12, 1), seed=seed)
    regions = linear_regions_1d(net, -4.0, 4.0)
    bp = regions.breakpoints
    assert bp.size >= 1
    edges = np.array([-4.0, *bp, 4.0])
    h = np.diff(edges).min() / 4
    for b in bp:
        ys = _net_1d(net, [b - 2 * h, b - h, b, b + h, b + 2 * h])[:, 0]
        left, right = (ys[2] - ys[0]) / (2 * h), (ys[4] - ys[2]) / (2 * h)
        assert abs(left - right) > 1e-9 * max(1.0, abs(left), abs(right))
    # and nowhere else: the network is affine between consecutive breakpoints
    for u, v in zip(edges[:-1], edges[1:], strict=True):
        t = np.linspace(u, v, 7)[1:-1]
        ys = _net_1d(net, t)[:, 0]
        np.testing.assert_allclose(np.diff(ys, 2), 0.0, atol=1e-12)


def test_a_crossing_without_outgoing_weight_is_not_a_breakpoint():
    net = _net("relu", (1, 4, 1), seed=2)
    full = linear_regions_1d(net, -20.0, 20.0)
    lin0 = net.linears[0]
    x_cross = (-lin0.bias / lin0.weight[:, 0]).detach().numpy()
    unit = int(np.argmin(np.abs(x_cross - full.sign_changes[0])))
    with torch.no_grad():
        net.linears[1].weight[0, unit] = 0.0
    cut = linear_regions_1d(net, -20.0, 20.0)
    np.testing.assert_array_equal(cut.sign_changes, full.sign_changes)
    assert cut.count == full.count - 1
    assert not np.any(np.isclose(cut.breakpoints, x_cross[unit]))


@pytest.mark.parametrize("depth", range(1, 8))
def test_sawtooth_has_two_to_the_depth_pieces(depth):
    regions = linear_regions_1d(sawtooth_mlp(depth), 0.0, 1.0)
    assert regions.count == 2**depth
    np.testing.assert_allclose(regions.breakpoints, np.arange(1, 2**depth) / 2**depth)
    slopes = np.abs([p.slope[0] for p in regions.pieces])
    np.testing.assert_allclose(slopes, 2.0**depth)


def test_learned_prelu_slope_is_used():
    net = _net("prelu", (1, 6, 1), seed=5)
    xs = np.linspace(-3, 3, 64)[:, None]
    fit(net, xs, (np.abs(xs) > 1).astype(float), loss="bce", epochs=50, lr=0.05, progress=False)
    assert net.activations[0].weight.item() != 0.25
    regions = linear_regions_1d(net, -3.0, 3.0)
    grid = np.linspace(-3, 3, 999)
    np.testing.assert_allclose(regions(grid), _net_1d(net, grid), rtol=1e-12, atol=1e-12)


def test_rrelu_in_training_mode_is_refused():
    net = _net("rrelu", (1, 3, 1)).train()
    with pytest.raises(ValueError, match="training"):
        linear_regions_1d(net, -1.0, 1.0)


@pytest.mark.parametrize("name", SMOOTH_HIDDEN)
def test_smooth_networks_have_no_pieces(name):
    with pytest.raises(ValueError, match="not piecewise linear"):
        linear_regions_1d(_net(name, (1, 3, 1)), -1.0, 1.0)


def test_any_module_with_linears_and_activations_is_accepted():
    class Plain(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linears = torch.nn.ModuleList([torch.nn.Linear(1, 5), torch.nn.Linear(5, 1)])
            self.activations = torch.nn.ModuleList([torch.nn.LeakyReLU(0.2)])

        def forward(self, x):
            return self.linears[1](self.activations[0](self.linears[0](x)))

    net = Plain().double()
    with pytest.raises(TypeError, match="activation="):
        linear_regions_1d(net, -3.0, 3.0)
    # the slope 0.2 is read off the module, not the spec's default 0.01
    regions = linear_regions_1d(net, -3.0, 3.0, activation="leaky_relu")
    xs = np.linspace(-3, 3, 301)
    np.testing.assert_allclose(regions(xs), _net_1d(net, xs), rtol=1e-12, atol=1e-12)


def test_regions_need_one_input_and_an_interval():
    with pytest.raises(ValueError, match="one input"):
        linear_regions_1d(_net("relu", (2, 3, 1)), -1.0, 1.0)
    with pytest.raises(ValueError, match="lo < hi"):
        linear_regions_1d(_net("relu", (1, 3, 1)), 1.0, 1.0)


# ---------------------------------------------------------------------------- 2-D patterns
def test_same_activation_pattern_same_gradient(rng):
    net = _net("relu", (2, 6, 6, 1), seed=9)
    pts = rng.uniform(-3, 3, size=(400, 2))
    ids = activation_patterns(net, pts)
    assert ids[0] == 0 and set(ids) == set(range(ids.max() + 1))
    x = torch.as_tensor(pts).requires_grad_(True)
    net(x).sum().backward()
    grads = x.grad.numpy()
    for k in np.unique(ids):
        g = grads[ids == k]
        np.testing.assert_allclose(g, np.broadcast_to(g[0], g.shape), rtol=1e-12, atol=1e-14)
    assert ids.max() >= 2


def test_plots_draw_on_given_axes():
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2)
    net = _net("relu", (2, 4, 1))
    pts = np.array([[0.0, 0.0], [1.0, 1.0], [-1.0, 0.5]])
    assert plot_decision_boundary(a, net, pts, [0, 1, 0], title="t") is a
    assert a.get_title() == "t"
    net1 = _net("relu", (1, 4, 1))
    assert plot_regions_1d(b, net1, linear_regions_1d(net1, -2, 2)) is b
    assert len(b.lines) >= 2
    plt.close(fig)


# ---------------------------------------------------------------------------- forward statistics
#: Small deep networks: enough to see self-normalization and drift, fast enough for a unit test.
SMALL = {"depth": 16, "width": 64, "batch": 256, "seeds": (0, 1, 2)}


def test_selu_with_lecun_normal_stays_at_mean_zero_variance_one():
    stats = layer_statistics("selu", init="lecun", **SMALL)
    assert stats.mean.shape == stats.variance.shape == (3, 16)
    assert np.abs(stats.mean).max() < 0.1
    assert np.abs(stats.variance - 1.0).max() < 0.2


@pytest.mark.parametrize("name", ["relu", "tanh", "elu"])
def test_other_activations_drift_with_lecun_normal(name):
    stats = layer_statistics(name, init="lecun", **SMALL)
    # the variance shrinks layer after layer, far from 1
    assert stats.variance_centre[-1] < 0.1 * stats.variance_centre[0]
    assert stats.variance_centre[-1] < 0.1


def test_wrong_initialisation_breaks_selu():
    kaiming = layer_statistics("selu", init="kaiming", **SMALL)
    default = layer_statistics("selu", init="pytorch", **SMALL)
    assert kaiming.variance_centre[-1] > 10  # twice the weight variance: it grows
    assert default.variance_centre[-1] < 0.1  # a third of it (uniform): it collapses


def test_ordinary_dropout_inflates_the_variance_and_alpha_dropout_does_not():
    plain = layer_statistics("selu", dropout="dropout", rate=0.2, **SMALL)
    alpha = layer_statistics("selu", dropout="alpha", rate=0.2, **SMALL)
    # first layer: dropout keeps the mean and divides the second moment by 1 - rate
    assert plain.variance_centre[0] == pytest.approx(1 / 0.8, rel=0.05)
    assert plain.variance_centre[-1] > 2.0
    assert np.abs(alpha.variance_centre - 1.0).max() < 0.1
    assert np.abs(alpha.mean_centre).max() < 0.1


def test_moments_are_those_of_the_hidden_activations():
    net = build_mlp("gelu", (5, 7, 7, 1), seed=0, dtype=torch.float64)
    x = torch.randn(40, 5, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    means, variances = activation_moments(net, x)
    with torch.no_grad():
        _, _, post = net.forward_with_hidden(x)
    for layer, h in enumerate(post):
        assert means[layer] == pytest.approx(float(h.mean()), rel=1e-14)
        assert variances[layer] == pytest.approx(float(h.var(correction=0)), rel=1e-14)
    # rate 0 drops nothing
    zero = activation_moments(net, x, dropout="dropout", rate=0.0)
    np.testing.assert_allclose(zero[0], means, rtol=1e-14)
    np.testing.assert_allclose(zero[1], variances, rtol=1e-14)


def test_dropout_masks_are_seeded_and_leave_the_global_rng_alone():
    net = build_mlp("selu", (8, 8, 8, 1), init="lecun", seed=0, dtype=torch.float64).train()
    x = torch.randn(30, 8, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    before = torch.random.get_rng_state()
    a = activation_moments(net, x, dropout="alpha", rate=0.3, seed=5)
    b = activation_moments(net, x, dropout="alpha", rate=0.3, seed=5)
    c = activation_moments(net, x, dropout="alpha", rate=0.3, seed=6)
    assert torch.equal(torch.random.get_rng_state(), before)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])
    assert net.training  # mode restored


def test_layer_statistics_is_reproducible_and_summarises_the_seeds():
    a = layer_statistics("tanh", depth=3, width=8, batch=16, seeds=(4, 7))
    b = layer_statistics("tanh", depth=3, width=8, batch=16, seeds=(4, 7))
    np.testing.assert_array_equal(a.variance, b.variance)
    assert a.seeds == (4, 7) and a.init == "lecun" and a.dropout is None
    np.testing.assert_allclose(a.mean_centre, a.mean.mean(axis=0))
    np.testing.assert_allclose(a.variance_spread, a.variance.std(axis=0, ddof=1))
    one = layer_statistics("tanh", depth=3, width=8, batch=16, seeds=(4,))
    np.testing.assert_array_equal(one.mean_spread, np.zeros(3))
    np.testing.assert_array_equal(one.variance[0], a.variance[0])


def test_statistics_reject_bad_input():
    net = build_mlp("selu", (2, 3, 1))
    assert set(DROPOUTS) == {"dropout", "alpha"}
    with pytest.raises(TypeError, match="MLP"):
        activation_moments(torch.nn.Linear(2, 2), torch.zeros(3, 2))
    with pytest.raises(TypeError, match="floating"):
        activation_moments(net, torch.zeros(3, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="non-empty"):
        activation_moments(net, torch.zeros(0, 2))
    with pytest.raises(ValueError, match="alpha"):
        activation_moments(net, torch.zeros(3, 2), dropout="gaussian")
    with pytest.raises(TypeError, match="dropout"):
        activation_moments(net, torch.zeros(3, 2), dropout=0.1)
    with pytest.raises(ValueError, match="rate"):
        activation_moments(net, torch.zeros(3, 2), dropout="dropout", rate=1.0)
    with pytest.raises(ValueError, match="rate"):
        layer_statistics("selu", depth=2, rate=-0.1)
    with pytest.raises(ValueError, match="seeds"):
        layer_statistics("selu", depth=2, seeds=())
    with pytest.raises(ValueError, match="seed"):
        layer_statistics("selu", depth=2, seeds=(-1,))
    with pytest.raises(ValueError, match="xavier"):
        layer_statistics("selu", depth=2, init="he")
    with pytest.raises(ValueError, match="elementwise"):
        layer_statistics("softmax", depth=2)
    with pytest.raises(TypeError, match="dtype"):
        layer_statistics("selu", depth=2, dtype=torch.int32)
