"""The anchor of notebook 07's speed figure (helpers.maintainer.anchor): a tutorial
nn.Transformer set-up, copied into a helpers.Transformer for decoding, and the time-to-accuracy
loop."""

import torch

from helpers.maintainer import anchor as anchor_module
from helpers.maintainer.anchor import TARGET_ACCURACY, TutorialTransformer, time_to_accuracy
from helpers.nb07_train_a_tiny_transformer.reversal import PAD, batch_from_digits, random_batch
from helpers.training import exact_matches, one_thread


def test_tutorial_transformer_equals_its_helpers_copy_in_eval_mode():
    anchor = TutorialTransformer(d_model=32, n_heads=4, d_ff=64, n_layers=2).eval()
    batch = batch_from_digits([[1, 2, 3], [4, 5, 6, 7, 8]])
    ours = anchor.to_helpers()
    real = batch.tgt_out != PAD  # the anchor masks padded decoder keys too (as the tutorial)
    with torch.no_grad():
        torch.testing.assert_close(
            ours(batch.src, batch.tgt_in)[real],
            anchor(batch.src, batch.tgt_in)[real],
            atol=1e-5,
            rtol=1e-4,
        )
    assert exact_matches(ours, batch).shape == (2,)


def test_the_anchor_is_the_tutorial_s_set_up():
    anchor = TutorialTransformer()
    layer = anchor.transformer.encoder.layers[0]
    assert (anchor.d_model, layer.self_attn.num_heads, layer.linear1.out_features) == (512, 8, 512)
    assert len(anchor.transformer.encoder.layers) == len(anchor.transformer.decoder.layers) == 3
    assert layer.dropout.p == 0.1
    # xavier_uniform_ on every matrix, the embeddings included: U(±√(6 / (V + D))), not N(0, 1)
    bound = (6 / sum(anchor.src_embed.weight.shape)) ** 0.5
    assert anchor.src_embed.weight.abs().max() <= bound
    assert anchor.src_embed.weight.abs().max() > 0.9 * bound


def test_dropout_is_on_in_training_only():
    anchor = TutorialTransformer(d_model=32, n_heads=4, d_ff=64, n_layers=1)
    batch = batch_from_digits([[1, 2, 3, 4, 5]])
    with torch.no_grad():
        assert not torch.equal(anchor(batch.src, batch.tgt_in), anchor(batch.src, batch.tgt_in))
        anchor.eval()
        assert torch.equal(anchor(batch.src, batch.tgt_in), anchor(batch.src, batch.tgt_in))


def test_time_to_accuracy_stops_at_the_target_or_the_budget(monkeypatch):
    monkeypatch.setattr(anchor_module, "CHECK_EVERY_S", 0.0)  # evaluate after every step
    anchor = TutorialTransformer(d_model=16, n_heads=2, d_ff=32, n_layers=1)
    optimizer = torch.optim.Adam(anchor.parameters(), lr=1e-4)
    g = torch.Generator().manual_seed(0)
    scores = iter([0.5, 0.9, TARGET_ACCURACY, 0.0])
    with one_thread():
        seconds, steps, accuracy = time_to_accuracy(
            anchor, optimizer, lambda: random_batch(8, g), lambda: next(scores), budget_s=60.0
        )
        assert seconds is not None and seconds > 0 and steps == 3
        assert accuracy == TARGET_ACCURACY
        missed = time_to_accuracy(
            anchor, optimizer, lambda: random_batch(8, g), lambda: 0.0, budget_s=0.0
        )
    assert missed == (None, 0, 0.0)
