"""Interactive explorers (ipywidgets). Each `*_explorer()` returns the widget; what it shows is
computed by pure functions here, tested without a browser in tests/test_widgets.py."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as W
import numpy as np
import torch

from helpers.attention import scaled_dot_product_attention
from helpers.plots import AttentionFigure
from helpers.text import MAX_WORDS, SENTENCE, tokenize, toy_projections, word_vectors

__all__ = [
    "ACTIVATION_NAMES",
    "DEPTH_MAX",
    "HEAD_CHOICES",
    "AttentionView",
    "DepthView",
    "MultiHeadView",
    "PositionalView",
    "attention_explorer",
    "attention_view",
    "depth_explorer",
    "depth_verdict",
    "depth_view",
    "multi_head_explorer",
    "multi_head_view",
    "positional_explorer",
    "positional_view",
    "ReversalView",
    "progress_bar",
    "reversal_explorer",
    "reversal_view",
]


@dataclass(frozen=True)
class AttentionView:
    """What the attention explorer shows. `weights` is None when there is nothing to draw.

    Shapes: tokens `(T,)`, weights `(T, T)`.
    """

    tokens: list[str]
    weights: np.ndarray | None
    query: int
    message: str


def attention_view(
    sentence: str,
    query: int = 1,
    scale: bool = True,
    temperature: float = 1.0,
    d_model: int = 512,
    d_k: int = 64,
) -> AttentionView:
    """Self-attention weights of a sentence with the series' toy vectors and projections.

    weights = softmax(Q·Kᵀ · s / temperature), s = 1/√d_k if `scale` else 1.
    Empty input, one word and more than `MAX_WORDS` words get a friendly message.
    """
    if not temperature > 0:
        return AttentionView([], None, 0, "The temperature must be greater than 0.")
    tokens = tokenize(sentence)
    if not tokens:
        return AttentionView(
            [],
            None,
            0,
            "Type a sentence: I need at least one word (letters or digits, in any language).",
        )
    message = ""
    if len(tokens) == 1:
        message = f'Only one word: "{tokens[0]}" can attend only to itself, with weight 1.'
    elif len(tokens) > MAX_WORDS:
        message = (
            f"That is {len(tokens)} words; the explorer shows the first {MAX_WORDS} "
            "so the picture stays readable."
        )
        tokens = tokens[:MAX_WORDS]
    query = min(max(query, 0), len(tokens) - 1)

    x = word_vectors(tokens, d_model)  # (T, D)
    w_q, w_k, w_v = toy_projections(d_model, d_k)  # each (D, Dk)
    factor = (1 / math.sqrt(d_k) if scale else 1.0) / temperature
    with torch.no_grad():
        _, weights = scaled_dot_product_attention(x @ w_q, x @ w_k, x @ w_v, scale=factor)
    return AttentionView(tokens, weights.numpy().astype(float), query, message)  # (T, T)


def _sentence_box(sentence: str) -> W.Text:
    """The text box every explorer offers for your own sentence (applied on Enter)."""
    return W.Text(
        value=sentence,
        description="sentence",
        continuous_update=False,
        layout=W.Layout(width="32em"),
    )


def _query_options(tokens: list[str]) -> list[tuple[str, int]]:
    return [(f"{i}: {t}", i) for i, t in enumerate(tokens)]


def attention_explorer(sentence: str = SENTENCE) -> W.VBox:
    """Pick the query word, toggle √d_k scaling, change the temperature, type a sentence.

    Taught in 01_self_attention.ipynb.
    """
    text = _sentence_box(sentence)
    wide = {"description_width": "initial"}
    query = W.Dropdown(
        description="query", options=_query_options(tokenize(sentence)), value=1, style=wide
    )
    scale = W.Checkbox(value=True, description="divide scores by √d_k")
    temperature = W.FloatLogSlider(
        value=1.0,
        base=10,
        min=-1,
        max=1,
        step=0.05,
        description="temperature",
        continuous_update=False,
        style=wide,
    )
    message = W.HTML()
    image = W.Image(format="png")
    figure = AttentionFigure()

    refreshing = False  # True while the query list is rebuilt: one redraw, not three

    def redraw(*_: object) -> None:
        if refreshing:
            return
        view = attention_view(text.value, query.value or 0, scale.value, temperature.value)
        message.value = f"<i>{view.message}</i>" if view.message else ""
        if view.weights is None:
            figure.show_message(view.message)
        else:
            figure.update(view.tokens, view.weights, view.query)
        image.value = figure.png()

    def new_sentence(*_: object) -> None:
        nonlocal refreshing
        view = attention_view(text.value)
        refreshing = True
        try:
            query.options = _query_options(view.tokens)
            query.value = view.query if view.tokens else None
        finally:
            refreshing = False
        redraw()

    text.observe(new_sentence, names="value")
    for control in (query, scale, temperature):
        control.observe(redraw, names="value")
    redraw()
    return W.VBox([text, W.HBox([query, scale, temperature]), message, image])


# --- 03 positional encoding -----------------------------------------------------------------------

PE_POSITIONS = 64  # rows of the explorer's heatmap
PE_MAX_D_MODEL = 128


@dataclass(frozen=True)
class PositionalView:
    """What the positional-encoding explorer shows. `pe` is None when there is nothing to draw.

    Shapes: pe `(P, D)`; offsets and similarity `(P,)`: for every other position j, the offset
    j − position and the cosine similarity of PE(position) and PE(j); reference_offsets and
    reference `(2P − 1,)`: that similarity for every offset, the curve all positions share.
    """

    d_model: int
    base: float
    position: int
    pe: np.ndarray | None
    offsets: np.ndarray | None
    similarity: np.ndarray | None
    reference_offsets: np.ndarray | None
    reference: np.ndarray | None
    caption: str
    message: str

    def figure_args(self) -> tuple:
        """The arguments of `helpers.plots.PositionalFigure.update`, in order."""
        return (
            self.pe,
            self.position,
            self.offsets,
            self.similarity,
            self.reference_offsets,
            self.reference,
            self.caption,
        )


def _length(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def _no_view(d_model: int, base: float, position: int, message: str) -> PositionalView:
    return PositionalView(d_model, base, position, None, None, None, None, None, "", message)


def positional_view(
    d_model: int = 64,
    base: float = 10000.0,
    position: int = 10,
    n_positions: int = PE_POSITIONS,
) -> PositionalView:
    """The sinusoidal encoding of `n_positions` positions, one position's vector, and its cosine
    similarity to every other position against the offset.

    An odd or too small d_model, a base not above 1 or no positions get a friendly message; a
    position outside 0 … n_positions − 1 is moved to the nearest end, with a message.
    """
    from helpers.positional import offset_dot_product, sinusoidal_positional_encoding, wavelengths

    if not isinstance(n_positions, int) or n_positions < 1:
        return _no_view(d_model, base, position, "I need at least one position to encode.")
    if not isinstance(d_model, int) or d_model < 2 or d_model % 2:
        return _no_view(
            d_model,
            base,
            position,
            f"d_model = {d_model} cannot be encoded: the encoding is made of sin/cos pairs, "
            "so d_model must be an even number, at least 2.",
        )
    if not base > 1:
        return _no_view(
            d_model,
            base,
            position,
            f"base = {base:g} cannot be used: the wavelengths are 2π · base^(2i/d), so the base "
            "must be greater than 1 (the paper uses 10000).",
        )
    message = ""
    if not 0 <= position < n_positions:
        clamped = min(max(position, 0), n_positions - 1)
        message = f"Position {position} is outside 0 … {n_positions - 1}; showing {clamped}."
        position = clamped

    pe = sinusoidal_positional_encoding(n_positions, d_model, base).double().numpy()  # (P, D)
    half = d_model / 2  # the squared norm of every row
    similarity = pe @ pe[position] / half  # (P, D) @ (D,) -> (P,)
    ahead = offset_dot_product(list(range(n_positions)), d_model, base).numpy() / half  # (P,)
    reference_offsets = np.arange(-(n_positions - 1), n_positions)  # (2P − 1,)
    reference = np.concatenate([ahead[:0:-1], ahead])  # cos is even: offset −k is offset k
    waves = wavelengths(d_model, base)  # (D/2,)
    span = _length(waves[0]) + (f" … {_length(waves[-1])}" if len(waves) > 1 else "")
    caption = f"d_model = {d_model}, base = {base:,.0f}: wavelengths {span} positions"
    return PositionalView(
        d_model,
        float(base),
        position,
        pe,
        np.arange(n_positions) - position,
        similarity,
        reference_offsets,
        reference,
        caption,
        message,
    )


def positional_explorer(d_model: int = 64, base: float = 10000.0, position: int = 10) -> W.VBox:
    """Move d_model, the base and the position: the encoding, one vector and the similarity curve.

    Taught in 03_positional_encoding.ipynb.
    """
    from helpers.plots import PositionalFigure

    wide = {"description_width": "initial"}
    d_slider = W.IntSlider(
        value=d_model,
        min=2,
        max=PE_MAX_D_MODEL,
        step=2,  # sin/cos pairs: an odd d_model cannot be chosen
        description="d_model",
        continuous_update=False,
        style=wide,
    )
    base_slider = W.FloatLogSlider(
        value=base,
        base=10,
        min=1,
        max=5,
        step=0.25,
        description="base",
        readout_format=",.0f",
        continuous_update=False,
        style=wide,
    )
    pos_slider = W.IntSlider(
        value=position,
        min=0,
        max=PE_POSITIONS - 1,
        description="position",
        continuous_update=False,
        style=wide,
    )
    message = W.HTML()
    image = W.Image(format="png")
    figure = PositionalFigure()

    def redraw(*_: object) -> None:
        view = positional_view(d_slider.value, base_slider.value, pos_slider.value)
        message.value = f"<i>{view.message}</i>" if view.message else ""
        if view.pe is None:
            figure.show_message(view.message)
        else:
            figure.update(*view.figure_args())
        image.value = figure.png()

    for control in (d_slider, base_slider, pos_slider):
        control.observe(redraw, names="value")
    redraw()
    return W.VBox([W.HBox([d_slider, base_slider, pos_slider]), message, image])


# --- 04 feed-forward network, Add & Norm, and what depth does -------------------------------------

DEPTH_MAX = 48  # the explorer's deepest stack: a new depth costs up to ~0.15 s once, then cached
ACTIVATION_NAMES = {"relu": "ReLU", "gelu": "GELU"}


@dataclass(frozen=True)
class DepthView:
    """What the depth explorer shows. `stats` is None when there is nothing to draw.

    stats: the chosen stack; reference: the book's stack (post-norm, residual + LayerNorm) of the
    same depth and activation; both `helpers.transformer.DepthStats`.
    """

    stats: object | None
    reference: object | None
    caption: str
    message: str


def depth_verdict(stats: object, reference: object | None = None) -> str:
    """One line on what a `DepthStats` says: gradients (against the `reference` stack's, if
    given), activation scale and token similarity."""
    n = stats.depth
    if n == 1:
        return "One block: add layers to see what depth does."
    ratio = stats.param_grad[0] / stats.param_grad[-1]
    grads = f"block 1 gets {ratio:.2g} × block {n}'s gradient"
    if ratio < 1e-2:
        grads = "vanishing gradients: " + grads
    if reference is not None:
        vs_reference = stats.param_grad.max() / reference.param_grad.max()
        if vs_reference > 1e2:
            times = f"{float(f'{vs_reference:.2g}'):,.0f}"  # 2 significant digits, no e+02
            grads = f"exploding gradients: {times} × the book's; " + grads
    growth = stats.activation_rms[-1] / stats.activation_rms[0]
    similarity = stats.token_similarity[-1]
    tokens = (
        "all tokens ≈ one vector" if similarity > 0.99 else f"token similarity {similarity:.2f}"
    )
    return f"{grads} · output RMS {growth:.2g} × the input's · {tokens}"


def depth_view(
    depth: int = 24,
    residual: bool = True,
    layer_norm: bool = True,
    norm_first: bool = False,
    activation: str = "relu",
) -> DepthView:
    """Per-layer statistics of a fresh encoder stack (d_model 64) and of the book's, to compare.

    A depth outside 1 … DEPTH_MAX is moved to the nearest end, with a message; an unknown
    activation gets a message and nothing to draw. Computed by
    `helpers.transformer.depth_statistics` (cached: a setting seen before costs nothing).
    """
    from helpers.transformer import depth_statistics

    if activation not in ACTIVATION_NAMES:
        names = " or ".join(repr(a) for a in ACTIVATION_NAMES)
        return DepthView(None, None, "", f"The activation must be {names}, not {activation!r}.")
    notes = []
    if not isinstance(depth, int) or isinstance(depth, bool) or not 1 <= depth <= DEPTH_MAX:
        try:
            wanted = int(depth)
        except (TypeError, ValueError, OverflowError):
            wanted = 1
        clamped = min(max(wanted, 1), DEPTH_MAX)
        notes.append(f"The explorer stacks 1 to {DEPTH_MAX} blocks; showing {clamped}.")
        depth = clamped
    if not layer_norm and norm_first:
        notes.append(
            "Without LayerNorm there is nothing to place: "
            "pre-norm and post-norm are the same block."
        )
    stats = depth_statistics(depth, residual, layer_norm, norm_first, activation)
    reference = depth_statistics(depth, True, True, False, activation)
    blocks = "block" if depth == 1 else "blocks"
    caption = f"{depth} {blocks}, {ACTIVATION_NAMES[activation]}, {stats.label}\n"
    verdict = depth_verdict(stats, reference)
    return DepthView(stats, reference, caption + verdict, " ".join(notes))


def depth_explorer(depth: int = 24) -> W.VBox:
    """Stack 1 to 48 blocks, switch residuals and LayerNorm, move the norm, pick the activation.

    Taught in 04_feed_forward_and_encoder.ipynb.
    """
    from helpers.plots import DepthFigure

    wide = {"description_width": "initial"}
    depth_slider = W.IntSlider(
        value=depth,
        min=1,
        max=DEPTH_MAX,
        description="blocks",
        continuous_update=False,
        style=wide,
    )
    narrow = W.Layout(width="auto", margin="0 1em 0 0")
    residual = W.Checkbox(value=True, description="residual", indent=False, layout=narrow)
    layer_norm = W.Checkbox(value=True, description="LayerNorm", indent=False, layout=narrow)
    placement = W.Dropdown(
        options=[("post-norm (the book)", False), ("pre-norm", True)],
        value=False,
        description="norm",
        style=wide,
        layout=W.Layout(width="15em"),
    )
    activation = W.Dropdown(
        options=[(name, key) for key, name in ACTIVATION_NAMES.items()],
        value="relu",
        description="FFN activation",
        style=wide,
        layout=W.Layout(width="13em"),
    )
    message = W.HTML()
    image = W.Image(format="png")
    figure = DepthFigure()

    def redraw(*_: object) -> None:
        view = depth_view(
            depth_slider.value, residual.value, layer_norm.value, placement.value, activation.value
        )
        message.value = f"<i>{view.message}</i>" if view.message else ""
        if view.stats is not None:
            figure.update(view.stats, view.reference, view.caption)
            image.value = figure.png()

    for control in (depth_slider, residual, layer_norm, placement, activation):
        control.observe(redraw, names="value")
    redraw()
    controls = W.HBox([depth_slider, residual, layer_norm, placement, activation])
    return W.VBox([controls, message, image])


# --- 02 multi-head attention explorer ------------------------------------------------------------

HEAD_CHOICES = (1, 2, 4, 8)


@dataclass(frozen=True)
class MultiHeadView:
    """What the multi-head explorer shows. `weights` is None when there is nothing to draw.

    Shapes: tokens `(T,)`, weights `(H, T, T)`, concat `(T, D)` (the heads' outputs side by side,
    the input of W_o), titles `(H,)`: "grammatical: noun → its verb" for a built head, "random"
    otherwise.
    """

    tokens: list[str]
    weights: np.ndarray | None
    concat: np.ndarray | None
    head: int
    titles: list[str]
    message: str

    @property
    def n_heads(self) -> int:
        return len(self.titles)


_MULTI_HEAD_LAYERS: dict[tuple[int, int, bool], object] = {}
_MULTI_HEAD_CACHE: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}


def _multi_head_outputs(
    tokens: tuple[str, ...], n_heads: int, built: bool, d_model: int
) -> tuple[np.ndarray, np.ndarray]:
    """Weights and concatenated head outputs of the explorer's layer, cached: picking another head
    or coming back to a setting recomputes nothing."""
    from helpers.attention import CONSTRUCTED_HEADS, constructed_attention
    from helpers.text import feature_vectors

    key = (tokens, n_heads, built, d_model)
    if key not in _MULTI_HEAD_CACHE:
        if (d_model, n_heads, built) not in _MULTI_HEAD_LAYERS:
            relations = CONSTRUCTED_HEADS[:n_heads] if built else ()  # only as many as fit
            layer = constructed_attention(d_model, n_heads, relations=relations)
            _MULTI_HEAD_LAYERS[d_model, n_heads, built] = layer
        layer = _MULTI_HEAD_LAYERS[d_model, n_heads, built]
        x = feature_vectors(list(tokens), d_model)[None]  # (1, T, D)
        with torch.no_grad():
            concat, weights = layer.attend(x, x, x)  # (1, T, D), (1, H, T, T)
        weights = weights[0].numpy().astype(float)  # (1, H, T, T) -> (H, T, T)
        concat = concat[0].numpy().astype(float)  # (1, T, D) -> (T, D)
        if len(_MULTI_HEAD_CACHE) >= 64:
            _MULTI_HEAD_CACHE.clear()
        _MULTI_HEAD_CACHE[key] = weights, concat
    return _MULTI_HEAD_CACHE[key]


def _head_titles(n_heads: int, built: bool) -> list[str]:
    from helpers.attention import CONSTRUCTED_HEADS

    names = [name for name, _, _ in CONSTRUCTED_HEADS] if built else []
    return [names[h] if h < len(names) else "random" for h in range(n_heads)]


def multi_head_view(
    sentence: str = SENTENCE,
    n_heads: int = 8,
    head: int = 0,
    built: bool = True,
    d_model: int = 512,
) -> MultiHeadView:
    """Every head's weights for a sentence, with the heads of `constructed_attention`.

    `built=True`: the first min(n_heads, 3) heads are built by hand for the book's relations
    (with fewer than 3 heads only the first relations fit), the others random; `built=False`:
    all heads random (the same random heads 4…H as with `built=True`). d_k = d_model / n_heads.
    Empty input, one word, more than `MAX_WORDS` words, fewer heads than relations and words the
    lexicon does not know get a friendly message.
    """
    from helpers.attention import CONSTRUCTED_HEADS
    from helpers.text import LEXICON

    if n_heads < 1 or d_model % n_heads:
        return MultiHeadView(
            [], None, None, 0, [], f"The number of heads must divide d_model = {d_model}."
        )
    tokens = tokenize(sentence)
    if not tokens:
        return MultiHeadView(
            [],
            None,
            None,
            0,
            [],
            "Type a sentence: I need at least one word (letters or digits, in any language).",
        )
    notes = []
    if len(tokens) == 1:
        notes.append(f'Only one word: every head can attend only to "{tokens[0]}" itself.')
    elif len(tokens) > MAX_WORDS:
        notes.append(
            f"That is {len(tokens)} words; the explorer shows the first {MAX_WORDS} "
            "so the picture stays readable."
        )
        tokens = tokens[:MAX_WORDS]
    if built and n_heads < len(CONSTRUCTED_HEADS):
        left_out = ", ".join(f'"{name}"' for name, _, _ in CONSTRUCTED_HEADS[n_heads:])
        notes.append(
            f"With {n_heads} head{'s' if n_heads > 1 else ''} there is room for only "
            f"{n_heads} of the book's 3 relations: {left_out} left out. One head gives each word "
            "one softmax row, and a row cannot point at two words at once."
        )
    unknown = list(dict.fromkeys(t for t in tokens if t.lower() not in LEXICON))
    if built and unknown:
        shown = ", ".join(f'"{t}"' for t in unknown[:4]) + (", …" if len(unknown) > 4 else "")
        notes.append(
            f"The built heads know only the words of a small lexicon: {shown} "
            "have no features, so those heads look past them (a uniform row)."
        )
    weights, concat = _multi_head_outputs(tuple(tokens), n_heads, built, d_model)
    return MultiHeadView(
        tokens,
        weights.copy(),  # copies: the cache stays as computed whatever the caller does
        concat.copy(),
        min(max(head, 0), n_heads - 1),
        _head_titles(n_heads, built),
        " ".join(notes),
    )


def _head_options(n_heads: int, built: bool) -> list[tuple[str, int]]:
    titles = _head_titles(n_heads, built)
    return [(f"{h + 1}: {title.split(':')[0]}", h) for h, title in enumerate(titles)]


def multi_head_explorer(sentence: str = SENTENCE) -> W.VBox:
    """Choose the number of heads, pick a head, switch built/random heads, type a sentence.

    Taught in 02_multi_head_attention.ipynb.
    """
    from helpers.plots import MultiHeadFigure

    text = _sentence_box(sentence)
    wide = {"description_width": "initial"}
    n_heads = W.SelectionSlider(
        options=HEAD_CHOICES,
        value=8,
        description="number of heads",
        continuous_update=False,
        style=wide,
    )
    head = W.Dropdown(
        description="head",
        options=_head_options(8, True),
        value=0,
        style=wide,
        layout=W.Layout(width="14em"),
    )
    built = W.Dropdown(
        description="weights",
        options=[("heads 1–3 built, rest random", True), ("all random", False)],
        value=True,
        style=wide,
    )
    message = W.HTML()
    image = W.Image(format="png")
    figure = MultiHeadFigure()

    refreshing = False  # True while the head list is rebuilt: one redraw, not two

    def redraw(*_: object) -> None:
        if refreshing:
            return
        view = multi_head_view(text.value, n_heads.value, head.value or 0, built.value)
        message.value = f"<i>{view.message}</i>" if view.message else ""
        if view.weights is None:
            figure.show_message(view.message)
        else:
            figure.update(view.tokens, view.weights, view.head, view.titles, view.concat)
        image.value = figure.png()

    def new_heads(*_: object) -> None:
        nonlocal refreshing
        refreshing = True
        try:
            current = head.value or 0
            head.options = _head_options(n_heads.value, built.value)
            head.value = min(current, n_heads.value - 1)
        finally:
            refreshing = False
        redraw()

    text.observe(redraw, names="value")
    head.observe(redraw, names="value")
    for control in (n_heads, built):
        control.observe(new_heads, names="value")
    redraw()
    return W.VBox([text, W.HBox([n_heads, head, built]), message, image])


# --- 07 train a tiny Transformer ------------------------------------------------------------------


@dataclass(frozen=True)
class ReversalView:
    """What the reversal explorer shows. `weights` is None when there is nothing to draw.

    Shapes: src_labels `(S,)` (the digits, `<eos>`), out_labels `(N,)` (the tokens the model
    chose, up to its `<eos>`), weights `(N, S)` (cross-attention of the last decoder block, one
    head or their mean), probs `(N,)` (the probability of each chosen token).
    """

    src_labels: list[str]
    out_labels: list[str]
    weights: np.ndarray | None
    probs: np.ndarray | None
    output: str
    expected: str
    caption: str
    message: str

    @property
    def correct(self) -> bool:
        return self.weights is not None and self.output == self.expected


def _no_reversal(message: str) -> ReversalView:
    return ReversalView([], [], None, None, "", "", "", message)


def reversal_view(text: str, head: int | None = None, model: object | None = None) -> ReversalView:
    """Greedy-decode typed digits with the trained model and take its cross-attention.

    Args:
        text: digits, spaces and commas ignored. Empty, non-digit (Hangul too) and more than
            `MAX_INPUT` digits get a friendly message; lengths outside training are flagged.
        head: which head's weights (0-based), None for the mean over the heads.
        model: a trained `helpers.Transformer`; default the committed checkpoint.
    """
    from helpers.reversal import (
        BOS,
        EOS,
        TRAIN_LENGTHS,
        VOCAB,
        batch_from_digits,
        decode_tokens,
        parse_digits,
    )
    from helpers.training import one_thread, trained_model
    from helpers.transformer import greedy_decode

    try:
        digits = parse_digits(text)
    except ValueError as e:
        return _no_reversal(str(e))
    model = trained_model() if model is None else model
    batch = batch_from_digits([digits])
    with one_thread():
        result = greedy_decode(model, batch.src, BOS, EOS, max_new_tokens=len(digits) + 3)
    chosen = result.tokens[0, 1:].tolist()  # (N,)
    n = chosen.index(EOS) + 1 if EOS in chosen else len(chosen)  # up to and with <eos>
    cross = result.cross_attention[0, :, :n]  # (H, N, S)
    n_heads = cross.shape[0]
    if head is not None and not 0 <= head < n_heads:
        return _no_reversal(f"There are {n_heads} heads: choose one from 1 to {n_heads}.")
    weights = cross.mean(dim=0) if head is None else cross[head]  # (H, N, S) -> (N, S)
    probs = result.probs[0, torch.arange(n), torch.tensor(chosen[:n])]  # (N,)
    output = decode_tokens(chosen)
    expected = "".join(str(d) for d in reversed(digits))
    verdict = "correct ✓" if output == expected else f"expected {expected} ✗"
    low, high = TRAIN_LENGTHS
    message = (
        ""
        if low <= len(digits) <= high
        else f"{len(digits)} digits: a length never seen in training ({low}–{high} digits); "
        "expect mistakes."
    )
    return ReversalView(
        [VOCAB[t] for t in batch.src[0].tolist()],
        [VOCAB[t] for t in chosen[:n]],
        weights.numpy().astype(float),
        probs.numpy().astype(float),
        output,
        expected,
        f"output {output or '(nothing)'}: {verdict}",
        message,
    )


def reversal_explorer(digits: str = "31415926") -> W.VBox:
    """Type digits: the trained model's reversal and its cross-attention, per head or averaged.

    Taught in 07_train_a_tiny_transformer.ipynb.
    """
    from helpers.plots import ReversalFigure
    from helpers.training import trained_model

    n_heads = trained_model().decoder.layers[-1].cross_attn.n_heads
    text = W.Text(
        value=digits,
        description="digits",
        continuous_update=False,
        layout=W.Layout(width="24em"),
    )
    head = W.Dropdown(
        description="cross-attention",
        options=[(f"mean of the {n_heads} heads", -1)]  # not None: a Dropdown's "no choice"
        + [(f"head {h + 1}", h) for h in range(n_heads)],
        value=-1,
        style={"description_width": "initial"},
    )
    message = W.HTML()
    image = W.Image(format="png")
    figure = ReversalFigure()

    def redraw(*_: object) -> None:
        view = reversal_view(text.value, None if head.value < 0 else head.value)
        message.value = f"<i>{view.message}</i>" if view.message else ""
        if view.weights is None:
            figure.show_message(view.message)
        else:
            figure.update(view.src_labels, view.out_labels, view.weights, view.probs, view.caption)
        image.value = figure.png()

    for control in (text, head):
        control.observe(redraw, names="value")
    redraw()
    return W.VBox([W.HBox([text, head]), message, image])


def progress_bar(total: int, description: str = "training") -> tuple[W.HBox, Callable]:
    """A progress bar for a loop of `total` steps, and the `progress(step, loss)` that moves it.

    Shown in a cell tagged nbval-ignore-output (its text changes with every run).
    Taught in 07_train_a_tiny_transformer.ipynb.
    """
    bar = W.IntProgress(value=0, min=0, max=total, description=description)
    label = W.Label(value=f"0 / {total}")

    def progress(step: int, loss: float) -> None:
        if step % 10 and step != total:  # a widget message every 10 steps is plenty
            return
        bar.value = step
        label.value = f"{step} / {total} steps, loss {loss:.3f}"

    return W.HBox([bar, label]), progress
