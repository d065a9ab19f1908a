"""Tests of actlib.nn.language: the text, the tokenizer, the gated feed-forward block, the model."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

import actlib
from actlib.nn.language import (
    CharLM,
    CharTokenizer,
    FeedForward,
    LMConfig,
    LMResult,
    TextData,
    bits_per_character,
    build_char_lm,
    compare_feedforward,
    count_parameters,
    hidden_width,
    load_text_data,
    python_docs_text,
    summarize,
    train_char_lm,
    windows,
)

TINY = LMConfig(context=4, width=12, embed=4, steps=40, batch_size=32, lr=1e-2)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def small() -> TextData:
    return load_text_data(text=python_docs_text()[:30_000])


# ---------------------------------------------------------------------------- the text
def test_python_docs_text_is_the_sorted_topics():
    from pydoc_data.topics import topics

    text = python_docs_text()
    assert text == python_docs_text()
    assert text.startswith(topics[min(topics)])
    assert len(text) == sum(map(len, topics.values())) + 2 * (len(topics) - 1)


def test_split_is_contiguous_and_the_tokenizer_sees_training_text_only():
    text = "aaaa bbbb\ncccc dd" + "é"
    data = load_text_data(text=text, validation_fraction=0.25)
    cut = len(text) - math.ceil(0.25 * len(text))
    assert data.train.size == cut and data.validation.size == len(text) - cut
    tok = data.tokenizer
    assert tok.decode(data.train) == text[:cut]
    assert "é" not in tok.chars and tok.decode(data.validation).endswith(tok.unknown)
    assert tok.vocab_size == len(set(text[:cut])) + 1
    full = load_text_data()
    assert full.train.size + full.validation.size == len(python_docs_text())
    assert full.validation.size == pytest.approx(0.1 * len(python_docs_text()), abs=1)


def test_tokenizer_round_trip():
    tok = CharTokenizer.from_text("hello, world")
    ids = tok.encode("world, hello")
    assert ids.dtype == np.int64 and tok.decode(ids) == "world, hello"
    assert tok.encode("").size == 0
    assert tok.encode("Z").tolist() == [tok.vocab_size - 1]
    with pytest.raises(TypeError, match="string"):
        CharTokenizer.from_text(["a"])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"validation_fraction": 0.0}, ValueError, "validation_fraction"),
        ({"validation_fraction": 1.0}, ValueError, "validation_fraction"),
        ({"validation_fraction": "0.1"}, TypeError, "validation_fraction"),
        ({"text": "a"}, ValueError, "too short"),
        ({"text": b"abc"}, TypeError, "string"),
    ],
)
def test_load_text_data_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        load_text_data(**kwargs)


def test_windows_are_context_and_next_character():
    ids = np.arange(10) * 3
    x, y = windows(ids, 3)
    assert x.dtype == torch.long and x.shape == (7, 3) and y.shape == (7,)
    for i in range(7):
        assert x[i].tolist() == ids[i : i + 3].tolist() and int(y[i]) == ids[i + 3]
    xs, ys = windows(ids, 3, count=5, seed=1)
    assert len({tuple(r) for r in xs.tolist()}) == 5  # distinct positions
    assert torch.equal(ys, xs[:, -1] + 3)  # still (context, next) pairs
    x2, _ = windows(ids, 3, count=5, seed=1)
    x3, _ = windows(ids, 3, count=5, seed=2)
    assert torch.equal(xs, x2) and not torch.equal(xs, x3)
    with pytest.raises(ValueError, match="exceeds"):
        windows(ids, 3, count=8)
    with pytest.raises(ValueError, match="longer than context"):
        windows(ids[:3], 3)
    with pytest.raises(TypeError, match="context"):
        windows(ids, 2.5)


# ---------------------------------------------------------------------------- the block
@pytest.mark.parametrize("width", [3, 48, 96, 768])
def test_gated_blocks_keep_the_parameter_count_at_two_thirds_width(width):
    dense = FeedForward("gelu", width, hidden_width("gelu", width))
    for name in ("glu", "reglu", "geglu", "swiglu"):
        h = hidden_width(name, width)
        assert h == 8 * width // 3
        block = FeedForward(name, width, h)
        assert block.up.out_features == 2 * h  # the two halves
        assert count_parameters(block) == count_parameters(dense) == 8 * width**2
    assert hidden_width("relu", 10, expansion=2) == 20
    assert hidden_width("swiglu", 10, expansion=2) == 13  # 40/3 rounded


def test_feedforward_computes_the_spec(rng):
    x = torch.tensor(rng.normal(size=(5, 6)))
    for name, params in (("swiglu", {"beta": 2.0}), ("glu", {}), ("gelu", {}), ("geglu", {})):
        block = FeedForward(name, 6, 4, params=params).double()
        with torch.no_grad():
            z = block.up(x).numpy()
            expected = actlib.get(name).forward(z, **params) @ block.down.weight.numpy().T
            np.testing.assert_allclose(block(x).detach().numpy(), expected, rtol=1e-12)
    assert FeedForward("relu", 6, 4, bias=True).up.bias is not None


def test_feedforward_refuses_normalizing_activations_and_bad_widths():
    with pytest.raises(ValueError, match="elementwise"):
        FeedForward("softmax", 4, 4)
    with pytest.raises(ValueError, match="hidden"):
        FeedForward("swiglu", 4, 0)
    with pytest.raises(ValueError, match="unknown activation"):
        hidden_width("swigl", 4)


# ---------------------------------------------------------------------------- the model
def test_char_lm_is_seeded_and_leaves_the_global_rng_alone():
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    a = build_char_lm("geglu", 20, context=5, width=9, embed=3, seed=4)
    assert torch.equal(torch.rand(3), expected)
    b = build_char_lm("geglu", 20, context=5, width=9, embed=3, seed=4)
    c = build_char_lm("geglu", 20, context=5, width=9, embed=3, seed=5)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(a.embed.weight, c.embed.weight)
    assert isinstance(a, CharLM) and not a.training
    assert a(torch.zeros(2, 5, dtype=torch.long)).shape == (2, 20)
    assert a.ffn.up.out_features == 2 * hidden_width("geglu", 9)


def test_bits_per_character_of_a_uniform_model_is_log2_v():
    model = build_char_lm("relu", 16, context=2, width=4, embed=2)
    with torch.no_grad():
        model.out.weight.zero_()
        model.out.bias.zero_()
    x = torch.randint(0, 16, (20_000, 2))
    y = torch.randint(0, 16, (20_000,))
    assert bits_per_character(model, x, y) == pytest.approx(4.0, rel=1e-6)
    model.train()
    bits_per_character(model, x, y)
    assert model.training  # the mode is restored


def test_training_is_reproducible_and_learns(small):
    a = train_char_lm("swiglu", small, seed=0, config=TINY)
    b = train_char_lm("swiglu", small, seed=0, config=TINY)
    c = train_char_lm("swiglu", small, seed=1, config=TINY)
    assert a == b and a != c  # equality ignores the model and compares numbers only
    uniform = math.log2(small.tokenizer.vocab_size)
    assert a.validation_bpc < uniform - 1.0
    assert a.train_bpc < uniform and a.seconds >= 0 and not a.model.training
    assert a.params == {"beta": 1.0} and a.hidden == hidden_width("swiglu", TINY.width)
    xv, yv = windows(small.validation, TINY.context)
    assert a.validation_bpc == bits_per_character(a.model, xv, yv)


def test_matched_runs_have_equal_parameter_counts(small):
    runs = compare_feedforward(
        ["gelu", "swiglu", "geglu"], small, seeds=[0], config=LMConfig(steps=1, batch_size=8)
    )
    assert {r.ffn_parameters for r in runs} == {8 * 48**2}
    assert len({r.parameters for r in runs}) == 1


def test_train_char_lm_rejects_bad_input(small):
    with pytest.raises(TypeError, match="TextData"):
        train_char_lm("gelu", "text")
    with pytest.raises(TypeError, match="LMConfig"):
        train_char_lm("gelu", small, config={"steps": 1})
    with pytest.raises(ValueError, match="steps"):
        train_char_lm("gelu", small, config=LMConfig(steps=0))
    with pytest.raises(ValueError, match="elementwise"):
        train_char_lm("softmax", small, config=TINY)
    with pytest.raises(ValueError, match="non-empty"):
        compare_feedforward("gelu", small)
    with pytest.raises(ValueError, match="seed"):
        compare_feedforward(["gelu"], small, seeds=[])


# ---------------------------------------------------------------------------- the summary
def _run(name, seed, bpc):
    return LMResult(name, seed, {}, 1, 1, 1, bpc, bpc, 0.0)


def test_summarize_pairs_the_seeds():
    gelu = [2.00, 2.10, 1.95, 2.05]
    swiglu = [1.90, 2.04, 1.90, 1.93]
    results = [_run("gelu", s, v) for s, v in enumerate(gelu)]
    results += [_run("swiglu", s, v) for s, v in reversed(list(enumerate(swiglu)))]
    rows = {r.activation: r for r in summarize(results, baseline="gelu", confidence=0.9)}
    d = np.array(swiglu) - np.array(gelu)
    half = stats.t.ppf(0.95, 3) * d.std(ddof=1) / 2
    row = rows["swiglu"]
    assert row.seeds == 4 and row.confidence == 0.9
    assert row.mean == pytest.approx(np.mean(swiglu)) and row.std == pytest.approx(
        np.std(swiglu, ddof=1)
    )
    assert row.difference == pytest.approx(d.mean()) and row.half_width == pytest.approx(half)
    assert row.distinguishable
    base = rows["gelu"]
    assert base.difference == 0 and base.half_width == 0 and not base.distinguishable
    # an interval that straddles 0 is a tie
    tie = summarize(
        [_run("gelu", 0, 2.0), _run("gelu", 1, 2.0), _run("a", 0, 2.1), _run("a", 1, 1.9)],
        baseline="gelu",
    )[1]
    assert tie.difference == pytest.approx(0.0) and not tie.distinguishable


def test_summarize_single_seed_and_errors():
    one = summarize([_run("gelu", 0, 2.0), _run("glu", 0, 1.5)], baseline="gelu")
    assert one[1].difference == -0.5 and math.isnan(one[1].half_width)
    with pytest.raises(ValueError, match="baseline"):
        summarize([_run("glu", 0, 1.5)], baseline="gelu")
    with pytest.raises(ValueError, match="same seeds"):
        summarize([_run("gelu", 0, 2.0), _run("glu", 1, 1.5)], baseline="gelu")
    with pytest.raises(ValueError, match="confidence"):
        summarize([_run("gelu", 0, 2.0)], baseline="gelu", confidence=1.0)
