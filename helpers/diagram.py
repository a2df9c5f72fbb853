"""The architecture map: one drawing of the whole encoder–decoder, with a notebook's part
highlighted. Every notebook shows it near its top (figures/map_NN.png, made by
`python -m helpers.maintainer.maps`), labelled in English and with the book's Korean names.

    architecture_map({"masked", "cross"})   # notebook 05: masked self-attention, cross-attention
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from helpers.plots import ACCENT

__all__ = ["PARTS", "Box", "architecture_map"]

INK, QUIET, HIGHLIGHT = "#333333", "#f2f2f2", "#fde2cf"  # text, a box, a highlighted box


@dataclass(frozen=True)
class Box:
    """One part of the map: its name (`key`), its label and its place (centre x, y; width)."""

    key: str
    label: str
    x: float
    y: float
    width: float = 3.6


def _inputs(x: float, keys: tuple[str, str], what: str) -> tuple[Box, Box]:
    """A column's embedding and positional encoding, at the bottom."""
    return Box(keys[0], f"{what} embedding · 임베딩", x, 1.4), Box(
        keys[1], "+ positional encoding · 위치 인코딩", x, 2.3
    )


def _sublayers(x: float, sublayers: tuple[tuple[str, str, float], ...], norm: str) -> list[Box]:
    """A block's sub-layers bottom to top, each followed by its Add & Norm, 1.1 apart."""
    boxes = []
    for i, (key, label, width) in enumerate(sublayers):
        y = 3.9 + 2.2 * i
        boxes.append(Box(key, label, x, y, width))
        names = "Add & Norm · 잔차 연결 · 층 정규화" if i == 0 and x < 5 else "Add & Norm"
        boxes.append(Box(norm, names, x, y + 1.1))
    return boxes


# The parts, bottom to top; x 2.5 is the encoder's column, 7.5 the decoder's.
ENCODER_SUBLAYERS = (
    ("self_attention", "multi-head self-attention · 멀티 헤드 어텐션", 3.6),
    ("encoder_ffn", "feed-forward · 피드포워드 네트워크", 3.6),
)
DECODER_SUBLAYERS = (
    ("masked", "masked multi-head self-attention · 마스크된 멀티 헤드 어텐션", 4.2),
    ("cross", "cross-attention · 인코더-디코더 어텐션", 3.6),
    ("decoder_ffn", "feed-forward · 피드포워드 네트워크", 3.6),
)
PARTS = (
    *_inputs(2.5, ("embedding", "positional"), "input"),
    *_sublayers(2.5, ENCODER_SUBLAYERS, "encoder_add_norm"),
    *_inputs(7.5, ("target_embedding", "target_positional"), "output"),
    *_sublayers(7.5, DECODER_SUBLAYERS, "decoder_add_norm"),
    Box("output", "linear · 선형 → softmax · 소프트맥스", 7.5, 10.8),
)
STACKS = {
    "encoder": (2.5, 3.3, 7.8, "N × encoder block · 인코더"),
    "decoder": (7.5, 3.3, 10.0, "N × decoder block · 디코더"),
}


def _box(ax: object, box: Box, lit: bool) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (box.x - box.width / 2, box.y - 0.3),
            box.width,
            0.6,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=HIGHLIGHT if lit else QUIET,
            edgecolor=ACCENT if lit else "#bbbbbb",
            linewidth=2.0 if lit else 0.8,
        )
    )
    ax.text(box.x, box.y, box.label, ha="center", va="center", fontsize=8, color=INK)


def _stack(ax: object, key: str, lit: bool) -> None:
    x, bottom, top, label = STACKS[key]
    ax.add_patch(
        FancyBboxPatch(
            (x - 2.35, bottom),
            4.7,
            top - bottom,
            boxstyle="round,pad=0.02,rounding_size=0.25",
            facecolor="none",
            edgecolor=ACCENT if lit else "#999999",
            linewidth=2.0 if lit else 1.0,
            linestyle="-" if lit else "--",
        )
    )
    ax.text(x - 2.25, top - 0.22, label, fontsize=8, style="italic", color=INK, va="center")


def _arrow(ax: object, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.add_patch(
        FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, color="#777777", lw=1.0)
    )


def architecture_map(highlight: Collection[str] = (), title: str = "") -> Figure:
    """The encoder–decoder (the book's figure of the whole Transformer) with `highlight` lit.

    highlight: keys of `PARTS` ("embedding", "positional", "self_attention", "encoder_add_norm",
    "encoder_ffn", "target_embedding", "target_positional", "masked", "cross",
    "decoder_add_norm", "decoder_ffn", "output") and of the
    stacks ("encoder", "decoder"), or "memory" for the arrow the encoder's output takes to every
    decoder block's cross-attention.
    """
    unknown = set(highlight) - {b.key for b in PARTS} - set(STACKS) - {"memory"}
    if unknown:
        raise ValueError(f"unknown parts {sorted(unknown)}: see helpers.diagram.PARTS")
    fig = Figure(figsize=(8.2, 6.4), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10)
    ax.set_ylim(0.2, 12.4)
    ax.axis("off")
    for key in STACKS:
        _stack(ax, key, key in highlight)
    for box in PARTS:
        _box(ax, box, box.key in highlight)
    for x in (2.5, 7.5):
        _arrow(ax, (x, 0.55), (x, 1.1))
        for low, high in ((2.6, 3.6), (4.2, 4.7), (5.3, 5.8), (6.4, 6.9)):
            _arrow(ax, (x, low), (x, high))
    for low, high in ((7.5, 8.0), (8.6, 9.1), (9.7, 10.5)):
        _arrow(ax, (7.5, low), (7.5, high))
    memory = "memory" in highlight
    ax.add_patch(
        FancyArrowPatch(
            (2.5, 7.8),
            (5.4, 6.1),
            connectionstyle="arc3,rad=-0.3",
            arrowstyle="-|>",
            mutation_scale=12,
            color=ACCENT if memory else "#777777",
            lw=2.2 if memory else 1.0,
        )
    )
    ax.text(0.3, 8.55, "memory: the encoder's output,\nread by every decoder block", fontsize=7.5)
    ax.text(2.5, 0.4, "source words: The cat sat on the mat.", ha="center", fontsize=8)
    ax.text(7.5, 0.4, "target so far (shifted right): <bos> 고양이가 …", ha="center", fontsize=8)
    ax.text(7.5, 11.6, "the next word's probabilities · 다음 단어의 확률", ha="center", fontsize=8)
    _arrow(ax, (7.5, 11.1), (7.5, 11.45))
    if title:
        ax.text(0.2, 12.1, title, fontsize=11, color=INK)
    return fig
