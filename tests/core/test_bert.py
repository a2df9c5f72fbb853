"""helpers.bert: our BERT, tokeniser and pooling against the reference fixture (transformers and
sentence-transformers, tests/nb09_real_bert/make_bert_reference.py), and the safetensors reader."""

import json
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers.bert import (
    BertConfig,
    load_bert,
    load_tokenizer,
    mean_pool,
    model_dir,
    our_name,
    sentence_embeddings,
)
from helpers.blocks import EncoderBlock, FeedForward
from helpers.nb09_real_bert.data import (
    HEAD_PATTERNS,
    MISTAKES,
    head_pattern_scores,
    load_reference,
    reference_gaps,
    tokenization_cases,
)
from helpers.safetensors import read_safetensors, safetensors_header
from helpers.text import SENTENCE
from helpers.wordpiece import WordPiece

CASES = tokenization_cases()
TOL = 1e-5


@pytest.fixture(scope="module")
def model():
    return load_bert()


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer()


# --- safetensors ----------------------------------------------------------------------------------


def _write_safetensors(path: Path, tensors: dict[str, np.ndarray], pad: int = 0) -> None:
    """A safetensors file by hand: 8-byte length, JSON header, raw little-endian data."""
    names = {np.float32: "F32", np.int64: "I64", np.float16: "F16"}
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, a in tensors.items():
        blob = np.ascontiguousarray(a).tobytes()
        header[name] = {
            "dtype": names[a.dtype.type],
            "shape": list(a.shape),
            "data_offsets": [offset, offset + len(blob)],
        }
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode() + b" " * pad
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def test_read_safetensors_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    tensors = {
        "w": rng.normal(size=(3, 4)).astype(np.float32),
        "ids": np.arange(5, dtype=np.int64),
        "half": rng.normal(size=(2,)).astype(np.float16),
        "empty": np.zeros((0, 3), dtype=np.float32),
    }
    path = tmp_path / "t.safetensors"
    _write_safetensors(path, tensors, pad=5)
    got = read_safetensors(path)
    assert list(got) == list(tensors)
    for name, a in tensors.items():
        assert got[name].dtype == torch.from_numpy(a).dtype
        assert np.array_equal(got[name].numpy(), a)
    assert set(safetensors_header(path)) == {"__metadata__", *tensors}


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"\x01\x00", "no header"),
        (struct.pack("<Q", 100) + b"{}", "claims 100 bytes"),
        (struct.pack("<Q", 3) + b"{x}", "not JSON"),
        (struct.pack("<Q", 2) + b"[]", "not a JSON object"),
    ],
)
def test_read_safetensors_refuses_broken_headers(tmp_path, data, match):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=match):
        read_safetensors(path)


def test_read_safetensors_refuses_bad_tensors(tmp_path):
    path = tmp_path / "bad.safetensors"
    _write_safetensors(path, {"w": np.zeros((2, 2), dtype=np.float32)})
    data = path.read_bytes()
    path.write_bytes(data[:-4])  # one float short
    with pytest.raises(ValueError, match="needs 16 bytes"):
        read_safetensors(path)
    header = json.dumps({"w": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}}).encode()
    path.write_bytes(struct.pack("<Q", len(header)) + header + bytes(8))
    with pytest.raises(ValueError, match="unsupported dtype 'C64'"):
        read_safetensors(path)


def test_every_weight_of_the_checkpoint_has_a_place(model):
    header = safetensors_header(model_dir() / "model.safetensors")
    names = [n for n in header if n != "__metadata__"]
    mapped = {our_name(n) for n in names} - {None}
    unused = [n for n in names if our_name(n) is None]
    assert sorted(unused) == ["embeddings.position_ids", "pooler.dense.bias", "pooler.dense.weight"]
    assert mapped == set(model.state_dict())  # one place each, every parameter of ours filled
    assert len(mapped) == len(names) - 3 == 5 + 6 * 16  # 3 tables + LayerNorm, 16 per block


def test_our_name_maps_bert_names():
    assert our_name("encoder.layer.3.attention.self.query.weight") == (
        "encoder.layers.3.self_attn.W_q.weight"
    )
    assert our_name("bert.encoder.layer.0.output.LayerNorm.bias") == "encoder.layers.0.norm2.bias"
    assert our_name("encoder.layer.5.intermediate.dense.bias") == "encoder.layers.5.ffn.W_1.bias"
    assert our_name("embeddings.LayerNorm.weight") == "embeddings.norm.weight"
    with pytest.raises(ValueError, match="unknown BERT weight"):
        our_name("encoder.layer.0.crossattention.self.query.weight")


# --- configuration and model ----------------------------------------------------------------------


def test_config_reads_the_model_sizes():
    config = BertConfig.from_json(model_dir() / "config.json")
    assert (config.d_model, config.n_layers, config.n_heads, config.d_ff) == (384, 6, 12, 1536)
    assert (config.vocab_size, config.max_positions, config.eps) == (30522, 512, 1e-12)


def test_config_refuses_what_we_do_not_build(tmp_path):
    raw = json.loads((model_dir() / "config.json").read_text())
    path = tmp_path / "config.json"
    path.write_text(json.dumps({**raw, "hidden_act": "relu"}))
    with pytest.raises(ValueError, match="GELU only"):
        BertConfig.from_json(path)


def test_the_model_is_made_of_our_blocks(model):
    blocks = list(model.encoder.layers)
    assert len(blocks) == 6 and all(type(b) is EncoderBlock for b in blocks)
    for b in blocks:
        assert not b.norm_first and b.ffn.activation == "gelu"
        assert isinstance(b.ffn.act, torch.nn.GELU) and b.ffn.act.approximate == "none"
        assert b.norm1.eps == b.norm2.eps == 1e-12
    assert model.embeddings.norm.eps == 1e-12
    assert not any(p.is_meta for p in model.parameters())


def test_loading_draws_no_random_numbers():
    state = torch.random.get_rng_state()
    load_bert()
    assert torch.equal(torch.random.get_rng_state(), state)


def test_matches_the_reference_layer_by_layer(model, tokenizer):
    ref = load_reference()
    encoding = tokenizer.encode(SENTENCE)
    assert encoding.tokens == list(ref["tokens"])
    assert encoding.ids.tolist() == ref["input_ids"].tolist()
    with torch.no_grad():
        out = model(encoding.ids)
    assert len(out.hidden_states) == 7 and len(out.attentions) == 6
    for layer, hidden in enumerate(out.hidden_states):
        np.testing.assert_allclose(hidden[0].numpy(), ref["hidden_states"][layer], atol=TOL, rtol=0)
    for layer, weights in enumerate(out.attentions):
        np.testing.assert_allclose(weights[0].numpy(), ref["attentions"][layer], atol=TOL, rtol=0)
    pooled = mean_pool(out.last, [len(encoding.tokens)])[0].numpy()
    np.testing.assert_allclose(pooled, ref["embedding"], atol=TOL, rtol=0)


def test_reference_gaps_of_our_model_are_below_tolerance(model, tokenizer):
    gaps = reference_gaps(model, tokenizer)
    assert gaps["hidden"] <= TOL and gaps["attention"] <= TOL
    assert abs(gaps["cosine"] - 1) <= TOL


@pytest.mark.parametrize("mistake", [m for m, kw in MISTAKES.items() if kw])
def test_each_mistake_lands_measurably_off(tokenizer, mistake):
    gaps = reference_gaps(load_bert(**MISTAKES[mistake]), tokenizer)
    assert gaps["hidden"] > 1e-4, f"{mistake} should not be within tolerance"


def test_padded_batch_matches_the_reference_sentence_embeddings(model, tokenizer):
    ref = load_reference()
    sentences = [str(s) for s in ref["similarity_sentences"]]
    got = sentence_embeddings(model, tokenizer, sentences).numpy()
    np.testing.assert_allclose(got, ref["similarity_embeddings"], atol=TOL, rtol=0)
    alone = sentence_embeddings(model, tokenizer, sentences[:1]).numpy()
    np.testing.assert_allclose(got[0], alone[0], atol=TOL, rtol=0)


def test_forward_refuses_bad_input(model):
    with pytest.raises(ValueError, match="integer tensor"):
        model(torch.zeros(1, 3))
    with pytest.raises(ValueError, match="512 positions"):
        model(torch.ones(1, 513, dtype=torch.long))
    with pytest.raises(ValueError, match="0 … 30521"):
        model(torch.tensor([[101, 30522, 102]]))
    with pytest.raises(ValueError, match="T ≥ 1"):
        model(torch.zeros(1, 0, dtype=torch.long))
    with pytest.raises(ValueError, match="2 lengths for a batch of 1"):
        model(torch.ones(1, 3, dtype=torch.long), [3, 2])


def test_sentence_embeddings_refuses_a_bare_string(model, tokenizer):
    with pytest.raises(ValueError, match="list of strings"):
        sentence_embeddings(model, tokenizer, "one sentence")


# --- WordPiece --------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[repr(c["text"][:24]) for c in CASES])
def test_wordpiece_matches_the_reference_tokenizer(tokenizer, case):
    assert tokenizer.tokenize(case["text"]) == case["tokens"]
    assert tokenizer.encode(case["text"]).ids.tolist() == case["input_ids"]


def test_korean_is_mostly_unknown_to_this_english_vocabulary(tokenizer):
    pieces = tokenizer.tokenize("고양이가 매트 위에 앉았다")
    assert pieces.count("[UNK]") == 3 and len(pieces) == 7  # 매트 survives as jamo pieces


def test_greedy_longest_match_first():
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "unaff", "##aff", "##able", "a"]
    wp = WordPiece(vocab)
    assert wp.wordpiece("unaffable") == ["unaff", "##able"]  # longest first piece, not "un"
    assert wp.wordpiece("unx") == ["[UNK]"]  # one piece missing: the whole word is unknown
    assert WordPiece(vocab, max_chars_per_word=3).wordpiece("aaaa") == ["[UNK]"]


def test_wordpiece_refuses_bad_input(tokenizer):
    with pytest.raises(ValueError, match="must be a string"):
        tokenizer.tokenize(None)
    with pytest.raises(ValueError, match="special tokens"):
        WordPiece(["a", "b"])


def test_encode_truncates_only_when_asked(tokenizer):
    text = "cat " * 600
    with pytest.raises(ValueError, match="602 positions long"):
        tokenizer.encode(text)
    encoding = tokenizer.encode(text, truncate=True)
    assert len(encoding.tokens) == 512 and encoding.dropped == 90
    assert encoding.tokens[0] == "[CLS]" and encoding.tokens[-1] == "[SEP]"


# --- pooling and head patterns ----------------------------------------------------------------


def test_mean_pool_ignores_padding_and_normalises():
    g = torch.Generator().manual_seed(0)
    hidden = torch.randn(2, 4, 8, generator=g)
    padded = hidden.clone()
    padded[1, 2:] = 1e6  # padding must not count
    got = mean_pool(padded, [4, 2])
    want = F.normalize(torch.stack([hidden[0].mean(0), hidden[1, :2].mean(0)]), dim=-1)
    torch.testing.assert_close(got, want)
    torch.testing.assert_close(got.norm(dim=-1), torch.ones(2))


def test_head_pattern_scores_recognise_each_pattern():
    tokens = ["[CLS]", "the", "cat", "the", "[SEP]"]
    t = len(tokens)
    previous = np.eye(t, k=-1)
    previous[0, 0] = 1
    next_ = np.eye(t, k=1)
    next_[-1, -1] = 1
    specials = np.zeros((t, t))
    specials[:, 0] = 1
    same = np.eye(t)
    same[1], same[3] = np.eye(t)[3], np.eye(t)[1]
    weights = np.stack([previous, next_, specials, same])[None]  # (1, 4, T, T)
    scores = head_pattern_scores(weights, tokens)
    assert list(scores) == list(HEAD_PATTERNS)
    for h, pattern in enumerate(HEAD_PATTERNS):
        assert scores[pattern].shape == (1, 4)
        assert scores[pattern][0, h] == pytest.approx(1.0)
        assert int(np.nanargmax(scores[pattern][0])) == h


def test_head_pattern_scores_without_a_repeated_word_and_bad_shapes():
    scores = head_pattern_scores(np.full((2, 3, 3, 3), 1 / 3), ["[CLS]", "cat", "[SEP]"])
    assert np.isnan(scores["same word"]).all()
    assert np.allclose(scores["previous token"], 1 / 3)
    with pytest.raises(ValueError, match="should be"):
        head_pattern_scores(np.zeros((3, 3, 3)), ["a", "b", "c"])
    with pytest.raises(ValueError, match="at least two"):
        head_pattern_scores(np.ones((1, 1, 1, 1)), ["[CLS]"])


# --- the activation added to blocks for the mistakes table ------------------------------------


def test_tanh_gelu_is_torchs_approximation_and_gelu_stays_exact():
    x = torch.linspace(-4, 4, 101)[None, None, :].expand(1, 1, 101)
    for name, approximate in (("gelu_tanh", "tanh"), ("gelu", "none")):
        ffn = FeedForward(101, 7, name)
        h = ffn.W_1(x)
        want = ffn.W_2(F.gelu(h, approximate=approximate))
        torch.testing.assert_close(ffn(x), want)
