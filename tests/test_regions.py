"""Tests of actlib.nn.regions: collapse of linear networks, training, linear pieces of ReLU nets."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
import torch

import actlib
from actlib.nn import regions as R
from actlib.shapes import Elementwise

PIECEWISE_LINEAR = [
    s.name
    for s in actlib.specs("hidden")
    if isinstance(s.shape, Elementwise) and R.is_piecewise_linear(s)
]
SMOOTH_HIDDEN = [
    s.name
    for s in actlib.specs("hidden")
    if isinstance(s.shape, Elementwise) and not R.is_piecewise_linear(s)
]


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny networks run fastest on one thread, and the machine is shared."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# ---------------------------------------------------------------------- activations as pieces
def test_registry_has_both_kinds():
    assert "relu" in PIECEWISE_LINEAR
    assert "gelu" in SMOOTH_HIDDEN


@pytest.mark.parametrize("spec", actlib.specs(), ids=lambda s: s.name)
def test_piecewise_linear_decision_agrees_with_numpy(spec, rng):
    """SymPy's verdict against second differences of the NumPy forward, away from kinks."""
    if not isinstance(spec.shape, Elementwise):
        assert not R.is_piecewise_linear(spec)
        return
    x = rng.uniform(-4, 4, 400)
    x = x[np.min(np.abs(x[:, None] - np.array([*spec.kinks, 99.0])), axis=1) > 1e-2]
    h = 1e-3
    second = (spec.forward(x + h) - 2 * spec.forward(x) + spec.forward(x - h)) / h**2
    if R.is_piecewise_linear(spec):
        np.testing.assert_allclose(second, 0.0, atol=1e-6)
        pieces = R.affine_pieces(spec)
        assert [p.hi for p in pieces[:-1]] == list(spec.kinks)
        for p in pieces:
            inside = x[(x > p.lo) & (x < p.hi)]
            np.testing.assert_allclose(
                spec.forward(inside), p.slope * inside + p.intercept, rtol=1e-14, atol=1e-15
            )
    else:
        assert np.max(np.abs(second)) > 1e-3
        with pytest.raises(ValueError, match="not piecewise linear"):
            R.affine_pieces(spec)


def test_only_identity_like_activations_are_affine():
    for spec in actlib.specs():
        pieces = R.affine_pieces(spec) if R.is_piecewise_linear(spec) else []
        assert R.is_affine(spec) == (len(pieces) == 1)
    assert R.is_affine("identity")
    assert not R.is_affine("relu")


# ---------------------------------------------------------------------- collapse
@pytest.mark.parametrize("sizes", [(3, 8, 2), (2, 5, 7, 4, 1), (4, 16, 16, 16, 3)])
@pytest.mark.parametrize("seed", [0, 1])
def test_linear_net_equals_collapsed_matrix(sizes, seed, rng):
    net = R.make_mlp("identity", sizes, seed=seed)
    w, b = R.collapse_linear(net)
    assert w.shape == (sizes[-1], sizes[0]) and b.shape == (sizes[-1],)
    x = rng.normal(size=(50, sizes[0]))
    with torch.no_grad():
        y = net(torch.as_tensor(x)).numpy()
    np.testing.assert_allclose(y, x @ w.T + b, rtol=1e-12, atol=1e-13)


def test_collapse_refuses_a_nonlinear_net():
    with pytest.raises(ValueError, match="not affine"):
        R.collapse_linear(R.make_mlp("relu", (2, 4, 1)))


def test_symbolic_collapse_identity_and_not_relu(rng):
    x, layers, out = R.symbolic_network((2, 3, 3, 1), "identity")
    w, b = R.collapse_symbolic(layers)
    assert w.shape == (1, 2)
    assert sp.expand(out - (w * x + b)) == sp.zeros(1, 1)
    # With ReLU the same weights give something else wherever a unit is off.
    _, layers_r, out_r = R.symbolic_network((2, 3, 3, 1), "relu")
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


def test_collapse_folds_affine_activation_into_biases(rng):
    """The symbolic collapse and the numeric one agree for numeric weights."""
    net = R.make_mlp("identity", (2, 3, 1), seed=3)
    x, layers, out = R.symbolic_network((2, 3, 1), "identity")
    subs = {}
    for (ws, bs), lin in zip(layers, net.linears, strict=True):
        numbers = [*lin.weight.detach().ravel(), *lin.bias.detach()]
        for sym, v in zip([*ws, *bs], numbers, strict=True):
            subs[sym] = float(v)
    w_sym, b_sym = R.collapse_symbolic(layers)
    w, b = R.collapse_linear(net)
    np.testing.assert_allclose(np.array(w_sym.subs(subs), dtype=float), w, rtol=1e-13)
    np.testing.assert_allclose(np.array(b_sym.subs(subs), dtype=float).ravel(), b, rtol=1e-13)


# ---------------------------------------------------------------------- building and training
def test_make_mlp_is_seeded_and_leaves_global_rng_alone():
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    a = R.make_mlp("tanh", (2, 6, 1), seed=7)
    assert torch.equal(torch.random.get_rng_state(), before)
    b = R.make_mlp("tanh", (2, 6, 1), seed=7)
    c = R.make_mlp("tanh", (2, 6, 1), seed=8)
    pa, pb, pc = (torch.cat([p.ravel() for p in n.parameters()]) for n in (a, b, c))
    assert torch.equal(pa, pb)
    assert not torch.equal(pa, pc)
    assert a.sizes == (2, 6, 1) and len(a.activations) == 1 and len(a.linears) == 2


def test_make_mlp_rejects_bad_input():
    with pytest.raises(ValueError, match="elementwise"):
        R.make_mlp("softmax", (2, 3, 1))
    with pytest.raises(ValueError, match="sizes"):
        R.make_mlp("relu", (2,))
    with pytest.raises(ValueError, match="unknown activation"):
        R.make_mlp("rellu", (2, 3, 1))


def test_relu_mlp_separates_circles_where_linear_model_cannot():
    from sklearn.datasets import make_circles

    x, y = make_circles(n_samples=300, noise=0.05, factor=0.5, random_state=0)
    results = {}
    for name in ("identity", "relu"):
        net = R.make_mlp(name, (2, 16, 1), seed=0)
        losses = R.fit_classifier(net, x, y, steps=200, lr=0.03)
        assert len(losses) == 200 and losses[-1] < losses[0]
        results[name] = R.accuracy(net, x, y)
    assert results["relu"] > 0.95
    assert results["identity"] < 0.75


def test_training_is_deterministic():
    from sklearn.datasets import make_moons

    x, y = make_moons(n_samples=100, noise=0.1, random_state=1)
    runs = []
    for _ in range(2):
        net = R.make_mlp("gelu", (2, 8, 1), seed=4)
        runs.append(R.fit_classifier(net, x, y, steps=30))
    assert runs[0] == runs[1]


def test_fit_regressor_reduces_the_squared_error():
    net = R.make_mlp("tanh", (1, 8, 1), seed=0)
    xs = np.linspace(-2, 2, 50)[:, None]
    target = np.sin(2 * xs)
    with torch.no_grad():
        before = float(np.mean((net(torch.as_tensor(xs)).numpy() - target) ** 2))
    losses = R.fit_regressor(net, xs, target, steps=300, lr=0.03)
    assert losses[0] == pytest.approx(before, rel=1e-12)
    assert losses[-1] < 0.1 * before
    assert not net.training
    with pytest.raises(ValueError, match="steps"):
        R.fit_regressor(net, xs, target, steps=0)


# ---------------------------------------------------------------------- 1-D regions
def _net_1d(net, xs):
    with torch.no_grad():
        return net(torch.as_tensor(np.asarray(xs, dtype=float)[:, None])).numpy()


@pytest.mark.parametrize("name", PIECEWISE_LINEAR)
@pytest.mark.parametrize("width", [1, 3, 10, 25])
@pytest.mark.parametrize("seed", range(4))
def test_one_hidden_layer_has_at_most_k_plus_one_pieces(name, width, seed):
    net = R.make_mlp(name, (1, width, 1), seed=seed)
    regions = R.linear_regions_1d(net, -10.0, 10.0)
    kinks_per_unit = len(R.affine_pieces(name)) - 1
    assert 1 <= regions.count <= kinks_per_unit * width + 1
    assert len(regions.sign_changes) <= kinks_per_unit * width
    # the crossings are exactly the units' kinks -b/w that fall inside the interval
    lin = net.linears[0]
    expected = (-lin.bias / lin.weight[:, 0]).detach().numpy()
    expected = np.sort(expected[(expected > -10) & (expected < 10)])
    np.testing.assert_allclose(regions.sign_changes, expected, rtol=1e-14)


@pytest.mark.parametrize("name", PIECEWISE_LINEAR)
@pytest.mark.parametrize("sizes", [(1, 6, 1), (1, 8, 8, 1), (1, 5, 5, 5, 2)])
def test_pieces_reproduce_the_network(name, sizes):
    net = R.make_mlp(name, sizes, seed=11)
    regions = R.linear_regions_1d(net, -6.0, 6.0)
    xs = np.linspace(-6, 6, 4001)
    np.testing.assert_allclose(regions(xs), _net_1d(net, xs), rtol=1e-12, atol=1e-12)
    assert regions.pieces[0].lo == -6.0 and regions.pieces[-1].hi == 6.0
    for left, right in zip(regions.pieces[:-1], regions.pieces[1:], strict=True):
        assert left.hi == right.lo


@pytest.mark.parametrize("seed", range(5))
def test_breakpoints_are_where_the_slope_changes(seed):
    net = R.make_mlp("relu", (1, 12, 12, 1), seed=seed)
    regions = R.linear_regions_1d(net, -4.0, 4.0)
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
    net = R.make_mlp("relu", (1, 4, 1), seed=2)
    full = R.linear_regions_1d(net, -20.0, 20.0)
    lin0 = net.linears[0]
    x_cross = (-lin0.bias / lin0.weight[:, 0]).detach().numpy()
    unit = int(np.argmin(np.abs(x_cross - full.sign_changes[0])))
    with torch.no_grad():
        net.linears[1].weight[0, unit] = 0.0
    cut = R.linear_regions_1d(net, -20.0, 20.0)
    np.testing.assert_array_equal(cut.sign_changes, full.sign_changes)
    assert cut.count == full.count - 1
    assert not np.any(np.isclose(cut.breakpoints, x_cross[unit]))


@pytest.mark.parametrize("depth", range(1, 8))
def test_sawtooth_has_two_to_the_depth_pieces(depth):
    regions = R.linear_regions_1d(R.sawtooth_mlp(depth), 0.0, 1.0)
    assert regions.count == 2**depth
    np.testing.assert_allclose(regions.breakpoints, np.arange(1, 2**depth) / 2**depth)
    slopes = np.abs([p.slope[0] for p in regions.pieces])
    np.testing.assert_allclose(slopes, 2.0**depth)


def test_learned_prelu_slope_is_used():
    net = R.make_mlp("prelu", (1, 6, 1), seed=5)
    xs = np.linspace(-3, 3, 64)[:, None]
    R.fit_classifier(net, xs, (np.abs(xs) > 1).astype(float), steps=50, lr=0.05)
    assert net.activations[0].weight.item() != 0.25
    regions = R.linear_regions_1d(net, -3.0, 3.0)
    grid = np.linspace(-3, 3, 999)
    np.testing.assert_allclose(regions(grid), _net_1d(net, grid), rtol=1e-12, atol=1e-12)


def test_rrelu_in_training_mode_is_refused():
    net = R.make_mlp("rrelu", (1, 3, 1), seed=0).train()
    with pytest.raises(ValueError, match="training"):
        R.linear_regions_1d(net, -1.0, 1.0)


@pytest.mark.parametrize("name", SMOOTH_HIDDEN)
def test_smooth_networks_have_no_pieces(name):
    with pytest.raises(ValueError, match="not piecewise linear"):
        R.linear_regions_1d(R.make_mlp(name, (1, 3, 1)), -1.0, 1.0)


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
        R.linear_regions_1d(net, -3.0, 3.0)
    # the slope 0.2 is read off the module, not the spec's default 0.01
    regions = R.linear_regions_1d(net, -3.0, 3.0, activation="leaky_relu")
    xs = np.linspace(-3, 3, 301)
    np.testing.assert_allclose(regions(xs), _net_1d(net, xs), rtol=1e-12, atol=1e-12)


def test_regions_need_one_input():
    with pytest.raises(ValueError, match="one input"):
        R.linear_regions_1d(R.make_mlp("relu", (2, 3, 1)), -1.0, 1.0)


# ---------------------------------------------------------------------- 2-D patterns
def test_same_activation_pattern_same_gradient(rng):
    net = R.make_mlp("relu", (2, 6, 6, 1), seed=9)
    pts = rng.uniform(-3, 3, size=(400, 2))
    ids = R.activation_patterns(net, pts)
    assert ids[0] == 0 and set(ids) == set(range(ids.max() + 1))
    x = torch.as_tensor(pts).requires_grad_(True)
    net(x).sum().backward()
    grads = x.grad.numpy()
    for k in np.unique(ids):
        g = grads[ids == k]
        np.testing.assert_allclose(g, np.broadcast_to(g[0], g.shape), rtol=1e-12, atol=1e-14)
    assert ids.max() >= 2


def test_plots_draw_on_given_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2)
    net = R.make_mlp("relu", (2, 4, 1), seed=0)
    pts = np.array([[0.0, 0.0], [1.0, 1.0], [-1.0, 0.5]])
    assert R.plot_decision_boundary(a, net, pts, [0, 1, 0], title="t") is a
    assert a.get_title() == "t"
    net1 = R.make_mlp("relu", (1, 4, 1), seed=0)
    assert R.plot_regions_1d(b, net1, R.linear_regions_1d(net1, -2, 2)) is b
    assert len(b.lines) >= 2
    plt.close(fig)
