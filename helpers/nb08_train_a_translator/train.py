"""Train the English → Korean translator with notebook 07's recipe, and ship its checkpoint.

    python -m helpers.nb08_train_a_translator.train            # the shipped translator.pt
    python -m helpers.nb08_train_a_translator.train --steps 60 --out /tmp/x.pt

The recipe is `helpers.training`'s (warm-up + cosine AdamW, embeddings N(0, 1/d_model), one
thread); only the data differ: batches from `data.batch_sampler`, held-out frames never trained on.
The checkpoint stores the config, the data seed, both vocabularies, the loss of every step and
the held-out accuracy history, so a test can check that this script reproduces it.
Taught in 08_train_a_translator.ipynb.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from helpers.nb08_train_a_translator.data import (
    ENGLISH_VOCAB,
    KOREAN_VOCAB,
    batch_sampler,
    held_out_batch,
    make_split,
)
from helpers.training import (
    TrainConfig,
    TrainResult,
    build_model,
    config_from_argv,
    load_model,
    save_checkpoint,
    text_progress,
    train,
)
from helpers.transformer import Transformer

__all__ = [
    "CHECKPOINT",
    "CONFIG",
    "POSITIONS",
    "build_translator",
    "load_translator",
    "save_translator",
    "train_translator",
    "translator",
]

CHECKPOINT = Path(__file__).resolve().parent / "translator.pt"
POSITIONS = 32  # the positional table: room for inputs longer than any seen in training (11 words)
CONFIG = TrainConfig(
    d_model=64, n_heads=4, d_ff=128, n_layers=2, steps=400, batch_size=64, lr=3e-3, warmup=100
)
SPLIT_SEED = 0


def build_translator(config: TrainConfig = CONFIG) -> Transformer:
    """A fresh, seeded Transformer for the translator's vocabularies (`helpers.training` recipe)."""
    return build_model(config, len(ENGLISH_VOCAB), len(KOREAN_VOCAB), max_len=POSITIONS)


def train_translator(
    config: TrainConfig = CONFIG,
    eval_every: int = 50,
    progress: Callable[[int, float], None] | None = None,
    split_seed: int = SPLIT_SEED,
) -> TrainResult:
    """Train a fresh translator; held-out accuracy (teacher-forced shortcut, = greedy, see
    `helpers.training.exact_matches`) every `eval_every` steps. Returns a `TrainResult`.

    Taught in 08_train_a_translator.ipynb.
    """
    split = make_split(split_seed)
    model = build_translator(config)
    return train(
        config, model, batch_sampler(split), held_out_batch(split), eval_every, progress=progress
    )


def save_translator(
    result: TrainResult, path: Path = CHECKPOINT, split_seed: int = SPLIT_SEED
) -> Path:
    """Save the weights (float16), the config, the curves, the split's seed and the vocabularies."""
    return save_checkpoint(
        result,
        path,
        split_seed=split_seed,
        english_vocab=ENGLISH_VOCAB.tokens,
        korean_vocab=KOREAN_VOCAB.tokens,
    )


def load_translator(path: Path = CHECKPOINT) -> tuple[Transformer, dict]:
    """The model of a checkpoint (float32, eval mode) and its record (config, vocabularies, curves).

    Raises ValueError when the checkpoint was made for other vocabularies than the grammar's.
    """

    def build(record: dict) -> Transformer:
        vocabs = (record["english_vocab"], record["korean_vocab"])
        if vocabs != (ENGLISH_VOCAB.tokens, KOREAN_VOCAB.tokens):
            raise ValueError(
                f"{path} was trained on other vocabularies: retrain it (see {__name__})"
            )
        return build_translator(TrainConfig(**record["config"]))

    return load_model(path, build)


@lru_cache(maxsize=1)
def translator() -> Transformer:
    """The shipped checkpoint's model, loaded once (shared: do not train it further)."""
    return load_translator()[0]


def main(argv: list[str] | None = None) -> int:
    config, out = config_from_argv(CONFIG, CHECKPOINT, __doc__, argv)
    result = train_translator(config, progress=text_progress(config.steps))
    path = save_translator(result, out)
    print(
        f"held-out exact-sentence accuracy: {result.accuracy[-1]:.4f}; "
        f"{result.seconds:.1f} s of training; saved {path} ({path.stat().st_size // 1024} kB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
