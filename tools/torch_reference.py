#!/usr/bin/env python3
"""An independent PyTorch implementation of aprender's GPT and Encoder, to check that the
C++ models compute the same numbers (tests/torch_reference_test.cpp runs it).

usage: tools/torch_reference.py --checkpoint MODEL.safetensors --case CASE.safetensors
                                [--adapter DIR] [--peft]

MODEL.safetensors  a checkpoint exactly as aprender saves one: the weights under their
                   own names (h.0.attn.q_proj.weight, ...) and the config in the metadata.
CASE.safetensors   the inputs and aprender's answers, written by the test:
                     input.ids (B, T) int32; GPT: input.targets (B, T);
                     Encoder: input.mask, input.segments, input.mlm_labels (B, T), input.cls_labels (B)
                     expect.logits, expect.loss, expect.grad.<parameter name>
--adapter DIR      a LoRA adapter in PEFT's layout (adapter_config.json + adapter_model.safetensors),
                   applied by the ~10 lines of LoRALinear below ...
--peft             ... or by Hugging Face PEFT itself (PeftModel.from_pretrained), when installed.

The model here is written from the papers' equations with torch.nn, in float64, sharing no
code with aprender; the weights are converted to float64 so that the comparison measures
aprender's float32 error. Prints the largest difference per quantity; exits 1 when one is
over its tolerance. Not part of the C++ build: the test is skipped where PyTorch is missing.
"""
import argparse
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_safetensors import read_safetensors  # noqa: E402  (20 lines of numpy, no other dependency)


def load(path):
    arrays, metadata, _ = read_safetensors(path)
    return {k: torch.from_numpy(v.copy()) for k, v in arrays.items()}, metadata


# ---- the model, from the equations ----------------------------------------------------------

class LayerNorm(nn.Module):
    """(x - mean) / sqrt(var + eps) * weight + bias, over the last axis (biased variance)."""
    def __init__(self, dim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.bias = nn.Parameter(torch.zeros(dim)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, x.shape[-1:], self.weight, self.bias, 1e-5)


class Attention(nn.Module):
    """softmax(Q Kᵀ / √hs + mask) V per head; q/k/v/o_proj as separate Linear layers."""
    def __init__(self, C, n_head, bias, causal):
        super().__init__()
        self.q_proj, self.k_proj, self.v_proj, self.o_proj = (nn.Linear(C, C, bias=bias) for _ in range(4))
        self.n_head, self.causal = n_head, causal

    def forward(self, x, key_padding_mask=None):
        B, T, C = x.shape
        hs = C // self.n_head
        split = lambda t: t.view(B, T, self.n_head, hs).transpose(1, 2)     # (B, nh, T, hs)
        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        scores = q @ k.transpose(-2, -1) / math.sqrt(hs)                      # (B, nh, T, T)
        if self.causal:
            future = torch.ones(T, T, dtype=torch.bool).triu(1)
            scores = scores.masked_fill(future, float("-inf"))
        if key_padding_mask is not None:                                      # 1 real, 0 padding
            scores = scores.masked_fill(key_padding_mask[:, None, None, :] == 0, float("-inf"))
        y = scores.softmax(-1) @ v                                            # (B, nh, T, hs)
        return self.o_proj(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, C, bias):
        super().__init__()
        self.c_fc, self.c_proj = nn.Linear(C, 4 * C, bias=bias), nn.Linear(4 * C, C, bias=bias)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))           # GPT-2's GELU


class Block(nn.Module):
    """Pre-LayerNorm: x + attn(ln_1(x)), then x + mlp(ln_2(x))."""
    def __init__(self, C, n_head, bias, causal):
        super().__init__()
        self.ln_1, self.attn = LayerNorm(C, bias), Attention(C, n_head, bias, causal)
        self.ln_2, self.mlp = LayerNorm(C, bias), MLP(C, bias)

    def forward(self, x, mask=None):
        x = x + self.attn(self.ln_1(x), mask)
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    is_gradient_checkpointing = False  # tells PEFT not to look for a transformers model's input embeddings

    def __init__(self, c):
        super().__init__()
        C = int(c["n_embd"])
        self.wte = nn.Embedding(int(c["vocab_size"]), C)
        self.wpe = nn.Embedding(int(c["block_size"]), C)
        self.h = nn.ModuleList(Block(C, int(c["n_head"]), c["bias"] == "true", True) for _ in range(int(c["n_layer"])))
        self.ln_f = LayerNorm(C, c["bias"] == "true")
        self.lm_head = nn.Linear(C, int(c["vocab_size"]), bias=False)
        self.tied = c["tie_weights"] == "true"

    def forward(self, case):
        ids = case["input.ids"].long()
        T = ids.shape[1]
        x = self.wte(ids) + self.wpe(torch.arange(T))
        for block in self.h:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))                                   # (B, T, V)
        loss = F.cross_entropy(logits.flatten(0, 1), case["input.targets"].long().flatten())
        return logits, loss


class Encoder(nn.Module):
    is_gradient_checkpointing = False

    def __init__(self, c):
        super().__init__()
        C, V = int(c["n_embd"]), int(c["vocab_size"])
        bias = c["bias"] == "true"
        self.tok_emb, self.pos_emb = nn.Embedding(V, C), nn.Embedding(int(c["max_len"]), C)
        self.seg_emb = nn.Embedding(int(c["n_segments"]), C) if int(c["n_segments"]) > 0 else None
        self.h = nn.ModuleList(Block(C, int(c["n_head"]), bias, False) for _ in range(int(c["n_layer"])))
        self.ln_f = LayerNorm(C, bias)
        self.mlm_dense, self.mlm_ln = nn.Linear(C, C, bias=bias), LayerNorm(C, bias)
        self.mlm_bias = nn.Parameter(torch.zeros(V))
        n_classes = int(c["n_classes"])
        self.pooler = nn.Linear(C, C) if n_classes else None
        self.classifier = nn.Linear(C, n_classes) if n_classes else None
        self.tied = False

    def forward(self, case):
        ids, mask = case["input.ids"].long(), case["input.mask"]
        x = self.tok_emb(ids) + self.pos_emb(torch.arange(ids.shape[1]))
        if self.seg_emb is not None:
            x = x + self.seg_emb(case["input.segments"].long())
        for block in self.h:
            x = block(x, mask)
        x = self.ln_f(x)                                                      # (B, T, C)
        t = self.mlm_ln(F.gelu(self.mlm_dense(x), approximate="tanh"))
        logits = t @ self.tok_emb.weight.T + self.mlm_bias                   # decoder tied to the embedding
        loss = F.cross_entropy(logits.flatten(0, 1), case["input.mlm_labels"].long().flatten(), ignore_index=-100)
        if self.classifier is not None:                                       # [CLS] = position 0
            cls = self.classifier(torch.tanh(self.pooler(x[:, 0])))
            loss = loss + F.cross_entropy(cls, case["input.cls_labels"].long())
        return logits, loss


# ---- LoRA, from the paper: h = W0 x + (alpha/r) B A x ------------------------------------------

class LoRALinear(nn.Module):
    def __init__(self, base, A, B, scaling):
        super().__init__()
        self.base, self.scaling = base, scaling
        self.lora_A = nn.Linear(A.shape[1], A.shape[0], bias=False)          # weight A (r, in)
        self.lora_B = nn.Linear(B.shape[1], B.shape[0], bias=False)          # weight B (out, r)
        with torch.no_grad():
            self.lora_A.weight.copy_(A)
            self.lora_B.weight.copy_(B)

    def forward(self, x):
        return self.base(x) + self.scaling * self.lora_B(self.lora_A(x))


def apply_adapter_by_hand(model, adapter_dir):
    cfg = json.load(open(os.path.join(adapter_dir, "adapter_config.json")))
    weights, _ = load(os.path.join(adapter_dir, "adapter_model.safetensors"))
    r, alpha = cfg["r"], cfg["lora_alpha"]
    scaling = alpha / math.sqrt(r) if cfg.get("use_rslora") else alpha / r
    prefix = "base_model.model."
    paths = sorted({k[len(prefix):].rsplit(".lora_", 1)[0] for k in weights})
    for path in paths:
        parent_path, _, leaf = path.rpartition(".")
        parent = model.get_submodule(parent_path)
        A, B = weights[f"{prefix}{path}.lora_A.weight"], weights[f"{prefix}{path}.lora_B.weight"]
        setattr(parent, leaf, LoRALinear(getattr(parent, leaf), A, B, scaling))
    return len(paths)


def apply_adapter_with_peft(model, adapter_dir):
    """Hugging Face PEFT reads the directory: its LoraConfig, then the weights by their keys."""
    import peft
    from peft import LoraConfig, PeftModel
    raw = json.load(open(os.path.join(adapter_dir, "adapter_config.json")))
    unknown = sorted(set(raw) - set(LoraConfig.__dataclass_fields__))
    try:
        config = LoraConfig.from_pretrained(adapter_dir)
    except TypeError as e:  # PEFT before ~0.14 refuses fields it does not know
        print(f"PEFT {peft.__version__} refused the config ({e}); retrying with its own fields only")
        config = LoraConfig(**{k: v for k, v in raw.items() if k in LoraConfig.__dataclass_fields__})
    config.task_type = None  # a plain torch module, not a transformers model: a plain PeftModel
    # is_trainable: PEFT otherwise loads the adapter frozen (inference only), and we want its gradients
    wrapped = PeftModel.from_pretrained(model, adapter_dir, config=config, is_trainable=True)
    print(f"adapter loaded by Hugging Face PEFT {peft.__version__} "
          f"(fields PEFT does not know, ignored: {', '.join(unknown) or 'none'})")
    return wrapped.base_model.model  # our module, with PEFT's LoRA layers inside


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--case", required=True)
    ap.add_argument("--adapter")
    ap.add_argument("--peft", action="store_true")
    args = ap.parse_args()
    for what, path in (("--checkpoint", args.checkpoint), ("--case", args.case), ("--adapter", args.adapter)):
        if path is not None and not os.path.exists(path):
            sys.exit(f"torch_reference: {what}: no such file or directory '{path}'")

    state, meta = load(args.checkpoint)
    case, _ = load(args.case)
    kind = meta.get("model")
    model = {"gpt": GPT, "encoder": Encoder}[kind](meta)
    if model.tied:
        model.lm_head.weight = model.wte.weight                               # one tensor, two names
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        sys.exit(f"torch_reference: checkpoint and model disagree: missing {missing}, unexpected {unexpected}")
    if args.adapter and args.peft:
        model = apply_adapter_with_peft(model, args.adapter)
    elif args.adapter:
        print(f"adapter applied by hand: {apply_adapter_by_hand(model, args.adapter)} LoRA layers")
    model = model.double().eval()  # float32 numbers, exactly, computed in float64

    logits, loss = model(case)
    loss.backward()

    # aprender's answer against ours, each quantity scaled by its own size (its largest
    # entry): a relative error, so a gradient of size 1e-3 is held to the same standard as
    # one of size 10. `floor` keeps the scale from reaching zero: k_proj's bias has a zero
    # gradient in exact arithmetic (softmax ignores what all of a query's scores share, and
    # q·b is the same for every key), so ours holds float32 rounding noise there.
    rows, ok = [], True

    def compare(name, got, want, tol, floor=1e-12):
        nonlocal ok
        scale = max(floor, want.double().abs().max().item())
        err = (got.double() - want.double()).abs().max().item() / scale
        rows.append((name, err, tol))
        ok = ok and err <= tol

    compare("logits", case["expect.logits"], logits.detach(), 1e-5)
    compare("loss", case["expect.loss"].reshape(()), loss.detach(), 1e-6)
    grads = {}
    for name, p in model.named_parameters():
        # PEFT's names (h.0.attn.q_proj.base_layer.weight, ...lora_A.default.weight) and ours
        # (…q_proj.base.weight) back to aprender's (h.0.attn.q_proj.weight, …lora_A.weight)
        for theirs, mine in ((".base_layer.", "."), (".base.", "."), (".default.", ".")):
            name = name.replace(theirs, mine)
        grads[name] = p.grad
    expected = {k[len("expect.grad."):]: v for k, v in case.items() if k.startswith("expect.grad.")}
    lacking = sorted(k for k in expected if grads.get(k) is None)
    if lacking:
        sys.exit(f"torch_reference: no gradient here for {lacking}")
    # a hundredth of the model's largest gradient entry: below that, "relative" measures noise
    floor = 1e-2 * max(g.double().abs().max().item() for g in (grads[k] for k in expected))
    for k in expected:
        compare(f"grad {k}", expected[k], grads[k], 1e-5, floor)
    n_grad = len(expected)
    worst = max(rows[2:], key=lambda r: r[1])
    worst = ("gradients, worst: " + worst[0][len("grad "):],) + worst[1:]
    for name, err, tol in rows[:2] + [worst]:
        print(f"  {name:52s} max |aprender - torch| / scale = {err:.2e}  (tolerance {tol:.0e})")
    print(f"  (a gradient's scale is its largest entry, at least 1% of the model's largest, {100 * floor:.3g})")
    print(f"{kind}: logits, loss and {n_grad} parameter gradients "
          f"{'agree' if ok else 'DISAGREE'} with PyTorch {torch.__version__} (float64)")
    if not ok:
        for name, err, tol in rows:
            if err > tol:
                print(f"  over tolerance: {name}: {err:.2e} > {tol:.0e}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
