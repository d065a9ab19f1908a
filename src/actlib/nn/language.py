r"""A small character-level language model whose feed-forward block uses a registry activation.

The experiment of the chapter on gated units compares feed-forward blocks that differ only in
their activation, at equal parameter counts:

* :func:`python_docs_text` and :func:`load_text_data`: text that ships with Python (the
  documentation topics of ``pydoc_data.topics``), split once into a training and a
  validation part; :class:`CharTokenizer` turns characters into integers;
* :func:`windows`: (context, next character) pairs cut from the text;
* :class:`FeedForward`: the transformer's feed-forward block, :math:`W_2\,f(W_1 x)`, whose first
  projection is twice as wide when the activation is gated (it splits its input into halves);
  :func:`hidden_width` shrinks a gated block's hidden width to 2/3 so that both have the same
  number of parameters;
* :class:`CharLM` and :func:`build_char_lm`: embeddings of the previous characters, one residual
  feed-forward block, logits of the next character;
* :func:`train_char_lm`: one seeded run, trained by :func:`actlib.nn.training.fit` and measured
  in bits per character (:func:`bits_per_character`) on the validation text;
  :func:`compare_feedforward` runs several activations with the same seeds and
  :func:`summarize` compares each with a baseline, seed by seed.

Nothing is downloaded. PyTorch is imported at module level.

>>> data = load_text_data()
>>> data.tokenizer.decode(data.tokenizer.encode("def f(x):"))
'def f(x):'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from actlib.checks.timing import Timer
from actlib.display.i18n import tr
from actlib.nn._common import check_int, check_positive
from actlib.nn.training import fit
from actlib.registry import get
from actlib.shapes import Gated
from actlib.spec import Activation

__all__ = [
    "CharLM",
    "CharTokenizer",
    "FeedForward",
    "LMConfig",
    "LMResult",
    "SeedSummary",
    "TextData",
    "bits_per_character",
    "build_char_lm",
    "compare_feedforward",
    "count_parameters",
    "hidden_width",
    "load_text_data",
    "python_docs_text",
    "summarize",
    "train_char_lm",
    "windows",
]


# ---------------------------------------------------------------------------- the text
def python_docs_text() -> str:
    """The documentation topics that ship with Python, as one text.

    ``pydoc_data.topics`` holds the text ``help()`` shows for keywords and topics (the
    language reference: statements, operators, special methods, ...). The topics are joined in
    the order of their names, separated by a blank line. The text differs a little between
    Python versions.

    Returns:
        The text (about half a million characters).

    >>> len(python_docs_text()) > 100_000
    True
    """
    from pydoc_data.topics import topics

    return "\n\n".join(topics[name] for name in sorted(topics))


@dataclass(frozen=True)
class CharTokenizer:
    """Characters to integers and back: one index per known character, one for the unknown.

    >>> tok = CharTokenizer.from_text("abca")
    >>> tok.encode("cab?").tolist(), tok.vocab_size
    ([2, 0, 1, 3], 4)
    >>> tok.decode([0, 1, 3])
    'ab�'
    """

    chars: str  #: The known characters, in index order.
    #: How :meth:`CharTokenizer.decode` shows the unknown index (the last one).
    unknown: str = "\ufffd"

    @classmethod
    def from_text(cls, text: str) -> CharTokenizer:
        """The tokenizer of the characters that occur in ``text``, sorted.

        Args:
            text: the (training) text.

        Returns:
            A :class:`CharTokenizer`.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, got {type(text).__name__}")
        return cls("".join(sorted(set(text))))

    @property
    def vocab_size(self) -> int:
        """The number of indices, one per known character and one for the unknown."""
        return len(self.chars) + 1

    def encode(self, text: str) -> np.ndarray:
        """The indices of the characters of ``text`` (the last index for unknown ones).

        Args:
            text: any string.

        Returns:
            A 1-d int64 array, one index per character.
        """
        lookup = {c: i for i, c in enumerate(self.chars)}
        unk = len(self.chars)
        return np.fromiter((lookup.get(c, unk) for c in text), dtype=np.int64, count=len(text))

    def decode(self, ids: Sequence[int] | np.ndarray) -> str:
        """The text of a sequence of indices.

        Args:
            ids: indices in ``[0, vocab_size)``.

        Returns:
            The characters, the unknown index shown as :attr:`unknown`.
        """
        table = self.chars + self.unknown
        return "".join(table[int(i)] for i in ids)


@dataclass(frozen=True)
class TextData:
    """A text split into a training and a validation part, encoded by one tokenizer."""

    tokenizer: CharTokenizer  #: Built from the training part only.
    train: np.ndarray  #: The training text as indices.
    validation: np.ndarray  #: The validation text as indices.


def load_text_data(*, validation_fraction: float = 0.1, text: str | None = None) -> TextData:
    """Split a text once: the last ``validation_fraction`` of it is the validation part.

    The split is contiguous (no character of the validation part is seen in training, and
    the two parts are different documentation topics except where the cut falls) and the
    same every time. The tokenizer knows the characters of the training part; a character
    seen only in the validation part is encoded as unknown.

    Args:
        validation_fraction: the share of characters held out, in (0, 1).
        text: the text; :func:`python_docs_text` by default.

    Returns:
        A :class:`TextData`.

    >>> data = load_text_data(text="abcdefghij", validation_fraction=0.2)
    >>> data.train.size, data.tokenizer.decode(data.validation)
    (8, '��')
    """
    fraction = check_positive(validation_fraction, "validation_fraction")
    if not fraction < 1:
        raise ValueError(f"validation_fraction must be in (0, 1), got {fraction}")
    text = python_docs_text() if text is None else text
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    cut = len(text) - math.ceil(fraction * len(text))
    if cut < 1 or cut == len(text):
        raise ValueError(f"a text of {len(text)} characters is too short to split")
    tokenizer = CharTokenizer.from_text(text[:cut])
    return TextData(tokenizer, tokenizer.encode(text[:cut]), tokenizer.encode(text[cut:]))


def windows(
    ids: np.ndarray, context: int, *, count: int | None = None, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""(context, next character) pairs: ``x[i]`` holds ``context`` indices, ``y[i]`` the next.

    Every position :math:`t \ge` ``context`` of ``ids`` gives the pair
    :math:`(\text{ids}[t - \text{context} : t],\ \text{ids}[t])`. With ``count``, that many
    distinct positions are drawn at random (seeded), otherwise all are returned in order.

    Args:
        ids: a 1-d array of indices.
        context: the number of previous characters the model sees (>= 1).
        count: how many pairs to draw, or ``None`` for all.
        seed: seeds the draw.

    Returns:
        ``(x, y)``: an int64 tensor of shape ``(n, context)`` and one of shape ``(n,)``.

    Raises:
        ValueError: the text is not longer than ``context``, or ``count`` exceeds the number
            of positions.

    >>> x, y = windows(np.arange(6), 2)
    >>> x.tolist(), y.tolist()
    ([[0, 1], [1, 2], [2, 3], [3, 4]], [2, 3, 4, 5])
    """
    ids = np.asarray(ids, dtype=np.int64)
    context = check_int(context, "context", 1)
    seed = check_int(seed, "seed", 0)
    n = ids.size - context
    if ids.ndim != 1 or n < 1:
        raise ValueError(f"ids must be a 1-d array longer than context={context}")
    rows = np.lib.stride_tricks.sliding_window_view(ids, context + 1)
    if count is not None:
        count = check_int(count, "count", 1)
        if count > n:
            raise ValueError(f"count={count} exceeds the {n} positions of the text")
        rows = rows[np.random.default_rng(seed).choice(n, size=count, replace=False)]
    windows = torch.from_numpy(np.ascontiguousarray(rows))
    return windows[:, :-1], windows[:, -1]


# ---------------------------------------------------------------------------- the blocks
def _spec(activation: str | Activation) -> Activation:
    spec = get(activation)
    if not isinstance(spec.shape, Gated):
        spec.shape.require_elementwise(spec, "a feed-forward block")
    return spec


def _halves(spec: Activation) -> int:
    """How many pre-activations each hidden unit consumes: 2 for a gated unit, else 1."""
    return 2 if isinstance(spec.shape, Gated) else 1


def hidden_width(activation: str | Activation, width: int, expansion: int = 4) -> int:
    r"""The hidden width that gives a feed-forward block ``2 · expansion · width²`` weights.

    A block with an elementwise activation maps ``width → h → width`` with
    :math:`h = \text{expansion} \cdot \text{width}`: :math:`2\,h\,\text{width}` weights. A gated
    block maps ``width → 2h`` (two halves) ``→ h → width``: :math:`3\,h\,\text{width}` weights,
    equal for :math:`h = \tfrac23\,\text{expansion} \cdot \text{width}` (rounded to the
    nearest integer).

    Args:
        activation: a registered name or spec, elementwise or gated.
        width: the model width (>= 1).
        expansion: the hidden width of the elementwise block, in multiples of ``width``.

    Returns:
        The hidden width h.

    >>> hidden_width("gelu", 768), hidden_width("swiglu", 768)
    (3072, 2048)
    """
    spec = _spec(activation)
    width = check_int(width, "width", 1)
    expansion = check_int(expansion, "expansion", 1)
    h = expansion * width
    return h if _halves(spec) == 1 else max(1, round(2 * h / 3))


class FeedForward(nn.Module):
    r"""The feed-forward block of a transformer, :math:`W_2\,f(W_1 x)`, with any activation.

    With an elementwise activation :math:`W_1` maps ``width`` to ``hidden``; with a gated one
    (GLU, SwiGLU, ...) it maps to ``2 * hidden``, the two halves the activation multiplies, so
    that :math:`W_2` always maps ``hidden`` back to ``width``. Written with two matrices
    :math:`W, V` for the halves, SwiGLU's block is
    :math:`W_2\,(\mathrm{swish}(W x) \odot V x)` (Shazeer 2020).

    Args:
        activation: a registered name or spec, elementwise or gated (not softmax).
        width: input and output width.
        hidden: the number of hidden units (:func:`hidden_width` matches parameter counts).
        params: activation parameters (the spec's defaults otherwise).
        bias: whether the two projections have biases (transformers after T5 have none).

    Raises:
        ValueError: a normalizing activation, or a width below 1.

    >>> block = FeedForward("swiglu", 6, 4)
    >>> block.up.weight.shape, block.down.weight.shape, tuple(block(torch.zeros(3, 6)).shape)
    (torch.Size([8, 6]), torch.Size([6, 4]), (3, 6))
    """

    def __init__(
        self,
        activation: str | Activation,
        width: int,
        hidden: int,
        *,
        params: Mapping[str, Any] | None = None,
        bias: bool = False,
    ) -> None:
        super().__init__()
        spec = _spec(activation)
        width = check_int(width, "width", 1)
        hidden = check_int(hidden, "hidden", 1)
        # a gated unit splits the features, the last axis, into its halves
        values = spec.shape.slice_params(spec.resolve(dict(params or {})))
        self.spec = spec
        self.up = nn.Linear(width, _halves(spec) * hidden, bias=bias)
        self.act = spec.torch_module(**values)
        self.down = nn.Linear(hidden, width, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The block applied to the last axis of ``x``."""
        return self.down(self.act(self.up(x)))


def count_parameters(module: nn.Module) -> int:
    """The number of trainable numbers in ``module``.

    Args:
        module: any module.

    Returns:
        The sum of ``p.numel()`` over the parameters that require a gradient.

    >>> count_parameters(FeedForward("gelu", 768, 3072)), count_parameters(
    ...     FeedForward("swiglu", 768, 2048))
    (4718592, 4718592)
    """
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


class CharLM(nn.Module):
    r"""A character-level language model with one residual feed-forward block.

    The previous ``context`` characters are embedded, concatenated and projected to ``width``
    features; one pre-norm residual block adds :class:`FeedForward` of the normalized features;
    a last layer norm and a linear map give the logits of the next character:

    .. math::
        h = P\,[e(c_{t-k}); \dots; e(c_{t-1})], \qquad
        h' = h + \mathrm{FFN}(\mathrm{LN}(h)), \qquad
        \text{logits} = O\,\mathrm{LN}(h').

    Args:
        vocab_size: the number of character indices.
        context: the number of previous characters k.
        activation: the activation of the feed-forward block.
        width: the model width.
        embed: the size of each character's embedding.
        hidden: the block's hidden width; :func:`hidden_width` of ``width`` by default.
        params: activation parameters.

    >>> model = CharLM(10, 4, "geglu", width=8, embed=3)
    >>> tuple(model(torch.zeros(5, 4, dtype=torch.long)).shape), model.ffn.down.in_features
    ((5, 10), 21)
    """

    def __init__(
        self,
        vocab_size: int,
        context: int,
        activation: str | Activation,
        *,
        width: int = 48,
        embed: int = 12,
        hidden: int | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        vocab_size = check_int(vocab_size, "vocab_size", 2)
        context = check_int(context, "context", 1)
        width = check_int(width, "width", 1)
        embed = check_int(embed, "embed", 1)
        hidden = hidden_width(activation, width) if hidden is None else hidden
        self.context = context
        self.embed = nn.Embedding(vocab_size, embed)
        self.proj = nn.Linear(context * embed, width)
        self.norm = nn.LayerNorm(width)
        self.ffn = FeedForward(activation, width, hidden, params=params)
        self.norm_out = nn.LayerNorm(width)
        self.out = nn.Linear(width, vocab_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of the next character for a batch of contexts, shape ``(n, context)``."""
        h = self.proj(self.embed(x).flatten(1))
        h = h + self.ffn(self.norm(h))
        return self.out(self.norm_out(h))


def build_char_lm(
    activation: str | Activation,
    vocab_size: int,
    *,
    context: int = 16,
    width: int = 48,
    embed: int = 12,
    hidden: int | None = None,
    params: Mapping[str, Any] | None = None,
    seed: int = 0,
) -> CharLM:
    """A :class:`CharLM` with PyTorch's default initialisation drawn from ``seed``.

    The global random state is left as it was.

    Args:
        activation: the activation of the feed-forward block.
        vocab_size: the number of character indices.
        context: the number of previous characters.
        width: the model width.
        embed: the size of each character's embedding.
        hidden: the block's hidden width (:func:`hidden_width` by default).
        params: activation parameters.
        seed: seeds the weights.

    Returns:
        The model, in evaluation mode.

    >>> a, b = (build_char_lm("swiglu", 10, context=2, seed=1) for _ in range(2))
    >>> all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    True
    """
    seed = check_int(seed, "seed", 0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = CharLM(
            vocab_size,
            context,
            activation,
            width=width,
            embed=embed,
            hidden=hidden,
            params=params,
        )
    return model.eval()


def bits_per_character(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    r"""The mean cross-entropy of the next character, in bits: :math:`-\frac1n\sum\log_2 p(y_i)`.

    A model that assigns probability 1/V to each of V characters scores :math:`\log_2 V`; the
    better the predictions, the lower. Evaluated without gradients in evaluation mode, in
    batches.

    Args:
        model: a model returning logits for the contexts ``x``.
        x: contexts, as :func:`windows` returns them.
        y: the next characters.

    Returns:
        Bits per character, a float.

    >>> model = build_char_lm("gelu", 8, context=2)
    >>> with torch.no_grad():
    ...     _ = model.out.weight.zero_(), model.out.bias.zero_()
    >>> round(bits_per_character(model, torch.zeros(4, 2, dtype=torch.long), torch.arange(4)), 6)
    3.0
    """
    was_training = model.training
    model.eval()
    total = 0.0
    try:
        with torch.no_grad():
            for i in range(0, len(y), 8192):
                logits = model(x[i : i + 8192])
                loss = nn.functional.cross_entropy(logits, y[i : i + 8192], reduction="sum")
                total += float(loss)
    finally:
        model.train(was_training)
    return total / len(y) / math.log(2)


# ---------------------------------------------------------------------------- one run
@dataclass(frozen=True)
class LMConfig:
    """The size of the model and of the training run of :func:`train_char_lm`.

    ``steps`` mini-batches of ``batch_size`` (context, next character) pairs, drawn once from
    the training text without repetition, trained by Adam with learning rate ``lr``.
    """

    context: int = 16
    width: int = 48
    embed: int = 12
    expansion: int = 4
    steps: int = 200
    batch_size: int = 256
    lr: float = 5e-3


@dataclass(frozen=True)
class LMResult:
    """One seeded run of :func:`train_char_lm`."""

    activation: str  #: The activation's name.
    seed: int  #: The seed of the weights and of the drawn pairs.
    params: Mapping[str, Any]  #: The activation's parameter values.
    hidden: int  #: The hidden width of the feed-forward block.
    ffn_parameters: int  #: Parameters of the feed-forward block.
    parameters: int  #: Parameters of the whole model.
    train_bpc: float  #: Bits per character over the training pairs, during training.
    validation_bpc: float  #: Bits per character on the whole validation text.
    #: Wall time of the training loop; it varies from run to run and is not part of equality.
    seconds: float = field(compare=False)
    #: The trained model (evaluation mode); not part of equality.
    model: CharLM | None = field(default=None, compare=False, repr=False)


def train_char_lm(
    activation: str | Activation,
    data: TextData,
    *,
    seed: int = 0,
    config: LMConfig | None = None,
    params: Mapping[str, Any] | None = None,
    progress: bool | None = False,
) -> LMResult:
    """Train a :class:`CharLM` with ``activation`` on ``data`` and measure it on validation.

    The model comes from :func:`build_char_lm` with ``seed``; the training pairs are drawn by
    :func:`windows` with the same ``seed``; :func:`~actlib.nn.training.fit` trains one epoch
    over them in shuffled mini-batches (seed ``seed + 1``) with Adam. The validation score is
    the bits per character over every position of the validation text. Two calls with the same
    arguments give the same numbers on the same machine and thread count.

    Args:
        activation: a registered name or spec, elementwise or gated.
        data: from :func:`load_text_data`.
        seed: a non-negative integer.
        config: the model and run sizes (:class:`LMConfig` defaults otherwise).
        params: activation parameters.
        progress: show a progress bar (``None``: as :func:`~actlib.nn.training.fit` decides).

    Returns:
        An :class:`LMResult`.

    >>> data = load_text_data(text=python_docs_text()[:20_000])
    >>> tiny = LMConfig(context=4, width=12, embed=4, steps=2, batch_size=16)
    >>> result = train_char_lm("reglu", data, config=tiny)
    >>> result.hidden, result.ffn_parameters == 2 * 4 * 12 * 12
    (32, True)
    """
    spec = _spec(activation)
    if not isinstance(data, TextData):
        raise TypeError(f"data must be a TextData, got {type(data).__name__}")
    config = LMConfig() if config is None else config
    if not isinstance(config, LMConfig):
        raise TypeError(f"config must be an LMConfig, got {type(config).__name__}")
    check_int(config.steps, "steps", 1)
    check_int(config.batch_size, "batch_size", 1)
    seed = check_int(seed, "seed", 0)
    values = dict(spec.resolve(dict(params or {})))
    hidden = hidden_width(spec, config.width, config.expansion)
    model = build_char_lm(
        spec,
        data.tokenizer.vocab_size,
        context=config.context,
        width=config.width,
        embed=config.embed,
        hidden=hidden,
        params=values,
        seed=seed,
    )
    x, y = windows(data.train, config.context, count=config.steps * config.batch_size, seed=seed)
    with Timer() as timer:
        history = fit(
            model,
            x,
            y,
            loss="cross_entropy",
            epochs=1,
            lr=config.lr,
            batch_size=config.batch_size,
            seed=seed + 1,
            progress=progress,
            desc=tr("{name} seed {seed}").format(name=spec.name, seed=seed),
            x_dtype=torch.long,
        )
    xv, yv = windows(data.validation, config.context)
    return LMResult(
        activation=spec.name,
        seed=seed,
        params={p.name: values[p.name] for p in spec.parameters if p.symbolic},
        hidden=hidden,
        ffn_parameters=count_parameters(model.ffn),
        parameters=count_parameters(model),
        train_bpc=history.loss[-1] / math.log(2),
        validation_bpc=bits_per_character(model, xv, yv),
        seconds=timer.wall,
        model=model,
    )


# ---------------------------------------------------------------------------- several runs
def compare_feedforward(
    activations: Sequence[str | Activation],
    data: TextData,
    *,
    seeds: Sequence[int] = (0, 1, 2),
    config: LMConfig | None = None,
    progress: bool | None = False,
) -> list[LMResult]:
    """:func:`train_char_lm` for every activation and seed, at the activations' defaults.

    Runs with the same seed draw the same training pairs in the same order; only the weights
    (whose shapes differ) and the activation differ, so results can be compared seed by seed.

    Args:
        activations: registered names or specs, elementwise or gated.
        data: from :func:`load_text_data`.
        seeds: non-negative integers, at least one.
        config: the model and run sizes (:class:`LMConfig` defaults otherwise).
        progress: show progress bars.

    Returns:
        One :class:`LMResult` per (seed, activation), seeds in the outer loop.

    >>> tiny = LMConfig(context=2, width=6, embed=2, steps=1, batch_size=8)
    >>> data = load_text_data(text=python_docs_text()[:20_000])
    >>> runs = compare_feedforward(["gelu", "swiglu"], data, seeds=[3], config=tiny)
    >>> [(r.activation, r.seed) for r in runs]
    [('gelu', 3), ('swiglu', 3)]
    """
    if isinstance(activations, str) or not activations:
        raise ValueError("activations must be a non-empty sequence of names or specs")
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    return [
        train_char_lm(a, data, seed=s, config=config, progress=progress)
        for s in seeds
        for a in activations
    ]


@dataclass(frozen=True)
class SeedSummary:
    """Validation bits per character of one activation over seeds, and its gap to a baseline.

    ``difference`` is the mean over seeds of (this activation − baseline) with the same seed;
    the true mean difference lies in ``difference ± half_width`` with the stated confidence
    (Student's t with ``seeds − 1`` degrees of freedom; ``nan`` for a single seed).
    """

    activation: str  #: The activation's name.
    seeds: int  #: The number of seeds.
    mean: float  #: Mean validation bits per character.
    std: float  #: Standard deviation over seeds (``ddof=1``; ``nan`` for one seed).
    difference: float  #: Mean paired difference to the baseline; negative is better.
    half_width: float  #: Half-width of the confidence interval of ``difference``.
    confidence: float  #: The confidence level of the interval.

    @property
    def distinguishable(self) -> bool:
        """Whether the interval of the difference excludes 0 (False for the baseline)."""
        return abs(self.difference) > self.half_width


def summarize(
    results: Sequence[LMResult], *, baseline: str, confidence: float = 0.95
) -> list[SeedSummary]:
    r"""Mean, spread and paired difference to ``baseline`` of each activation's validation score.

    For seed :math:`s`, :math:`d_s = \text{bpc}_s(\text{activation}) -
    \text{bpc}_s(\text{baseline})`; the interval is :math:`\bar d \pm t_{n-1}\,
    s_d/\sqrt n` over the :math:`n` seeds both were run with.

    Args:
        results: from :func:`compare_feedforward`.
        baseline: the name of the activation to compare with (it must be among the results).
        confidence: the level of the intervals, in (0, 1).

    Returns:
        One :class:`SeedSummary` per activation, in the order of first appearance.

    Raises:
        ValueError: no result for ``baseline``, or an activation run with other seeds.

    >>> def run(name, seed, bpc):
    ...     return LMResult(name, seed, {}, 1, 1, 1, bpc, bpc, 0.0)
    >>> rows = summarize([run("gelu", 0, 2.0), run("swiglu", 0, 1.9),
    ...                   run("gelu", 1, 2.2), run("swiglu", 1, 2.0)], baseline="gelu")
    >>> [(r.activation, round(r.mean, 2), round(r.difference, 2)) for r in rows]
    [('gelu', 2.1, 0.0), ('swiglu', 1.95, -0.15)]
    """
    from scipy import stats

    level = check_positive(confidence, "confidence")
    if not level < 1:
        raise ValueError(f"confidence must be in (0, 1), got {level}")
    by_name: dict[str, dict[int, float]] = {}
    for r in results:
        by_name.setdefault(r.activation, {})[r.seed] = r.validation_bpc
    if baseline not in by_name:
        raise ValueError(f"no result for the baseline {baseline!r}; have {', '.join(by_name)}")
    base = by_name[baseline]
    rows = []
    for name, scores in by_name.items():
        if set(scores) != set(base):
            raise ValueError(
                f"{name} was run with seeds {sorted(scores)}, {baseline} with "
                f"{sorted(base)}; a paired comparison needs the same seeds"
            )
        seeds = sorted(scores)
        values = np.array([scores[s] for s in seeds])
        diffs = values - np.array([base[s] for s in seeds])
        n = len(seeds)
        if n > 1:
            spread = float(np.std(diffs, ddof=1))
            t = float(stats.t.ppf(0.5 + level / 2, n - 1))
            half = t * spread / math.sqrt(n)
            std = float(np.std(values, ddof=1))
        else:
            half = std = math.nan
        rows.append(
            SeedSummary(
                activation=name,
                seeds=n,
                mean=float(values.mean()),
                std=std,
                difference=float(diffs.mean()),
                half_width=half,
                confidence=level,
            )
        )
    return rows
