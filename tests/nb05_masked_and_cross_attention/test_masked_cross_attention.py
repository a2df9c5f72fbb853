"""Notebook 05's helpers: the bilingual word vectors, the aligned cross-attention layer, the
causality check, the mask picture, the explorer's figure and view, and the exercises' checkers."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from helpers import SENTENCE, TOKENS, causal_mask, padding_mask, plots
from helpers.attention import MultiHeadAttention, assert_causal, scaled_dot_product_attention
from helpers.nb02_multi_head_attention.data import constructed_attention, feature_vectors
from helpers.nb05_masked_and_cross_attention.data import (
    ALIGNED_STRENGTHS,
    BILINGUAL_LEXICON,
    MEANINGS,
    aligned_cross_attention,
    bilingual_vectors,
)
from helpers.nb05_masked_and_cross_attention.exercises import (
    check_causal_mask,
    check_cross_attention,
    check_masked_softmax,
)
from helpers.nb05_masked_and_cross_attention.explorer import (
    BUILT_HEADS,
    TRAINED_NOTE,
    cross_head_titles,
    decoder_attention_explorer,
    decoder_attention_view,
    trained_cross_attention,
    trained_head_titles,
)
from helpers.nb05_masked_and_cross_attention.figures import DecoderAttentionFigure, plot_mask
from helpers.text import KOREAN_SENTENCE, KOREAN_TOKENS, MAX_WORDS, word_vectors

CAT, SAT, ON, MAT = 1, 2, 3, 5  # positions in "The cat sat on the mat."
TRANSLATION = [CAT, MAT, ON, SAT]  # 고양이가, 매트, 위에, 앉았다 -> their English word

# --- text: the Korean sentence and the bilingual vectors ------------------------------------------


def test_korean_sentence_is_tokenised_by_the_series_tokenizer():
    assert KOREAN_SENTENCE == "고양이가 매트 위에 앉았다."
    assert KOREAN_TOKENS == ["고양이가", "매트", "위에", "앉았다"]


def test_every_lexicon_entry_has_a_known_meaning_and_pairs_exist():
    assert set(BILINGUAL_LEXICON.values()) == set(MEANINGS)
    for meaning in MEANINGS:  # each meaning has an English and a Korean word
        words = [w for w, m in BILINGUAL_LEXICON.items() if m == meaning]
        assert any(w.isascii() for w in words) and any(not w.isascii() for w in words)


def test_translation_pairs_share_their_meaning_features_only():
    x, y = bilingual_vectors(TOKENS), bilingual_vectors(KOREAN_TOKENS)  # (6, D), (4, D)
    m = len(MEANINGS)
    assert x.shape == (6, 512) and y.shape == (4, 512)
    for t, s in enumerate(TRANSLATION):
        assert torch.equal(y[t, :m], x[s, :m])
        assert y[t, :m].sum() == 1 and not torch.equal(y[t, m:], x[s, m:])
    assert (x[[0, 4], :m] == 0).all()  # The, the: no meaning
    assert torch.equal(x[:, m:], word_vectors(TOKENS)[:, m:])  # the rest is the word's own
    assert (bilingual_vectors(["zebra"])[0, :m] == 0).all()
    with pytest.raises(ValueError, match="exceed the 11 feature dimensions"):
        bilingual_vectors(TOKENS, d_model=11)


def test_feature_vectors_of_notebook_02_are_unchanged():
    x = feature_vectors(TOKENS)
    assert x[:, :6].tolist() == [
        [0, 0, 0, 1, 0, 0],
        [1, 0, 0, 0, 1, 0],
        [0, 1, 0, 0, 0, 0],
        [0, 0, 1, 0, 0, 0],
        [0, 0, 0, 1, 0, 0],
        [1, 0, 0, 0, 0, 1],
    ]
    assert torch.equal(x[:, 6:], word_vectors(TOKENS)[:, 6:])


# --- the aligned cross-attention layer ------------------------------------------------------------


def _cross(layer: MultiHeadAttention, target=KOREAN_TOKENS, source=TOKENS) -> torch.Tensor:
    y, x = bilingual_vectors(target)[None], bilingual_vectors(source)[None]
    with torch.no_grad():
        return layer(y, x, x)[1][0]  # (H, T, S)


def test_built_heads_align_each_word_with_its_translation():
    layer = aligned_cross_attention()
    w = _cross(layer)
    assert w.shape == (8, 4, 6)
    for h, strength in enumerate(ALIGNED_STRENGTHS):
        assert w[h].argmax(dim=-1).tolist() == TRANSLATION
        # a match scores `strength`, everything else 0: softmax = e^s / (e^s + 5)
        expected = np.exp(strength) / (np.exp(strength) + 5)
        np.testing.assert_allclose(w[h].max(dim=-1).values, expected, rtol=1e-5)
    hits = (w[2:].argmax(dim=-1) == torch.tensor(TRANSLATION)).sum(dim=-1)
    assert (hits < 4).all()  # random heads do not align


def test_random_heads_are_those_of_constructed_attention():
    ours, random = aligned_cross_attention(), constructed_attention(relations=())
    rows = slice(len(ALIGNED_STRENGTHS) * 64, None)
    for a, b in ((ours.W_q, random.W_q), (ours.W_k, random.W_k)):
        assert torch.equal(a.weight[rows], b.weight[rows])
    assert torch.equal(ours.W_v.weight, random.W_v.weight)


def test_a_word_without_meaning_gets_an_even_row_in_the_built_heads():
    w = _cross(aligned_cross_attention(), target=["zebra"])
    np.testing.assert_allclose(w[0, 0], 1 / 6, atol=1e-6)


def test_aligned_layer_refuses_impossible_settings():
    with pytest.raises(ValueError, match="at least 2 for the built heads"):
        aligned_cross_attention(n_heads=1)
    with pytest.raises(ValueError, match="d_k ≥ 11"):
        aligned_cross_attention(d_model=64, n_heads=8)
    with pytest.raises(ValueError, match="must be positive"):
        aligned_cross_attention(strengths=(1.0, 0.0))


def test_cross_attention_equals_torch_with_t_not_s():
    torch.manual_seed(0)
    theirs = nn.MultiheadAttention(32, 4, batch_first=True).eval()
    ours = MultiHeadAttention.from_torch(theirs).eval()
    y, memory = torch.randn(2, 3, 32), torch.randn(2, 7, 32)  # T = 3, S = 7
    keep = padding_mask([7, 5])  # (B, 1, 1, S): source padding
    with torch.no_grad():
        out, w = ours(y, memory, memory, keep)
        out_t, w_t = theirs(
            y, memory, memory, key_padding_mask=~keep[:, 0, 0], average_attn_weights=False
        )
    assert out.shape == (2, 3, 32) and w.shape == (2, 4, 3, 7)
    torch.testing.assert_close(out, out_t, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(w, w_t, atol=1e-6, rtol=1e-5)
    assert (w[1, ..., 5:] == 0).all()


# --- the masks of the notebook, against torch -----------------------------------------------------


def test_causal_mask_equals_torchs_three_spellings():
    g = torch.Generator().manual_seed(1)
    q, k, v = (torch.randn(2, 3, 5, 8, generator=g) for _ in range(3))
    ours, _ = scaled_dot_product_attention(q, k, v, causal_mask(5))
    torch.testing.assert_close(ours, F.scaled_dot_product_attention(q, k, v, is_causal=True))
    additive = nn.Transformer.generate_square_subsequent_mask(5)
    assert torch.equal(additive == 0, causal_mask(5))
    assert torch.equal(~causal_mask(5), torch.ones(5, 5, dtype=torch.bool).triu(1))


def test_masked_outputs_ignore_the_future_bit_for_bit():
    y = bilingual_vectors(KOREAN_TOKENS)
    y2 = bilingual_vectors([*KOREAN_TOKENS[:-1], "잤다"])
    layer = aligned_cross_attention().eval()  # any layer will do
    with torch.no_grad():
        a = layer(y[None], y[None], y[None], causal_mask(4))[0]
        b = layer(y2[None], y2[None], y2[None], causal_mask(4))[0]
        c = layer(y2[None], y2[None], y2[None])[0]
    assert torch.equal(a[0, :3], b[0, :3]) and not torch.equal(a[0, 3], b[0, 3])
    assert not torch.equal(a[0, :3], c[0, :3])


def test_padded_batch_equals_each_sentence_alone():
    torch.manual_seed(0)
    mha = MultiHeadAttention(512, 8).eval()
    batch = [KOREAN_TOKENS, ["개가", "잤다"]]
    padded = [words + ["<pad>"] * (4 - len(words)) for words in batch]
    x = torch.stack([bilingual_vectors(w) for w in padded])  # (B, T, D)
    mask = padding_mask([4, 2]) & causal_mask(4)  # (B, 1, T, T)
    assert mask.shape == (2, 1, 4, 4) and mask[1, 0].sum(-1).tolist() == [1, 2, 2, 2]
    with torch.no_grad():
        out, _ = mha(x, x, x, mask)
        alone, _ = mha(x[1:, :2], x[1:, :2], x[1:, :2], causal_mask(2))
    torch.testing.assert_close(out[1, :2], alone[0], atol=1e-5, rtol=1e-5)


# --- assert_causal --------------------------------------------------------------------------------


def _weights(mask):
    g = torch.Generator().manual_seed(2)
    q, k = torch.randn(2, 4, 8, generator=g), torch.randn(2, 4, 8, generator=g)
    return scaled_dot_product_attention(q, k, k, mask)[1]  # (2, T, T)


def test_assert_causal_passes_causal_weights():
    assert_causal(_weights(causal_mask(4)))
    assert_causal(_weights(causal_mask(4))[0], KOREAN_TOKENS)
    assert_causal(torch.eye(3))


def test_assert_causal_catches_a_missing_or_float_mask():
    with pytest.raises(AssertionError, match=r'position 0 \("고양이가"\) gives weight .* future'):
        assert_causal(_weights(None)[0], KOREAN_TOKENS)
    q = torch.randn(4, 8)
    leaky = F.scaled_dot_product_attention(q, q, torch.eye(4), attn_mask=causal_mask(4).float())
    with pytest.raises(AssertionError, match="future position 1"):
        assert_causal(leaky)  # the output of V = I is the weights themselves


def test_assert_causal_catches_an_inverted_mask_in_torch():
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2, batch_first=True)
    x = torch.randn(1, 4, 8)
    with torch.no_grad():
        _, w = mha(x, x, x, attn_mask=causal_mask(4), average_attn_weights=False)  # not ~mask
    with pytest.raises(AssertionError, match=r'position 3 \("3"\) are NaN'):
        assert_causal(w)


def test_assert_causal_catches_rows_that_do_not_sum_to_one():
    with pytest.raises(AssertionError, match="do not sum to 1"):
        assert_causal(0.5 * torch.eye(3))


def test_assert_causal_refuses_bad_input():
    with pytest.raises(ValueError, match=r"\(\.\.\., T, T\) tensor, got \(3, 4\)"):
        assert_causal(torch.zeros(3, 4))
    with pytest.raises(ValueError, match="got list"):
        assert_causal([[1.0]])
    with pytest.raises(ValueError, match="2 tokens for 3 positions"):
        assert_causal(torch.eye(3), ["a", "b"])


# --- plots ----------------------------------------------------------------------------------------


def test_mask_picture_marks_allowed_and_blocked_cells(draw_warnings):
    ax = plot_mask(causal_mask(4).numpy(), KOREAN_TOKENS, title="causal")
    marks = [t.get_text() for t in ax.texts]
    assert marks.count("✓") == 10 and marks.count("−∞") == 6
    assert marks[:4] == ["✓", "−∞", "−∞", "−∞"]  # row 0 sees only itself
    assert [t.get_text() for t in ax.get_yticklabels()] == KOREAN_TOKENS
    assert ax.get_title() == "causal" and ax.get_xlabel() and ax.get_ylabel()
    assert draw_warnings(ax) == []  # Hangul, ✓ and −∞ all have glyphs


def test_mask_picture_for_cross_shapes_and_long_masks():
    ax = plot_mask(np.ones((2, 5), dtype=bool), ["a", "b"], list("vwxyz"))
    assert len(ax.texts) == 10
    ax = plot_mask(causal_mask(12).numpy(), [str(i) for i in range(12)])
    assert len(ax.texts) == 0  # beyond 8 × 8: no marks


def test_mask_picture_refuses_bad_masks():
    with pytest.raises(ValueError, match="must be boolean"):
        plot_mask(np.ones((2, 2)), ["a", "b"])
    with pytest.raises(ValueError, match=r"mask \(2, 2\) does not match 3 query"):
        plot_mask(np.ones((2, 2), dtype=bool), ["a", "b", "c"])


def test_head_grid_with_other_keys(draw_warnings):
    w = _cross(aligned_cross_attention())  # (8, 4, 6)
    axes = plots.plot_head_grid(w.numpy(), KOREAN_TOKENS, key_tokens=TOKENS)
    assert [t.get_text() for t in axes[-1].get_xticklabels()] == TOKENS
    assert [t.get_text() for t in axes[0].get_yticklabels()] == KOREAN_TOKENS
    assert len(axes[0].texts) == 24  # 4 × 6 annotated
    assert draw_warnings(axes[0]) == []
    with pytest.raises(ValueError, match=r"should be \(H, T, S\) with T = 4, S = 5"):
        plots.plot_head_grid(w.numpy(), KOREAN_TOKENS, key_tokens=TOKENS[:5])


def _draw(fig: DecoderAttentionFigure, **kwargs) -> bytes:
    fig.update(*decoder_attention_view(**kwargs).figure_args())
    return fig.png()


def test_figure_moves_only_data_for_step_mask_and_head(draw_warnings):
    fig = DecoderAttentionFigure()
    first = _draw(fig)
    axes = list(fig.fig.axes)
    seen = {first}
    for kwargs in [dict(step=1), dict(step=4), dict(causal=False), dict(head=1), dict(head=5)]:
        png = _draw(fig, **kwargs)
        assert fig.fig.axes == axes  # the same sentences: no new layout
        assert png not in seen
        seen.add(png)
    assert _draw(fig) == first  # back to the default: the same pixels
    png = _draw(fig, target="개가 소파 위에 잤다 and then")
    assert fig.fig.axes == axes  # a new sentence: relabelled in place, no new layout
    assert png not in seen
    words = ["개가", "소파", "위에", "잤다", "and", "then"]
    for ticks in fig._ticks:  # self x, y; cross x, y; bars x
        shown = [t.get_text() for t in ticks.texts if t.get_visible()]
        assert shown == (TOKENS if ticks.ax is fig.ax_cross and ticks.axis == "x" else words)
    assert fig._cross_image.get_extent() == [-0.5, 5.5, 5.5, -0.5]
    assert sum(b.get_visible() for b in fig._bars) == 6
    assert sum(t.get_visible() for t in fig._self_cells) == 36
    _draw(fig, source="Pneumonoultramicroscopicsilicovolcanoconiosis")
    assert fig.fig.axes != axes  # a word wider than the room kept for it: laid out again
    assert draw_warnings(fig.fig) == []


def test_figure_marks_hidden_words_and_the_leak():
    fig = DecoderAttentionFigure()
    _draw(fig, step=2)  # 4 words: 4 of the figure's bars and marks in use, the others blank
    assert [t.get_text() for t in fig._hidden] == ["", "", "hidden", "hidden"] + [""] * (
        MAX_WORDS - 4
    )
    assert [b.get_visible() for b in fig._bars] == [True] * 4 + [False] * (MAX_WORDS - 4)
    assert [b.get_height() for b in fig._bars][2:4] == [0.0, 0.0]
    assert [t.get_text() for t in fig._self_cells[1:4]] == [
        "0",
        "0",
        "0",
    ]  # the first word's future
    assert "masked self-attention" in fig._titles[0].get_text()
    _draw(fig, step=2, causal=False)
    assert [t.get_text() for t in fig._hidden] == [""] * MAX_WORDS
    assert all(b.get_height() > 0 for b in fig._bars[:4])
    assert (
        fig._bars[3].get_facecolor()
        == fig._bars[2].get_facecolor()
        != (fig._bars[0].get_facecolor())
    )
    assert "NO mask" in fig._titles[0].get_text()
    assert fig._frames[0].get_y() == 0.5  # row 1 framed


def test_figure_refuses_what_it_cannot_draw_and_recovers_after_a_message():
    fig = DecoderAttentionFigure()
    view = decoder_attention_view()
    args = list(view.figure_args())
    with pytest.raises(ValueError, match="do not fit 4 decoder and 6 encoder words"):
        fig.update(args[0], args[1], args[2], args[3], args[4][:, :5], *args[5:])
    for step in (0, 5):  # steps count from 1: 1 … 4 for four decoder words
        args[5] = step
        with pytest.raises(ValueError, match=rf"step {step} is outside 1 … 4"):
            fig.update(*args)
    fig.show_message("nothing to draw")
    assert fig.png().startswith(b"\x89PNG")
    fig.update(*view.figure_args())  # the same sentences as before the message: laid out again
    assert len(fig.fig.axes) == 4  # three panels and one colour bar


# --- decoder_attention_view -----------------------------------------------------------------------


def test_default_view():
    view = decoder_attention_view()
    assert view.target == KOREAN_TOKENS and view.source == TOKENS
    assert (view.step, view.causal, view.head, view.message) == (3, True, 0, "")
    assert view.self_weights.shape == (4, 4) and view.cross_weights.shape == (16, 4, 6)
    assert np.array_equal(view.mask, causal_mask(4).numpy())
    assert (view.self_weights[~view.mask] == 0).all()
    assert view.cross_weights[0].argmax(-1).tolist() == TRANSLATION
    assert view.titles == cross_head_titles() + trained_head_titles()
    assert view.titles[2:BUILT_HEADS] == ["random"] * 6
    assert view.titles[0] == "aligned (match score 5)"
    assert view.caption == (
        'step 3: "위에" may attend to 고양이가, 매트, 위에 · hidden by the mask: 앉았다\n'
        'cross-attention head 1: "위에" looks most at "on" (0.97)'
    )


def test_view_without_the_mask_reports_the_leak():
    view = decoder_attention_view(step=2, causal=False)
    assert view.mask is None and (view.self_weights > 0).all()
    leaked = view.self_weights[1, 2:].sum()
    assert f"({leaked:.0%} of its attention leaks there)" in view.caption
    assert "NO MASK" in view.caption
    assert "nothing lies ahead" in decoder_attention_view(step=4, causal=False).caption
    assert "hidden" not in decoder_attention_view(step=4).caption


def test_step_and_head_are_clamped():
    assert decoder_attention_view(step=99).step == 4  # steps count from 1, as in notebook 06
    assert decoder_attention_view(step=-2).step == 1
    assert decoder_attention_view(head=99).head == 15  # 8 built and random, 8 trained
    assert decoder_attention_view(head=-1).head == 0


@pytest.mark.parametrize(("target", "source"), [("", SENTENCE), (KOREAN_SENTENCE, "  "), ("?", "")])
def test_empty_sentences_get_a_message(target, source):
    view = decoder_attention_view(target, source)
    assert view.self_weights is None and view.cross_weights is None
    assert "at least one word" in view.message
    if not target.strip("?") and not source.strip():
        assert "decoder and an encoder sentence" in view.message


def test_long_sentences_are_cut_with_a_message():
    view = decoder_attention_view(" ".join(["고양이가"] * 40), " ".join(["cat"] * 33))
    assert len(view.target) == 32 and len(view.source) == 32
    assert view.cross_weights.shape == (16, 32, 32)  # words the translator knows
    assert "decoder sentence has 40 words" in view.message
    assert "encoder sentence has 33 words" in view.message


def test_unknown_words_get_a_message_but_articles_do_not():
    assert decoder_attention_view().message == ""  # "The", "the": Korean has no articles
    view = decoder_attention_view("얼룩말이 잤다", "The zebra slept")
    assert '"얼룩말이", "zebra"' in view.message and "does not know" in view.message
    assert view.cross_weights[0, 1].argmax() == 2  # 잤다 → slept


def test_trained_heads_are_the_translators_and_say_where_it_comes_from():
    view = decoder_attention_view(step=4, head=BUILT_HEADS + 5)  # layer 2, head 2
    assert view.titles[view.head] == "2 of decoder layer 2, trained translator (notebook 08)"
    assert view.message == TRAINED_NOTE and "translator.pt" in TRAINED_NOTE
    assert (
        'head 2 of decoder layer 2, trained translator (notebook 08): "앉았다" looks most at "sat"'
        in (view.caption)
    )
    assert view.figure_args()[6] == view.titles[view.head]  # no "14:" before a trained title
    trained = trained_cross_attention(KOREAN_TOKENS, TOKENS)  # (L · H, T, S)
    np.testing.assert_allclose(view.cross_weights[BUILT_HEADS:], trained.numpy(), atol=1e-6)
    assert trained[5].argmax(-1).tolist() == [CAT, MAT, SAT, SAT]  # learned, not built
    np.testing.assert_allclose(trained.sum(-1), 1.0, atol=1e-5)
    assert decoder_attention_view(head=1).message == ""  # built heads need no note


def test_trained_heads_need_the_translators_words():
    assert trained_cross_attention(["강아지가"], TOKENS) is None  # not its word for dog
    assert trained_cross_attention(KOREAN_TOKENS, ["the", "zebra"]) is None
    view = decoder_attention_view("얼룩말이 잤다", head=BUILT_HEADS)
    assert view.head == 0 and view.cross_weights.shape[0] == BUILT_HEADS
    assert "showing head 1" in view.message


def test_mixed_scripts_and_one_word():
    view = decoder_attention_view("cat", "고양이가")
    assert view.self_weights.tolist() == [[1.0]] and view.cross_weights.shape == (8, 1, 1)


# --- decoder_attention_explorer -------------------------------------------------------------------


def _controls(box):
    (target, source), (step, causal, head), message, image = (
        box.children[0].children,
        box.children[1].children,
        box.children[2],
        box.children[3],
    )
    return target, source, step, causal, head, message, image


def test_explorer_controls():
    target, source, step, causal, head, message, image = _controls(decoder_attention_explorer())
    assert target.value == KOREAN_SENTENCE and source.value == SENTENCE
    assert (step.value, step.min, step.max) == (3, 1, 4)  # steps count from 1
    assert step.continuous_update is True  # dragging the step walks through the decoding
    assert target.continuous_update is False and source.continuous_update is False
    assert [label for label, _ in head.options][:3] == [
        "1: aligned (match score 5)",
        "2: aligned (match score 2)",
        "3: random",
    ]
    assert [label for label, _ in head.options][BUILT_HEADS] == "trained: layer 1, head 1"
    target.value = "개가 잤다"
    assert step.max == 2 and step.value == 2  # fitted to two words
    target.value = " ".join(["새가"] * 10)
    assert step.max == 10 and step.value == 2
    target.value = "잤다"
    assert step.max == 2 and step.value == 1  # one word: a slider still needs max > min
    target.value = ""
    assert "at least one word" in message.value
    target.value = KOREAN_SENTENCE
    assert message.value == ""


def test_every_control_changes_the_image():
    target, source, step, causal, head, message, image = _controls(decoder_attention_explorer())
    seen = {image.value}
    for control, value in [
        (step, 1),
        (step, 4),
        (causal, False),
        (head, 1),
        (head, BUILT_HEADS + 5),
        (source, "The dog slept on the sofa"),
        (target, "개가 소파 위에 잤다"),
    ]:
        control.value = value
        assert image.value not in seen, f"{control.description} did not change the figure"
        seen.add(image.value)


# --- exercises ------------------------------------------------------------------------------------


def _tril(n):
    return np.tril(np.ones((n, n), dtype=bool))


def _softmax(s):
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _masked_softmax(scores, mask):
    z = np.where(mask, scores, -np.inf)
    top = np.where(mask.any(-1, keepdims=True), z.max(-1, keepdims=True), 0.0)
    e = np.where(mask, np.exp(z - top), 0.0)
    total = e.sum(-1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def _cross_attention(y, x, w_q, w_k, w_v, scale=True):
    q, k, v = y @ w_q, x @ w_k, x @ w_v
    w = _softmax(q @ k.T / (np.sqrt(q.shape[-1]) if scale else 1.0))
    return w @ v, w


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (_tril, "✓ Right: np.tril"),
        (lambda n: torch.ones(n, n, dtype=torch.bool).tril(), "✓ Right"),
        (lambda n: ~_tril(n), "is inverted"),
        (lambda n: np.tril(np.ones((n, n))), "has dtype float64"),
        (lambda n: np.tril(_tril(n), -1), "leaves out the diagonal"),
        (lambda n: _tril(n).T, "is transposed"),
        (lambda n: np.ones((n, n), dtype=bool), "allows everything"),
        (lambda n: _tril(n + 1), "the shape is (5, 5)"),
        (lambda n: None, "returned None"),
    ],
)
def test_check_causal_mask(capsys, fn, expected):
    check_causal_mask(fn)
    assert expected in capsys.readouterr().out


def _naive_masked_softmax(scores, mask):
    z = np.where(mask, scores, -np.inf)
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (_masked_softmax, "✓ Right"),
        (_naive_masked_softmax, "gives NaN for the row with no allowed key"),
        (lambda s, m: _masked_softmax(s, ~m), "keeps the blocked keys"),
        (lambda s, m: _softmax(np.where(m, s, 0.0)), "exp(0) = 1"),
        (lambda s, m: _softmax(s) * m, "no longer sum to 1"),
        (lambda s, m: _softmax(s), "ignores the mask"),
        (lambda s, m: _softmax(np.where(m, s, -1e9)), "right except for the row with no"),
        (lambda s, m: np.where(m, s, np.nan), "nan or inf"),
        (lambda s, m: s, "must be exactly 0"),
        (lambda s, m: np.tril(_softmax(s)) * 0.5, "gave"),
        (lambda s, m: s[:1], "the shape is"),
    ],
)
def test_check_masked_softmax(capsys, fn, expected):
    check_masked_softmax(fn)
    assert expected in capsys.readouterr().out


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (_cross_attention, "✓ Right: 4 Korean queries"),
        (lambda y, x, *w: _cross_attention(x, y, *w), "takes the queries from X"),
        (lambda *a: _cross_attention(*a, scale=False), "without the scaling"),
        (lambda *a: _cross_attention(*a)[::-1], "the shape is"),
        (lambda *a: (_cross_attention(*a)[0] * 2, _cross_attention(*a)[1]), "its output is not"),
        (lambda *a: _cross_attention(*a)[1], "should return two things"),
    ],
)
def test_check_cross_attention(capsys, fn, expected):
    check_cross_attention(fn)
    assert expected in capsys.readouterr().out
