"""Scaled dot-product attention, masks and multi-head attention.

Mask convention everywhere in `helpers`: a boolean tensor, **True = may attend**, the convention of
`torch.nn.functional.scaled_dot_product_attention`. (`torch.nn.MultiheadAttention` and the
`nn.Transformer*` layers use the opposite: True = blocked.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

__all__ = [
    "MultiHeadAttention",
    "assert_causal",
    "causal_mask",
    "padding_mask",
    "scaled_dot_product_attention",
]


def _shape(t: Tensor) -> tuple[int, ...]:
    return tuple(t.shape)


def _check_mask(mask: Tensor, target: tuple[int, ...], target_name: str) -> None:
    """Refuse a mask that is not boolean or does not broadcast to `target`."""
    if not isinstance(mask, Tensor):
        raise ValueError(
            f"mask must be a torch.Tensor of dtype torch.bool, got {type(mask).__name__}"
        )
    if mask.dtype != torch.bool:
        raise ValueError(
            f"mask must have dtype torch.bool (True = may attend), got {mask.dtype}; "
            "convert it with `mask.bool()` or build it with `causal_mask` / `padding_mask`"
        )
    try:
        torch.broadcast_shapes(_shape(mask), target)
    except RuntimeError:
        raise ValueError(
            f"mask of shape {_shape(mask)} does not broadcast to {target_name} {target}"
        ) from None
    if len(torch.broadcast_shapes(_shape(mask), target)) != len(target):
        raise ValueError(
            f"mask of shape {_shape(mask)} has more dimensions than {target_name} {target}"
        )


def scaled_dot_product_attention(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    mask: Tensor | None = None,
    scale: float | None = None,
) -> tuple[Tensor, Tensor]:
    """Attention(Q, K, V) = softmax(Q·Kᵀ / √d_k) · V, returning the output and the weights.

    Args:
        q: queries. k: keys. v: values (any number of leading batch/head dimensions, broadcast).
        mask: optional boolean mask, True = may attend, broadcastable to `(..., T, S)`.
        scale: factor applied to the scores; default `1 / sqrt(Dk)` (as in torch).
    Shapes:
        q `(..., T, Dk)`, k `(..., S, Dk)`, v `(..., S, Dv)` -> output `(..., T, Dv)`,
        weights `(..., T, S)`.
    Returns:
        `(output, weights)`. A query whose row of the mask is all False attends to nothing: its
        weights are all zero and its output is the zero vector (never NaN), as in torch's own
        function.

    Taught in 01_self_attention.ipynb.
    """
    for name, t in (("q", q), ("k", k), ("v", v)):
        if not isinstance(t, Tensor) or t.dim() < 2:
            raise ValueError(
                f"{name} must be a tensor with at least 2 dimensions (..., len, width)"
            )
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"queries and keys need the same width Dk: q {_shape(q)} has Dk={q.shape[-1]}, "
            f"k {_shape(k)} has Dk={k.shape[-1]}"
        )
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"keys and values need the same length S: k {_shape(k)}, v {_shape(v)}")
    try:
        batch = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except RuntimeError:
        raise ValueError(
            f"leading dimensions of q {_shape(q)}, k {_shape(k)}, v {_shape(v)} do not broadcast"
        ) from None
    target = (*batch, q.shape[-2], k.shape[-2])
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])

    scores = q @ k.transpose(-2, -1) * scale  # (..., T, Dk) @ (..., Dk, S) -> (..., T, S)
    if mask is None:
        weights = torch.softmax(scores, dim=-1)
    else:
        _check_mask(mask, target, "the scores (..., T, S)")
        scores = scores.masked_fill(~mask, float("-inf"))
        # A row with no allowed key would be softmax(-inf, ..., -inf) = NaN: give it zeros instead.
        row_has_key = mask.any(dim=-1, keepdim=True)  # (..., T, 1)
        scores = scores.masked_fill(~row_has_key, 0.0)
        weights = torch.softmax(scores, dim=-1) * row_has_key
    return weights @ v, weights  # (..., T, S) @ (..., S, Dv) -> (..., T, Dv)


def causal_mask(n: int) -> Tensor:
    """Look-ahead mask: position t may attend to positions 0..t (True on and below the diagonal).

    Shapes: returns `(n, n)` bool.
    Taught in 05_masked_and_cross_attention.ipynb.
    """
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"causal_mask needs a positive length, got {n!r}")
    return torch.ones(n, n, dtype=torch.bool).tril()


def padding_mask(lengths: Tensor | list[int], max_len: int | None = None) -> Tensor:
    """Key-padding mask for a batch of sequences of different lengths (True = real token).

    Shapes: lengths `(B,)` -> mask `(B, 1, 1, S)`, broadcastable to `(B, H, T, S)`.
    Taught in 05_masked_and_cross_attention.ipynb.
    """
    lengths = torch.as_tensor(lengths)
    if lengths.dim() != 1 or (lengths < 1).any():
        raise ValueError(f"lengths must be a 1-D list of positive lengths, got {lengths.tolist()}")
    s = int(lengths.max()) if max_len is None else max_len
    if int(lengths.max()) > s:
        raise ValueError(f"a length {int(lengths.max())} exceeds max_len={s}")
    keep = torch.arange(s) < lengths[:, None]  # (B, S)
    return keep[:, None, None, :]  # (B, S) -> (B, 1, 1, S)


class MultiHeadAttention(nn.Module):
    """Multi-head attention with separate projections W_q, W_k, W_v and the output W_o.

    Args:
        d_model: model width D. n_heads: number of heads H; Dk = D / H.
    Shapes:
        forward(query `(B, T, D)`, key `(B, S, D)`, value `(B, S, D)`,
        mask broadcastable to `(B, H, T, S)`, True = may attend)
        -> output `(B, T, D)`, weights `(B, H, T, S)`.

    Taught in 02_multi_head_attention.ipynb.
    """

    def __init__(self, d_model: int, n_heads: int, bias: bool = True) -> None:
        super().__init__()
        if n_heads < 1 or d_model < 1:
            raise ValueError(f"d_model and n_heads must be positive, got {d_model} and {n_heads}")
        if d_model % n_heads:
            raise ValueError(
                f"n_heads={n_heads} does not divide d_model={d_model}: each head gets "
                f"d_model / n_heads = {d_model / n_heads:g} features, which must be a whole number"
            )
        self.d_model, self.n_heads, self.d_k = d_model, n_heads, d_model // n_heads
        self.W_q = nn.Linear(d_model, d_model, bias=bias)
        self.W_k = nn.Linear(d_model, d_model, bias=bias)
        self.W_v = nn.Linear(d_model, d_model, bias=bias)
        self.W_o = nn.Linear(d_model, d_model, bias=bias)

    def _split(self, x: Tensor) -> Tensor:
        b, t, _ = x.shape
        return x.view(b, t, self.n_heads, self.d_k).transpose(1, 2)  # (B, T, D) -> (B, H, T, Dk)

    def attend(
        self, query: Tensor, key: Tensor, value: Tensor, mask: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """Everything but W_o: project, split into heads, attend per head, concatenate.

        Shapes: as `forward`; returns concat `(B, T, D)` (the input of W_o), weights `(B, H, T, S)`.
        """
        for name, t in (("query", query), ("key", key), ("value", value)):
            if not isinstance(t, Tensor) or t.dim() != 3 or t.shape[-1] != self.d_model:
                got = _shape(t) if isinstance(t, Tensor) else type(t).__name__
                raise ValueError(f"{name} must have shape (B, len, {self.d_model}), got {got}")
        if key.shape != value.shape:
            raise ValueError(
                f"key and value must have the same shape, got {_shape(key)} and {_shape(value)}"
            )
        if query.shape[0] != key.shape[0]:
            raise ValueError(f"query and key batch sizes differ: {_shape(query)} vs {_shape(key)}")
        b, t, _ = query.shape
        if mask is not None:
            _check_mask(mask, (b, self.n_heads, t, key.shape[1]), "the weights (B, H, T, S)")

        q = self._split(self.W_q(query))  # (B, T, D) -> (B, H, T, Dk)
        k = self._split(self.W_k(key))  # (B, S, D) -> (B, H, S, Dk)
        v = self._split(self.W_v(value))  # (B, S, D) -> (B, H, S, Dk)
        heads, weights = scaled_dot_product_attention(q, k, v, mask)  # (B, H, T, Dk), (B, H, T, S)
        concat = heads.transpose(1, 2).reshape(b, t, self.d_model)  # (B, H, T, Dk) -> (B, T, D)
        return concat, weights

    def forward(
        self, query: Tensor, key: Tensor, value: Tensor, mask: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        concat, weights = self.attend(query, key, value, mask)  # (B, T, D), (B, H, T, S)
        return self.W_o(concat), weights

    def keys_values(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """The keys and values of x, projected and split into heads: what a KV cache keeps.

        Shapes: x `(B, S, D)` -> k, v `(B, H, S, Dk)` each.
        Taught in 08_train_a_translator.ipynb.
        """
        k = self._split(self.W_k(x))  # (B, S, D) -> (B, H, S, Dk)
        v = self._split(self.W_v(x))  # (B, S, D) -> (B, H, S, Dk)
        return k, v

    def forward_cached(
        self, query: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """`forward` with keys and values already projected (from `keys_values`, or a cache).

        Shapes: query `(B, T, D)`, k and v `(B, H, S, Dk)`, mask broadcastable to `(B, H, T, S)`
        -> output `(B, T, D)`, weights `(B, H, T, S)`.
        Taught in 08_train_a_translator.ipynb.
        """
        b, t, _ = query.shape
        q = self._split(self.W_q(query))  # (B, T, D) -> (B, H, T, Dk)
        heads, weights = scaled_dot_product_attention(q, k, v, mask)  # (B, H, T, Dk), (B, H, T, S)
        concat = heads.transpose(1, 2).reshape(b, t, self.d_model)  # (B, H, T, Dk) -> (B, T, D)
        return self.W_o(concat), weights

    @classmethod
    def from_torch(cls, m: nn.MultiheadAttention) -> MultiHeadAttention:
        """Copy the weights of `nn.MultiheadAttention`, unpacking its packed `in_proj_weight`."""
        if not m._qkv_same_embed_dim or m.bias_k is not None or m.add_zero_attn:
            raise ValueError(
                "from_torch supports nn.MultiheadAttention with kdim = vdim = embed_dim, "
                "no add_bias_kv and no add_zero_attn"
            )
        has_bias = m.in_proj_bias is not None
        mha = cls(m.embed_dim, m.num_heads, bias=has_bias)
        w_q, w_k, w_v = m.in_proj_weight.detach().chunk(3)  # (3D, D) -> 3 × (D, D)
        with torch.no_grad():
            for lin, w in ((mha.W_q, w_q), (mha.W_k, w_k), (mha.W_v, w_v)):
                lin.weight.copy_(w)
            mha.W_o.weight.copy_(m.out_proj.weight)
            if has_bias:
                b_q, b_k, b_v = m.in_proj_bias.detach().chunk(3)  # (3D,) -> 3 × (D,)
                for lin, b in ((mha.W_q, b_q), (mha.W_k, b_k), (mha.W_v, b_v)):
                    lin.bias.copy_(b)
                mha.W_o.bias.copy_(m.out_proj.bias)
        return mha


def assert_causal(weights: Tensor, tokens: Sequence[str] | None = None) -> None:
    """Check that attention weights look only backwards: every row sums to 1 on positions 0..t.

    Catches an inverted or missing mask: a weight on a future position, a NaN row (a query that
    could attend to nothing), or a float mask added to the scores instead of masking them.
    Shapes: weights `(..., T, T)`; `tokens` (T,) name the positions in the message.
    Raises: AssertionError naming the first offending query and key; ValueError for a non-square
    input.

    Taught in 05_masked_and_cross_attention.ipynb.
    """
    if (
        not isinstance(weights, Tensor)
        or weights.dim() < 2
        or weights.shape[-1] != weights.shape[-2]
    ):
        got = _shape(weights) if isinstance(weights, Tensor) else type(weights).__name__
        raise ValueError(f"weights must be a (..., T, T) tensor, got {got}")
    t = weights.shape[-1]
    names = list(tokens) if tokens is not None else [str(i) for i in range(t)]
    if len(names) != t:
        raise ValueError(f"{len(names)} tokens for {t} positions")
    w = weights.detach().reshape(-1, t, t)  # (..., T, T) -> (N, T, T)
    nan = torch.isnan(w).any(dim=-1)  # (N, T)
    if nan.any():
        row = int(nan.nonzero()[0, 1])
        raise AssertionError(
            f'the weights of position {row} ("{names[row]}") are NaN: its mask row allowed '
            "no key at all. Is the mask inverted?"
        )
    future = w.masked_fill(causal_mask(t), 0.0)  # (N, T, T): the weights above the diagonal
    if (future != 0).any():
        _, row, col = (int(i) for i in future.nonzero()[0])
        value = float(w[:, row, col].abs().max())
        raise AssertionError(
            f'position {row} ("{names[row]}") gives weight {value:.4f} to the future position '
            f'{col} ("{names[col]}"): the mask is missing, inverted or not boolean'
        )
    sums = w.sum(dim=-1)  # (N, T)
    if not torch.allclose(sums, torch.ones_like(sums), atol=1e-5):
        raise AssertionError("some rows of the weights do not sum to 1")
