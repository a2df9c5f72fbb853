"""Interactive explorers (ipywidgets). Each `*_explorer()` returns the widget; what it shows is
computed by pure functions here, tested without a browser in tests/test_widgets.py."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ipywidgets as W
import numpy as np
import torch

from helpers.attention import scaled_dot_product_attention
from helpers.plots import AttentionFigure
from helpers.text import MAX_WORDS, SENTENCE, tokenize, toy_projections, word_vectors

if TYPE_CHECKING:
    from helpers.transformer import GreedyResult, Transformer

__all__ = [
    "ACTIVATION_NAMES",
    "DECODE_STEPS",
    "DEPTH_MAX",
    "HEAD_CHOICES",
    "TOP_K_OPTIONS",
    "AttentionView",
    "DecoderAttentionView",
    "DecodingView",
    "DepthView",
    "MultiHeadView",
    "PositionalView",
    "attention_explorer",
    "attention_view",
    "cross_head_titles",
    "decoder_attention_explorer",
    "decoder_attention_view",
    "decoding_stepper",
    "decoding_view",
    "depth_explorer",
    "depth_verdict",
    "depth_view",
    "multi_head_explorer",
    "multi_head_view",
    "positional_explorer",
    "positional_view",
    "BertHeadsView",
    "bert_heads_explorer",
    "bert_heads_view",
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


def _show_view(
    figure: object, image: W.Image, message: W.HTML, text: str, args: tuple | None
) -> None:
    """Show a view's message, and draw `figure.update(*args)`, or the message alone when
    `args` is None (nothing to draw); then put the figure's PNG into `image`."""
    message.value = f"<i>{text}</i>" if text else ""
    if args is None:
        figure.show_message(text)
    else:
        figure.update(*args)
    image.value = figure.png()


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
        args = None if view.pe is None else view.figure_args()
        _show_view(figure, image, message, view.message, args)

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


# --- 05 masked and cross-attention explorer -------------------------------------------------------

ARTICLES = ("the", "a", "an")  # Korean has none: no translation to align with, no message


@dataclass(frozen=True)
class DecoderAttentionView:
    """What the masked- and cross-attention explorer shows. `self_weights` is None when there is
    nothing to draw.

    Shapes: target `(T,)` the decoder's words, source `(S,)` the encoder's, self_weights `(T, T)`
    (masked when `causal`), mask `(T, T)` or None, cross_weights `(H, T, S)`, titles `(H,)`.
    """

    target: list[str]
    source: list[str]
    step: int
    causal: bool
    head: int
    self_weights: np.ndarray | None
    mask: np.ndarray | None
    cross_weights: np.ndarray | None
    titles: list[str]
    caption: str
    message: str

    def figure_args(self) -> tuple:
        """The arguments of `helpers.plots.DecoderAttentionFigure.update`, in order."""
        return (
            self.target,
            self.source,
            self.self_weights,
            self.mask,
            self.cross_weights[self.head],
            self.step,
            f"{self.head + 1}: {self.titles[self.head]}",
            self.caption,
        )


_CROSS_LAYERS: dict[int, object] = {}


def cross_head_titles(n_heads: int = 8) -> list[str]:
    """The heads of `aligned_cross_attention`: "aligned (match score 5)", …, then "random"."""
    from helpers.attention import ALIGNED_STRENGTHS

    return [
        f"aligned (match score {ALIGNED_STRENGTHS[h]:g})"
        if h < len(ALIGNED_STRENGTHS)
        else "random"
        for h in range(n_heads)
    ]


def _sentence_tokens(sentence: str, role: str, notes: list[str]) -> list[str]:
    """The words of one of the explorer's sentences, at most MAX_WORDS (with a note)."""
    tokens = tokenize(sentence)
    if len(tokens) > MAX_WORDS:
        notes.append(
            f"The {role} sentence has {len(tokens)} words; the explorer shows the first "
            f"{MAX_WORDS} so the picture stays readable."
        )
        tokens = tokens[:MAX_WORDS]
    return tokens


def decoder_attention_view(
    target: str | None = None,
    source: str = SENTENCE,
    step: int = 2,
    causal: bool = True,
    head: int = 0,
    d_model: int = 512,
) -> DecoderAttentionView:
    """The decoder's (masked) self-attention and its cross-attention to the encoder's words.

    Self-attention: softmax(Q·Kᵀ / √d_k) of the target's `bilingual_vectors` with the series'
    `toy_projections` (notebook 01), with `causal_mask` when `causal`. Cross-attention: every head
    of `aligned_cross_attention` (heads 1–2 built to align translations, 3–8 random), queries from
    the target, keys and values from the source (standing in for the encoder's output).
    `target` defaults to `KOREAN_SENTENCE`. The step is clamped to 0 … T − 1, the head to
    0 … H − 1. An empty sentence, more than `MAX_WORDS` words and words the bilingual lexicon does
    not know get a friendly message.
    """
    from helpers.attention import aligned_cross_attention, causal_mask
    from helpers.text import BILINGUAL_LEXICON, KOREAN_SENTENCE, bilingual_vectors

    notes: list[str] = []
    tgt = _sentence_tokens(KOREAN_SENTENCE if target is None else target, "decoder", notes)
    src = _sentence_tokens(source, "encoder", notes)
    empty = [role for role, tokens in (("decoder", tgt), ("encoder", src)) if not tokens]
    if empty:
        message = (
            f"Type a {' and an '.join(empty)} sentence: I need at least one word in each "
            "(letters or digits, in any language)."
        )
        return DecoderAttentionView(tgt, src, 0, causal, 0, None, None, None, [], "", message)
    unknown = list(
        dict.fromkeys(
            w for w in tgt + src if w.lower() not in BILINGUAL_LEXICON and w.lower() not in ARTICLES
        )
    )
    if unknown:
        shown = ", ".join(f'"{w}"' for w in unknown[:4]) + (", …" if len(unknown) > 4 else "")
        notes.append(
            f"The bilingual lexicon does not know {shown}: without meaning features the aligned "
            "heads find no translation for them (an even row, or a column nobody looks at)."
        )
    step = min(max(int(step), 0), len(tgt) - 1)

    if d_model not in _CROSS_LAYERS:
        _CROSS_LAYERS[d_model] = aligned_cross_attention(d_model)
    layer = _CROSS_LAYERS[d_model]
    y = bilingual_vectors(tgt, d_model)  # (T, D): the decoder's words
    x = bilingual_vectors(src, d_model)  # (S, D): the encoder's words
    w_q, w_k, w_v = toy_projections(d_model, 64)  # each (D, Dk)
    mask = causal_mask(len(tgt)) if causal else None  # (T, T), True = may attend
    with torch.no_grad():
        _, self_weights = scaled_dot_product_attention(y @ w_q, y @ w_k, y @ w_v, mask)  # (T, T)
        _, cross = layer(y[None], x[None], x[None])  # (1, T, D), (1, S, D) -> (1, H, T, S)
    titles = cross_head_titles(layer.n_heads)
    head = min(max(int(head), 0), layer.n_heads - 1)

    seen = ", ".join(tgt[: step + 1])
    caption = f'step {step}: "{tgt[step]}" may attend to {seen}'
    future = self_weights[step, step + 1 :]  # (T − t − 1,)
    if len(future) and causal:
        caption += f" · hidden by the mask: {', '.join(tgt[step + 1 :])}"
    elif len(future):
        caption += (
            f" · NO MASK: it also sees the future {', '.join(tgt[step + 1 :])} "
            f"({float(future.sum()):.0%} of its attention leaks there)"
        )
    elif not causal:
        caption += " · the last word: nothing lies ahead, mask or not"
    best = int(cross[0, head, step].argmax())
    caption += f'\ncross-attention head {head + 1}: "{tgt[step]}" looks most at "{src[best]}"'
    caption += f" ({float(cross[0, head, step, best]):.2f})"
    return DecoderAttentionView(
        tgt,
        src,
        step,
        causal,
        head,
        self_weights.numpy().astype(float),
        None if mask is None else mask.numpy(),
        cross[0].numpy().astype(float),  # (1, H, T, S) -> (H, T, S)
        titles,
        caption,
        " ".join(notes),
    )


def decoder_attention_explorer(target: str | None = None, source: str = SENTENCE) -> W.VBox:
    """Move the decoding step, switch the causal mask, pick a cross-attention head, type the
    decoder's (Korean) and the encoder's (English) sentences.

    Taught in 05_masked_and_cross_attention.ipynb.
    """
    from helpers.plots import DecoderAttentionFigure
    from helpers.text import KOREAN_SENTENCE

    target_box = _sentence_box(KOREAN_SENTENCE if target is None else target)
    target_box.description = "decoder"
    source_box = _sentence_box(source)
    source_box.description = "encoder"
    first = decoder_attention_view(target_box.value, source_box.value)
    wide = {"description_width": "initial"}
    step = W.IntSlider(
        value=first.step,
        min=0,
        max=max(len(first.target) - 1, 1),
        description="decoding step t",
        continuous_update=False,
        style=wide,
    )
    causal = W.Checkbox(value=True, description="causal mask", indent=False)
    head = W.Dropdown(
        description="cross-attention head",
        options=[(f"{h + 1}: {title}", h) for h, title in enumerate(cross_head_titles())],
        value=0,
        style=wide,
        layout=W.Layout(width="28em"),
    )
    message = W.HTML()
    image = W.Image(format="png")
    figure = DecoderAttentionFigure()

    refreshing = False  # True while the step slider is fitted to a new sentence: one redraw

    def redraw(*_: object) -> None:
        if refreshing:
            return
        view = decoder_attention_view(
            target_box.value, source_box.value, step.value, causal.value, head.value
        )
        message.value = f"<i>{view.message}</i>" if view.message else ""
        if view.self_weights is None:
            figure.show_message(view.message)
        else:
            figure.update(*view.figure_args())
        image.value = figure.png()

    def new_sentence(*_: object) -> None:
        nonlocal refreshing
        n = len(decoder_attention_view(target_box.value, source_box.value).target)
        refreshing = True
        try:
            step.max = max(n - 1, 1)  # a slider needs max > min; step is clamped by the view
            step.value = min(step.value, max(n - 1, 0))
        finally:
            refreshing = False
        redraw()

    target_box.observe(new_sentence, names="value")
    for control in (source_box, step, causal, head):
        control.observe(redraw, names="value")
    redraw()
    return W.VBox([W.HBox([target_box, source_box]), W.HBox([step, causal, head]), message, image])


# --- 06 the decoder's output: a decoding stepper --------------------------------------------------

DECODE_STEPS = 8  # the stepper generates at most this many tokens
TOP_K_OPTIONS = (("all", 0), ("5", 5), ("3", 3), ("1 (= greedy)", 1))  # 0: keep every token


@dataclass(frozen=True)
class DecodingView:
    """What the decoding stepper shows at one step. `probs` is None at step 0 (nothing generated).

    Shapes: source `(S,)`, vocab `(V,)`, targets `(1 + step,)` (<bos>, then the chosen tokens),
    probs `(V,)` (the step's next-token distribution at the chosen temperature and top-k),
    attention `(DECODE_STEPS, S)` (each step's cross-attention over the source, last decoder
    block, mean of its heads; NaN after the current step).
    """

    source: list[str]
    vocab: list[str]
    targets: list[str]
    probs: np.ndarray | None
    chosen: int | None
    attention: np.ndarray
    step: int
    finished: bool
    caption: str
    message: str

    def figure_args(self) -> tuple:
        """The arguments of `helpers.plots.DecodingFigure.update`, in order."""
        return (
            self.vocab,
            self.source,
            self.targets,
            self.probs,
            self.chosen,
            self.attention,
            self.caption,
        )


_DECODING_MODEL: list[Transformer] = []  # the demo model, built once on first use
_DECODING_RUNS: dict[tuple, GreedyResult] = {}


def _decoding_run(sample: bool, temperature: float, top_k: int | None) -> GreedyResult:
    """The whole run of DECODE_STEPS steps for one setting, cached: a step is then a slice of it
    (decoding is causal, so the first n steps of a long run are the run of n steps)."""
    from helpers.text import BOS_ID, EOS_ID, SENTENCE, SOURCE_VOCAB
    from helpers.transformer import demo_transformer, greedy_decode, sample_decode

    key = (True, temperature, top_k) if sample else (False,)
    if key not in _DECODING_RUNS:
        if not _DECODING_MODEL:
            _DECODING_MODEL.append(demo_transformer())
        model, src = _DECODING_MODEL[0], SOURCE_VOCAB.encode(SENTENCE)  # (1, S)
        if sample:
            run = sample_decode(model, src, BOS_ID, EOS_ID, DECODE_STEPS, temperature, top_k)
        else:
            run = greedy_decode(model, src, BOS_ID, EOS_ID, DECODE_STEPS)
        if len(_DECODING_RUNS) >= 64:
            _DECODING_RUNS.clear()
        _DECODING_RUNS[key] = run
    return _DECODING_RUNS[key]


def decoding_view(
    step: int = 1, temperature: float = 1.0, top_k: int | None = None, sample: bool = False
) -> DecodingView:
    """Step `step` of decoding "The cat sat on the mat." with the untrained demo Transformer.

    Greedy (`sample=False`) takes the most likely token; the distribution shown is still
    `next_token_distribution(logits, temperature, top_k)`, to see what those do (they never
    move the argmax). Sampling draws from it, seeded. A step past the end of the run (the
    model chose <eos>, or DECODE_STEPS) is moved to the end; a bad temperature or top-k gets a
    message and the view of step 0.
    """
    from helpers.text import SENTENCE, SOURCE_VOCAB, TARGET_VOCAB
    from helpers.transformer import next_token_distribution

    source = SOURCE_VOCAB.decode(SOURCE_VOCAB.encode(SENTENCE)[0])  # (S,)
    vocab = list(TARGET_VOCAB.tokens)  # (V,)
    blank = np.full((DECODE_STEPS, len(source)), np.nan)
    top_k = top_k or None  # 0 and None: every token
    try:
        next_token_distribution(torch.zeros(1), temperature, top_k)
    except ValueError as e:
        caption = "nothing to show"
        return DecodingView(source, vocab, ["<bos>"], None, None, blank, 0, False, caption, str(e))
    run = _decoding_run(sample, float(temperature), top_k)
    n_steps = run.probs.shape[1]
    message = ""
    if not 0 <= step <= n_steps:
        clamped = min(max(step, 0), n_steps)
        message = f"The run has steps 0 … {n_steps}; showing step {clamped}."
        step = clamped
    tokens = run.tokens[0, : step + 1]  # (1 + step,)
    targets = TARGET_VOCAB.decode(tokens)
    attention = blank.copy()
    attention[:step] = run.cross_attention[0].mean(dim=0)[:step].numpy()  # (H, N, S) -> (N, S)
    finished = step == n_steps
    how = (
        f"sampled (T = {temperature:.2g}, top-k {top_k or 'all'})"
        if sample
        else "greedy: the most likely token, at any T and top-k"
    )
    if step == 0:
        probs, chosen, caption = None, None, f"step 0 · {how}"
    else:
        with torch.no_grad():
            p = next_token_distribution(run.logits[0, step - 1], temperature, top_k)  # (V,)
        probs, chosen = p.numpy().astype(float), int(tokens[-1])
        picked = f"{vocab[chosen]} (p = {probs[chosen]:.2f})"
        caption = f"step {step} · {how}: {picked}\ntarget so far: {' '.join(targets)}"
    if finished:
        end = "<eos>" if step and targets[-1] == "<eos>" else f"{DECODE_STEPS} tokens"
        caption += f"  ·  finished ({end})"
    return DecodingView(
        source, vocab, targets, probs, chosen, attention, step, finished, caption, message
    )


def decoding_stepper(step: int = 1) -> W.VBox:
    """Press "next" to generate one token: its distribution, the choice and the step's attention.

    Greedy or sampled, with a temperature and top-k; "reset" goes back to <bos> alone.
    Taught in 06_decoder_and_transformer.ipynb.
    """
    from helpers.plots import DecodingFigure

    wide = {"description_width": "initial"}
    next_button = W.Button(description="next ▶", tooltip="generate one more token")
    reset = W.Button(description="reset", tooltip="back to <bos> alone")
    mode = W.Dropdown(
        options=[("greedy (argmax)", False), ("sample", True)],
        value=False,
        description="decoding",
        style=wide,
        layout=W.Layout(width="15em"),
    )
    temperature = W.FloatLogSlider(
        value=1.0,
        base=10,
        min=-1,
        max=1,
        step=0.1,
        description="temperature",
        readout_format=".2g",
        continuous_update=False,
        style=wide,
    )
    top_k = W.Dropdown(
        options=TOP_K_OPTIONS,
        value=0,
        description="top-k",
        style=wide,
        layout=W.Layout(width="11em"),
    )
    message = W.HTML()
    image = W.Image(format="png")
    figure = DecodingFigure()
    state = {"step": step, "finished": False}

    def redraw(*_: object) -> None:
        view = decoding_view(state["step"], temperature.value, top_k.value, mode.value)
        state["step"], state["finished"] = view.step, view.finished
        message.value = f"<i>{view.message}</i>" if view.message else ""
        next_button.description = "start over ▶" if view.finished else "next ▶"
        figure.update(*view.figure_args())
        image.value = figure.png()

    def on_next(_: object) -> None:
        state["step"] = 0 if state["finished"] else state["step"] + 1
        redraw()

    def on_reset(_: object) -> None:
        state["step"] = 0
        redraw()

    next_button.on_click(on_next)
    reset.on_click(on_reset)
    for control in (mode, temperature, top_k):
        control.observe(redraw, names="value")
    redraw()
    controls = W.HBox([next_button, reset, mode, temperature, top_k])
    return W.VBox([controls, message, image])


# --- 08 a real BERT: the gallery of its heads over layers × heads ---------------------------------

_BERT_CACHE: dict[str, tuple] = {}  # text -> (encoding, weights (L, H, T, T), scores)
_BERT_CACHE_SIZE = 8  # a 512-token text holds 6 × 12 × 512 × 512 float32 weights: 75 MB


@dataclass(frozen=True)
class BertHeadsView:
    """What the BERT head gallery shows. `layer_weights` is None when there is nothing to draw.

    Shapes: tokens `(T,)` (WordPiece pieces with [CLS] and [SEP]), layer_weights `(H, T, T)`: every
    head of the chosen layer; scores: `helpers.bert.HEAD_PATTERNS` -> `(L, H)`. layer and head
    count from 0.
    """

    tokens: list[str]
    layer_weights: np.ndarray | None
    layer: int
    head: int
    scores: dict[str, np.ndarray] | None
    caption: str
    message: str

    def figure_args(self) -> tuple:
        """The arguments of `helpers.plots.BertHeadsFigure.update`, in order."""
        return (self.tokens, self.layer_weights, self.layer, self.head, self.scores, self.caption)


def _bert_heads(text: str) -> tuple:
    """The encoding, every head's weights and the pattern scores of a text, cached."""
    from helpers.bert import head_pattern_scores, load_bert, load_tokenizer

    if text not in _BERT_CACHE:
        if "model" not in _BERT_CACHE:
            _BERT_CACHE["model"] = (load_bert(), load_tokenizer())
        model, tokenizer = _BERT_CACHE["model"]
        encoding = tokenizer.encode(text, model.config.max_positions, truncate=True)
        with torch.no_grad():
            out = model(encoding.ids)
        weights = torch.stack(out.attentions)[:, 0].numpy()  # L × (1, H, T, T) -> (L, H, T, T)
        scores = head_pattern_scores(weights, encoding.tokens) if len(encoding.tokens) > 2 else {}
        if len(_BERT_CACHE) > _BERT_CACHE_SIZE:  # keep the model, forget the texts
            for key in [k for k in _BERT_CACHE if k != "model"]:
                del _BERT_CACHE[key]
        _BERT_CACHE[text] = encoding, weights, scores
    return _BERT_CACHE[text]


def _bert_notes(text: str, tokens: list[str], dropped: int) -> list[str]:
    notes = []
    if dropped:
        notes.append(
            f"That is {len(tokens) + dropped} positions with [CLS] and [SEP]; the model has "
            f"{len(tokens)}, so the last {dropped} pieces were dropped."
        )
    if any("가" <= ch <= "힣" or "ᄀ" <= ch <= "ᇿ" for ch in text):
        notes.append(
            "This model reads English only (an uncased English vocabulary): Korean words become "
            "[UNK], or loose jamo (the letters of a syllable) as pieces. What you see is what "
            "the model reads."
        )
    unknown = tokens.count("[UNK]")
    if unknown:
        pieces = len(tokens) - 2
        notes.append(f"{unknown} of the {pieces} pieces are [UNK] (not in the vocabulary).")
    return notes


def bert_heads_view(sentence: str = SENTENCE, layer: int = 0, head: int = 2) -> BertHeadsView:
    """Every head's weights in one layer of all-MiniLM-L6-v2 for a sentence, and how much each
    head of every layer attends to the previous token, the next token, [CLS] / [SEP] and the
    same word (`helpers.bert.head_pattern_scores`).

    The sentence is cut by `helpers.bert.WordPiece`; beyond the model's 512 positions it is
    truncated, with a message; empty input gets a friendly message; Korean text is shown as the
    English model reads it, with a note. layer and head (from 0) are moved into range.
    """
    from helpers.bert import HEAD_PATTERNS

    if not isinstance(sentence, str):
        return BertHeadsView([], None, 0, 0, None, "", "The sentence must be text.")
    encoding, weights, scores = _bert_heads(sentence)
    if len(encoding.tokens) <= 2:
        return BertHeadsView(
            [],
            None,
            0,
            0,
            None,
            "",
            "Type a sentence: I need at least one word to show what BERT's heads attend to.",
        )
    n_layers, n_heads = weights.shape[:2]
    layer, head = min(max(layer, 0), n_layers - 1), min(max(head, 0), n_heads - 1)
    values = {p: scores[p][layer, head] for p in HEAD_PATTERNS}
    shown = " · ".join(f"{p} {v:.2f}" if np.isfinite(v) else f"{p} –" for p, v in values.items())
    best = max((v, p) for p, v in values.items() if np.isfinite(v))
    kind = f": a {best[1]} head" if best[0] >= 0.5 else ""
    caption = f"layer {layer + 1}, head {head + 1}{kind}\n{shown}"
    return BertHeadsView(
        list(encoding.tokens),
        weights[layer].astype(float),  # (H, T, T), a copy: the cache stays as computed
        layer,
        head,
        {p: s.copy() for p, s in scores.items()},
        caption,
        " ".join(_bert_notes(sentence, encoding.tokens, encoding.dropped)),
    )


def bert_heads_explorer(sentence: str = SENTENCE, layer: int = 1, head: int = 3) -> W.VBox:
    """Pick a layer and a head of the real BERT (all-MiniLM-L6-v2), type your own sentence.

    layer and head count from 1, as on the sliders. Taught in 08_real_bert.ipynb.
    """
    from helpers.plots import BertHeadsFigure

    text = _sentence_box(sentence)
    wide = {"description_width": "initial"}
    layer_slider = W.IntSlider(
        value=layer, min=1, max=6, description="layer", continuous_update=False, style=wide
    )
    head_slider = W.IntSlider(
        value=head, min=1, max=12, description="head", continuous_update=False, style=wide
    )
    message = W.HTML()
    image = W.Image(format="png")
    figure = BertHeadsFigure()

    def redraw(*_: object) -> None:
        view = bert_heads_view(text.value, layer_slider.value - 1, head_slider.value - 1)
        args = None if view.layer_weights is None else view.figure_args()
        _show_view(figure, image, message, view.message, args)

    for control in (text, layer_slider, head_slider):
        control.observe(redraw, names="value")
    redraw()
    return W.VBox([text, W.HBox([layer_slider, head_slider]), message, image])


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
