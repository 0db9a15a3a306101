#!/usr/bin/env python3
"""Read a safetensors file (e.g. an aprender checkpoint) with nothing but numpy, and
cross-check it with the official `safetensors` package and PyTorch when installed.

usage: tools/check_safetensors.py FILE.safetensors

Prints every tensor (name, dtype, shape, a few numbers) and the metadata; exits 1 if
the official reader disagrees with the 20-line one below. Run by hand; its reader is also
imported by tools/torch_reference.py, which `make test` runs only where PyTorch is
installed (tests/torch_reference_test.cpp skips it elsewhere): the C++ suite never needs Python.
"""
import json
import struct
import sys

import numpy as np

DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4",
          "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?"}


def read_safetensors(path):
    """The whole format: u64 header length, JSON header, raw little-endian bytes."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])           # header length, little-endian
    header = json.loads(data[8:8 + n])             # JSON (trailing spaces are fine)
    metadata = header.pop("__metadata__", {})
    body = data[8 + n:]
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]         # byte range inside body
        flat = np.frombuffer(body[begin:end], dtype=DTYPES[entry["dtype"]])
        tensors[name] = flat.reshape(entry["shape"])
    return tensors, metadata, n


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    tensors, metadata, n = read_safetensors(path)
    print(f"{path}: header {n} bytes (data aligned to 8: {(8 + n) % 8 == 0}), {len(tensors)} tensors")
    for k, v in metadata.items():
        print(f"  metadata {k} = {v}")
    for name, t in tensors.items():
        head = np.array2string(t.reshape(-1)[:4], precision=4, separator=", ")
        print(f"  {name:40s} {str(t.dtype):8s} {str(list(t.shape)):16s} {head}")

    ok = True
    try:
        from safetensors.numpy import load_file
        official = load_file(path)
        same = official.keys() == tensors.keys() and all(
            np.array_equal(official[k], tensors[k]) for k in tensors)
        print(f"safetensors.numpy.load_file agrees: {same}")
        ok = ok and same
    except ImportError:
        print("(the `safetensors` package is not installed: skipped the official reader)")
    try:
        import torch
        as_torch = {k: torch.from_numpy(v.copy()) for k, v in tensors.items()}
        print(f"torch {torch.__version__}: {sum(t.numel() for t in as_torch.values())} numbers "
              "as a state_dict (module.load_state_dict(state) accepts it)")
        try:
            from safetensors.torch import load_file as torch_load
            official = torch_load(path)
            same = all(torch.equal(official[k], as_torch[k]) for k in as_torch)
            print(f"safetensors.torch.load_file agrees: {same}")
            ok = ok and same
        except ImportError:
            pass
    except ImportError:
        print("(PyTorch is not installed: skipped)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
