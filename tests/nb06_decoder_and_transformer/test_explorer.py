"""Notebook 06's figures and its decoding stepper, without a browser: what each control computes,
and that the figure it drives changes."""

import numpy as np
import pytest

from helpers.nb06_decoder_and_transformer.data import SOURCE_VOCAB, TARGET_VOCAB
from helpers.nb06_decoder_and_transformer.explorer import (
    DECODE_STEPS,
    TRANSLATOR_NOTE,
    decoding_stepper,
    decoding_view,
)
from helpers.nb06_decoder_and_transformer.figures import (
    DecodingFigure,
    plot_next_token,
    plot_step_distributions,
)
from helpers.translator import shipped_translator

VOCAB = TARGET_VOCAB.tokens

# --- plot functions -------------------------------------------------------------------------------


def test_next_token_bars_highlight_the_choice(draw_warnings):
    probs = np.linspace(1, 2, len(VOCAB))
    probs /= probs.sum()
    ax = plot_next_token(probs, VOCAB, chosen=3, title="t")
    bars = ax.containers[0]
    assert [b.get_height() for b in bars] == pytest.approx(probs)
    colours = {
        i for i, b in enumerate(bars) if b.get_facecolor()[:3] != bars[0].get_facecolor()[:3]
    }
    assert colours == {3}
    assert [t.get_text() for t in ax.get_xticklabels()] == VOCAB
    assert draw_warnings(ax.figure) == []  # Hangul renders
    with pytest.raises(ValueError, match="vocabulary of 11"):
        plot_next_token(probs[:3], VOCAB)


def test_step_distributions_frame_each_choice(draw_warnings):
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(len(VOCAB)), size=3)  # (N, V)
    tokens = [1, 3, 4, 5]
    ax = plot_step_distributions(probs, VOCAB, tokens)
    assert ax.images[0].get_array().shape == (3, len(VOCAB))
    frames = [(p.get_x(), p.get_y()) for p in ax.patches]
    assert frames == [(2.5, -0.5), (3.5, 0.5), (4.5, 1.5)]
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "1: <bos> →"
    assert draw_warnings(ax.figure) == []
    with pytest.raises(ValueError, match="one more entry"):
        plot_step_distributions(probs, VOCAB, tokens[:3])


# --- the pure view --------------------------------------------------------------------------------


def test_view_of_each_step_is_a_prefix_of_greedy_decoding():
    views = [decoding_view(step) for step in range(DECODE_STEPS + 1)]
    assert views[0].probs is None and views[0].targets == ["<bos>"]
    assert np.isnan(views[0].attention).all()
    last = views[-1]
    assert last.finished and "finished" in last.caption
    for step, view in enumerate(views[1:], start=1):
        assert view.targets == last.targets[: step + 1]
        assert view.chosen == TARGET_VOCAB.tokens.index(view.targets[-1])
        assert view.chosen == int(np.argmax(view.probs))  # greedy: the argmax
        assert view.probs.sum() == pytest.approx(1.0)
        assert not np.isnan(view.attention[:step]).any() and np.isnan(view.attention[step:]).all()
        np.testing.assert_allclose(view.attention[:step].sum(-1), 1.0, atol=1e-5)
    assert views[0].source == SOURCE_VOCAB.decode(SOURCE_VOCAB.encode("The cat sat on the mat")[0])


def test_temperature_and_top_k_reshape_the_bars_but_not_the_greedy_choice():
    plain = decoding_view(2)
    hot, top3 = decoding_view(2, temperature=10.0), decoding_view(2, top_k=3)
    assert hot.chosen == top3.chosen == plain.chosen
    assert hot.probs.max() < plain.probs.max()  # flatter
    assert np.count_nonzero(top3.probs) == 3
    assert decoding_view(2, top_k=0).probs == pytest.approx(plain.probs)  # 0: every token


def test_sampling_is_seeded_and_reproducible():
    a = decoding_view(DECODE_STEPS, 1.0, None, sample=True)
    b = decoding_view(DECODE_STEPS, 1.0, None, sample=True)
    assert a.targets == b.targets
    assert a.targets != decoding_view(DECODE_STEPS).targets  # not the greedy run
    assert "sampled (τ = 1, top-k all)" in a.caption
    one = decoding_view(DECODE_STEPS, 1.0, 1, sample=True)  # top-1 sampling = greedy
    assert one.targets == decoding_view(DECODE_STEPS).targets


def test_out_of_range_steps_and_bad_settings_get_a_message():
    view = decoding_view(99)
    assert view.step == DECODE_STEPS and "showing step 8" in view.message
    assert decoding_view(-3).step == 0
    bad = decoding_view(1, temperature=0.0)
    assert bad.probs is None and "temperature must be greater than 0" in bad.message
    assert "top_k" in decoding_view(1, top_k=-2).message
    with pytest.raises(ValueError, match="model must be one of"):
        decoding_view(1, model="gpt")


def test_the_trained_translator_writes_the_korean_sentence_step_by_step():
    views = [decoding_view(step, model="translator") for step in range(DECODE_STEPS + 1)]
    last = views[-1]
    assert last.targets == ["<bos>", "고양이가", "매트", "위에", "앉았다", "<eos>"]
    assert last.step == 5 and last.finished and "finished (<eos>)" in last.caption
    assert last.vocab == list(shipped_translator().korean.tokens)  # its own 61 tokens
    assert last.source == ["the", "cat", "sat", "on", "the", "mat"]
    for step, view in enumerate(views[1:6], start=1):
        assert view.targets == last.targets[: step + 1]
        assert view.probs[view.chosen] > 0.9  # trained: sure of every word
        assert view.message == TRANSLATOR_NOTE
    assert "translator.pt" in TRANSLATOR_NOTE and "notebook 08" in TRANSLATOR_NOTE
    config = shipped_translator().record["config"]  # the note's sizes are the checkpoint's
    assert f"d_model {config['d_model']}, {config['n_layers']} + {config['n_layers']}" in (
        TRANSLATOR_NOTE
    )
    assert views[4].attention[3].argmax() == 2  # 앉았다 looks back at "sat"
    assert decoding_view(1).message == ""  # the demo needs no note


# --- the live figure and the widget ---------------------------------------------------------------


def test_switching_models_back_and_forth_keeps_each_layout(monkeypatch):
    """Each model's vocabulary gets its layout once; switching back moves data only (the same
    axes, the same pixels), and a message in between does not spoil a kept layout."""
    fig = DecodingFigure()
    fig.update(*decoding_view(2).figure_args())
    demo_axes, demo_png = list(fig.fig.axes), fig.png()
    fig.update(*decoding_view(2, model="translator").figure_args())
    translator_axes, translator_png = list(fig.fig.axes), fig.png()
    assert translator_axes != demo_axes
    builds = []
    monkeypatch.setattr(DecodingFigure, "_build", lambda *args: builds.append(args))
    for _ in range(2):
        fig.update(*decoding_view(2).figure_args())
        assert (fig.fig.axes, fig.png()) == (demo_axes, demo_png)
        fig.update(*decoding_view(2, model="translator").figure_args())
        assert (fig.fig.axes, fig.png()) == (translator_axes, translator_png)
    assert builds == []  # no layout made again
    monkeypatch.undo()
    fig.show_message("nothing to draw")
    fig.update(*decoding_view(2).figure_args())
    assert fig.fig.axes == demo_axes and fig.png() == demo_png  # the other layout, still kept
    fig.update(*decoding_view(2, model="translator").figure_args())  # its own: laid out again
    assert fig.png() == translator_png


def test_decoding_figure_updates_in_place_and_returns_to_the_same_pixels(draw_warnings):
    fig = DecodingFigure()
    fig.update(*decoding_view(1).figure_args())
    axes, first = list(fig.fig.axes), fig.png()
    assert first.startswith(b"\x89PNG")
    fig.update(*decoding_view(5).figure_args())
    assert fig.fig.axes == axes  # same layout, only data moved
    assert fig.png() != first
    fig.update(*decoding_view(1).figure_args())
    assert fig.png() == first
    assert draw_warnings(fig.fig) == []
    with pytest.raises(ValueError, match="does not fit"):
        fig.update(VOCAB, ["a"], ["<bos>"], None, None, np.zeros((8, 6)))


def test_every_control_of_the_stepper_changes_the_figure_in_the_browser_order(controls):
    """The browser test's order: dropdowns, then the slider to its end, then the buttons."""
    parts = controls(decoding_stepper())
    images = [parts["image"].value]

    def changed() -> bool:
        images.append(parts["image"].value)
        return images[-1] != images[-2]

    parts["decoding"].value = True  # sample
    assert changed()
    parts["top-k"].value = 5
    assert changed()
    assert parts["temperature τ"].continuous_update is True  # the bars reshape as you drag
    parts["temperature τ"].value = 10.0
    assert changed()
    parts["next ▶"].click()
    assert changed()
    parts["reset"].click()
    assert changed()
    parts["model"].value = "translator"
    assert changed() and "translator.pt" in parts["message"].value


def test_next_with_the_trained_translator_writes_the_translation(controls):
    parts = controls(decoding_stepper(step=0))
    parts["model"].value = "translator"
    for _ in range(5):
        parts["next ▶"].click()
    assert parts["next ▶"].description == "start over ▶"  # <eos> after 앉았다


def test_next_steps_to_the_end_then_starts_over(controls):
    parts = controls(decoding_stepper(step=0))
    next_button, image = parts["next ▶"], parts["image"]
    seen = [image.value]
    for _ in range(DECODE_STEPS):
        next_button.click()
        seen.append(image.value)
    assert len(set(seen)) == DECODE_STEPS + 1  # every step draws something new
    assert next_button.description == "start over ▶"
    next_button.click()
    assert image.value == seen[0] and next_button.description == "next ▶"
