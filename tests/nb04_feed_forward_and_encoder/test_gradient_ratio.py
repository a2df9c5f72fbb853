"""The gradient-ratio panel of notebook 04 shows the ratios its prose quotes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from helpers.nb04_feed_forward_and_encoder import experiment, gradient_ratio  # noqa: E402

CONFIGS = [
    (False, False, False),
    (True, False, False),
    (False, True, False),
    (True, True, False),
    (True, True, True),
]


def test_ratios_are_relative_to_the_last_block():
    stats = experiment.depth_statistics(6)
    ratios = gradient_ratio.gradient_ratios(stats)
    assert ratios.shape == (6,) and ratios[-1] == 1.0
    np.testing.assert_allclose(ratios * stats.param_grad[-1], stats.param_grad)


def test_panel_has_one_distinct_colour_per_stack_and_the_quoted_ratios():
    runs = [experiment.depth_statistics(24, *flags) for flags in CONFIGS]
    fig = gradient_ratio.plot_gradient_ratios(runs)
    assert len(fig.axes) == 2
    for ax in fig.axes:
        lines = [line for line in ax.get_lines() if line.get_label() in {r.label for r in runs}]
        assert len(lines) == 5 and len({line.get_color() for line in lines}) == 5
    first = [gradient_ratio.gradient_ratios(r)[0] for r in runs]
    assert first[0] < 1e-20  # no residual, no LayerNorm: vanishing (the prose: about 1e-25)
    assert 1 / 1.5 < first[3] < 1.5  # post-norm: within a factor 1.5
    assert 1.4 <= round(first[4], 1) <= 2.3  # pre-norm: 1.4 to 2.3 times
    plt.close(fig)
