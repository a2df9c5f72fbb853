"""Notebook 07's training: the schedule, one step, evaluation, checkpoints, and the script that made
the committed checkpoint (reproduced over its first steps; the full run is `make bench`'s job)."""

from dataclasses import asdict, replace

import pytest
import torch

from helpers.nb07_train_a_tiny_transformer.reversal import (
    PAD,
    batch_from_digits,
    held_out_set,
    random_batch,
)
from helpers.nb07_train_a_tiny_transformer.reverser import (
    CHECKPOINT,
    PROBE_LENGTH,
    TrainConfig,
    build_model,
    load_checkpoint,
    main,
    train,
    trained_model,
)
from helpers.training import (
    cross_attention,
    exact_matches,
    learning_rate,
    make_optimizer,
    one_thread,
    save_checkpoint,
    sequence_accuracy,
    train_step,
)


def test_learning_rate_warms_up_then_decays_to_a_twentieth():
    c = TrainConfig(lr=1e-3, warmup=10, steps=110)
    assert learning_rate(0, c) == pytest.approx(1e-4)
    assert learning_rate(9, c) == pytest.approx(1e-3)
    assert learning_rate(10, c) == pytest.approx(1e-3)
    assert learning_rate(60, c) == pytest.approx(1e-3 * (0.05 + 0.95 * 0.5))
    assert learning_rate(110, c) == pytest.approx(5e-5)
    rates = [learning_rate(s, c) for s in range(10, 111)]
    assert rates == sorted(rates, reverse=True)


def test_build_model_is_seeded_and_scales_embeddings():
    a, b = build_model(TrainConfig()), build_model(TrainConfig())
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert a.src_embed.weight.std().item() == pytest.approx(64**-0.5, rel=0.1)
    torch_default = build_model(TrainConfig(small_embeddings=False))
    assert torch_default.src_embed.weight.std().item() == pytest.approx(1.0, rel=0.1)
    pre = build_model(TrainConfig(norm_first=True))
    assert pre.encoder.layers[0].norm_first and isinstance(pre.encoder.norm, torch.nn.LayerNorm)


def test_train_step_lowers_the_loss_of_a_batch_and_ignores_padding():
    config = TrainConfig()
    model = build_model(config)
    optimizer = make_optimizer(model, config)
    batch = random_batch(32, torch.Generator().manual_seed(0), same_length=False)
    assert (batch.tgt_out == PAD).any()  # the padding is there, and must not count
    with one_thread():  # as `train` does: on a busy machine two threads are 10× slower
        losses = [train_step(model, optimizer, batch) for _ in range(15)]
    assert losses[-1] < 0.8 * losses[0]


def test_one_thread_restores_the_thread_count():
    before = torch.get_num_threads()
    with one_thread():
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_committed_checkpoint_reverses_held_out_sequences():
    model, record = load_checkpoint()
    assert record["config"] == asdict(TrainConfig()), "the notebook trains with the defaults"
    held_out = held_out_set()
    greedy = exact_matches(model, held_out.batch)
    assert greedy.float().mean() >= 0.99
    # The teacher-forced shortcut gives the same verdict, sequence by sequence.
    assert torch.equal(greedy, exact_matches(model, held_out.batch, greedy=False))
    assert CHECKPOINT.stat().st_size < 500_000


def test_shortcut_equals_greedy_also_for_an_untrained_model():
    model = build_model(TrainConfig())
    batch = held_out_set(200).batch
    assert torch.equal(exact_matches(model, batch), exact_matches(model, batch, greedy=False))
    assert sequence_accuracy(model, batch) == 0.0


def test_exact_matches_needs_eos_in_its_place():
    model = trained_model()
    batch = batch_from_digits([[3, 1, 4, 1, 5]])
    assert exact_matches(model, batch).tolist() == [True]
    wrong = replace(batch, tgt_out=batch.tgt_out.roll(1, dims=1))
    assert exact_matches(model, wrong).tolist() == [False]


def test_cross_attention_is_a_distribution_over_the_source():
    batch = batch_from_digits([[1, 2, 3], [4, 5, 6, 7, 8]])
    w = cross_attention(trained_model(), batch)  # (B, T, S)
    assert w.shape == (2, 6, 6)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 6))
    assert (w[0, :, 4:] == 0).all(), "the padding of the first source gets no attention"


def test_train_records_curves_and_snapshots():
    config = TrainConfig(steps=6, warmup=2)
    result = train(config, held_out_set(50), eval_every=3, snapshot_steps=(0, 6))
    assert len(result.loss) == 6 and result.eval_steps == [0, 3, 6]
    assert len(result.accuracy) == 3 and all(0 <= a <= 1 for a in result.accuracy)
    assert result.snapshot_steps == [0, 6]
    assert [s.shape for s in result.snapshots] == [(PROBE_LENGTH + 1, PROBE_LENGTH + 1)] * 2
    assert not result.model.training


def test_checkpoint_round_trip(tmp_path):
    result = train(TrainConfig(steps=2, warmup=1, task="sort"), held_out_set(20, task="sort"))
    path = save_checkpoint(result, tmp_path / "x.pt")
    model, record = load_checkpoint(path)
    assert record["config"]["task"] == "sort" and len(record["loss"]) == 2
    for (name, theirs), ours in zip(
        result.model.state_dict().items(), model.state_dict().values(), strict=True
    ):
        torch.testing.assert_close(ours, theirs.half().float(), msg=name)


def test_the_script_reproduces_the_committed_checkpoint_s_first_steps(first_steps, capsys):
    """`python -m helpers.nb07_train_a_tiny_transformer.reverser` with the committed config: its
    first 60 steps (still in the warm-up, so the same learning rates as the full run) give the
    committed loss curve."""
    _, committed = load_checkpoint()
    first_steps(main, load_checkpoint, committed)
    out = capsys.readouterr()
    assert "held-out exact-sequence accuracy" in out.out
    assert "step 60/60" in out.err  # the progress bar
