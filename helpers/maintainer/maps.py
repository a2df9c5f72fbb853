"""Maintainer tool: draw the architecture map of every notebook into figures/map_NN.png.

    python -m helpers.maintainer.maps     # what `make notebooks` and `make figures` run

Each notebook shows its map near its top, in its Learning goals (a Markdown image), with the
notebook's part highlighted (`helpers.diagram.architecture_map`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from helpers.diagram import PARTS, STACKS, architecture_map
from helpers.plots import FIGURES_DIR, use_style

__all__ = ["MAPS", "main", "map_path"]

EVERYTHING = {b.key for b in PARTS} | set(STACKS) | {"memory"}
ENCODER = {"embedding", "positional", "self_attention", "encoder_add_norm", "encoder_ffn"}
# notebook number -> (what it highlights, the map's title)
MAPS: dict[str, tuple[set[str], str]] = {
    "01": ({"self_attention"}, "01 · self-attention"),
    "02": ({"self_attention", "masked", "cross"}, "02 · multi-head attention (in all three)"),
    "03": ({"positional", "target_positional"}, "03 · positional encoding"),
    "04": ({"encoder_ffn", "encoder_add_norm", "encoder"}, "04 · feed-forward, Add & Norm"),
    "05": ({"masked", "cross", "memory"}, "05 · masked self-attention, cross-attention"),
    "06": ({"decoder", "decoder_ffn", "decoder_add_norm", "output"}, "06 · the decoder's output"),
    "07": (EVERYTHING, "07 · the whole model, trained"),
    "08": ({"cross", "memory", "output"}, "08 · a trained translator"),
    "09": (ENCODER | {"encoder"}, "09 · BERT: the encoder alone"),
}


def map_path(number: str) -> Path:
    """Where notebook `number`'s map is written (figures/map_NN.png)."""
    return FIGURES_DIR / f"map_{number}.png"


def main() -> int:
    use_style()  # Hangul labels
    for number, (highlight, title) in MAPS.items():
        fig = architecture_map(highlight, title)
        fig.savefig(map_path(number), metadata={"Software": None})
        print(f"wrote {map_path(number).relative_to(FIGURES_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
