"""A reader for the safetensors format (a JSON header, then raw little-endian tensors), so that
loading a pretrained BERT needs no extra dependency.

Taught in 09_real_bert.ipynb.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path

import torch
from torch import Tensor

__all__ = ["read_safetensors", "safetensors_header"]


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

    Taught in 09_real_bert.ipynb.
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
    Taught in 09_real_bert.ipynb.
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
