#!/usr/bin/env python3
"""Writes the tiny nanochat run nanolens's tests load: nanolens-core/src/test/resources/fixtures/nanochat-tiny/.

The layout is the one a nanochat run leaves under its base directory (~/.cache/nanochat):

    nanochat-tiny/base_checkpoints/d2/model_000010.pt    torch.save(state_dict), the zip format
    nanochat-tiny/base_checkpoints/d2/meta_000010.json   {"step": 10, "model_config": {...}, ...}
    nanochat-tiny/tokenizer/tokenizer.pkl                a pickled tiktoken.core.Encoding
    nanochat-tiny/expected.json                          tokens, expected logits, expected encodings

The model is the nanochat v1 GPT (d=64, 2 layers, 4 query heads, 2 key/value heads, context 32, vocabulary
256 bytes + 23 merges + nanochat's 9 special tokens = 288) with seeded random weights, all non-zero. It is computed
here in float64 by a forward pass written from the architecture's description, not from nanochat's code, and
without importing nanochat: token embedding; parameter-free RMSNorm (eps = float32 machine epsilon, what
F.rms_norm uses for float32 input); per block x += attn(norm(x)) and x += mlp(norm(x)); attention with rotary
embeddings (base 10000, the "halves" layout), then RMSNorm of each query and key head, grouped-query heads, causal
softmax(q k^T / sqrt(head_dim)); MLP relu(x)^2 over 4d; final norm; untied lm_head; logits 15 tanh(z / 15).

expected.json also describes every saved tensor (shape, dtype, sum, first and last values in row-major order) so
the checkpoint reader can be checked tensor by tensor. It holds the logits twice. "logits" uses rotary tables computed in float64, as nanolens does;
"logits_bf16_rotary" rounds cos and sin to bfloat16 the way nanochat's _precompute_rotary_embeddings keeps them,
so the test can bound how far nanolens is from what nanochat itself computes.

The weights exercise the checkpoint reader: transformer.wte is bfloat16 (nanochat casts the embedding to bf16 on
GPU, so real checkpoints hold it that way); layer 1's mlp.c_fc is float16; layer 0's c_k and c_v are two slices
of one storage (a non-zero storage offset); layer 1's c_q is a transposed view (strides (1, 64)). The reference
computes with exactly the values saved. Real nanochat checkpoints hold contiguous float32/bf16 tensors only.

The tokenizer is a byte-level BPE trained here on a short text with nanochat's split pattern; tokenizer.pkl is
what pickle.dump(enc) writes for a tiktoken Encoding (a stand-in class registered as tiktoken.core.Encoding with
the same __getstate__, so the stream is byte-for-byte what tiktoken produces: PROTO 4, STACK_GLOBAL
tiktoken.core Encoding, EMPTY_TUPLE, NEWOBJ, the state dict {name, pat_str, mergeable_ranks, special_tokens},
BUILD). Expected encodings come from tiktoken's algorithm written out here (split with the `regex` package, then
merge the adjacent pair whose bytes have the lowest rank until none is in the table).

Run from the repository root (Debian: apt-get install python3-torch python3-regex):
    /usr/bin/python3 tools/nanochat_fixture.py
It overwrites the fixture; the same seed gives the same files.
"""
import json
import math
import os
import pickle
import sys
import types

import regex
import torch

OUT = os.path.join("nanolens-core", "src", "test", "resources", "fixtures", "nanochat-tiny")
STEP = 10
SEED = 1234
SEQUENCE_LEN, N_LAYER, N_HEAD, N_KV_HEAD, N_EMBD = 32, 2, 4, 2, 64
MERGES = 23
SOFTCAP = 15.0
ROTARY_BASE = 10000.0
EPS = float(torch.finfo(torch.float32).eps)
SPECIAL_TOKENS = ["<|bos|>", "<|user_start|>", "<|user_end|>", "<|assistant_start|>", "<|assistant_end|>",
                  "<|python_start|>", "<|python_end|>", "<|output_start|>", "<|output_end|>"]
SPLIT_PATTERN = (r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,2}| ?[^\s\p{L}\p{N}]++[\r\n]*"""
                 r"""|\s*[\r\n]|\s+(?!\S)|\s+""")
TRAINING_TEXT = ("the cat sat on the mat. the dog sat on the log. then the cat and the dog ran to the sea, "
                 "and there they saw the other cats and dogs. ") * 4
ENCODED_TEXTS = [
    "the cat sat on the mat",
    "Then THE dog's tail: it's 12345 long!\n\n  and\tthe  end  ",
    "ünïcödé ⚡ 😀 é\r\nx",
    "<|bos|> is text here",
    "",
]
FORWARD_TEXT = "the dog and the cat sat on the log, then they ran."
FORWARD_TOKENS = 16


# ---------------------------------------------------------------------------------------------- tokenizer

def chunks(text):
    return regex.findall(SPLIT_PATTERN, text)


def train_ranks():
    """Byte-level BPE: the most frequent adjacent pair (ties: the first in sorted order) becomes the next rank."""
    words = [list(bytes([b]) for b in c.encode("utf-8")) for c in chunks(TRAINING_TEXT)]
    ranks = {bytes([b]): b for b in range(256)}
    for _ in range(MERGES):
        counts = {}
        for w in words:
            for pair in zip(w, w[1:]):
                counts[pair] = counts.get(pair, 0) + 1
        best = max(sorted(counts), key=lambda p: counts[p])
        merged = best[0] + best[1]
        ranks[merged] = len(ranks)
        for w in words:
            i = 0
            while i < len(w) - 1:
                if (w[i], w[i + 1]) == best:
                    w[i:i + 2] = [merged]
                i += 1
    return ranks


def encode(ranks, text):
    """tiktoken's encode_ordinary: split, then merge the lowest-ranked adjacent pair while one is in the table."""
    ids = []
    for chunk in chunks(text):
        parts = [bytes([b]) for b in chunk.encode("utf-8")]
        while len(parts) > 1:
            best = min(range(len(parts) - 1), key=lambda i: ranks.get(parts[i] + parts[i + 1], math.inf))
            if parts[best] + parts[best + 1] not in ranks:
                break
            parts[best:best + 2] = [parts[best] + parts[best + 1]]
        ids += [ranks[p] for p in parts]
    return ids


def pickle_encoding(state, path):
    """pickle.dump of a tiktoken Encoding, through a stand-in class with tiktoken's module, name and state."""
    core = types.ModuleType("tiktoken.core")
    package = types.ModuleType("tiktoken")
    package.core = core

    class Encoding:
        def __init__(self, s):
            self._state = s

        def __getstate__(self):
            return self._state

    Encoding.__module__, Encoding.__qualname__, Encoding.__name__ = "tiktoken.core", "Encoding", "Encoding"
    core.Encoding = Encoding
    sys.modules["tiktoken"], sys.modules["tiktoken.core"] = package, core
    with open(path, "wb") as f:
        pickle.dump(Encoding(state), f)


# ---------------------------------------------------------------------------------------------- model

def make_weights(vocab):
    """Seeded random weights with nanochat's names and nn.Linear [out, in] layout; every tensor non-zero."""
    g = torch.Generator().manual_seed(SEED)
    hd = N_EMBD // N_HEAD
    kv = N_KV_HEAD * hd

    def linear(out, inp, gain=1.0):
        return torch.randn(out, inp, generator=g, dtype=torch.float32) * (gain / math.sqrt(inp))

    sd = {"transformer.wte.weight": torch.randn(vocab, N_EMBD, generator=g).to(torch.bfloat16)}
    for layer in range(N_LAYER):
        p = f"transformer.h.{layer}."
        if layer == 0:
            sd[p + "attn.c_q.weight"] = linear(N_EMBD, N_EMBD, 2.0)
            fused = linear(2 * kv, N_EMBD, 2.0)
            sd[p + "attn.c_k.weight"], sd[p + "attn.c_v.weight"] = fused[:kv], fused[kv:]
        else:
            sd[p + "attn.c_q.weight"] = linear(N_EMBD, N_EMBD, 2.0).t().contiguous().t()
            sd[p + "attn.c_k.weight"] = linear(kv, N_EMBD, 2.0)
            sd[p + "attn.c_v.weight"] = linear(kv, N_EMBD)
        sd[p + "attn.c_proj.weight"] = linear(N_EMBD, N_EMBD)
        fc = linear(4 * N_EMBD, N_EMBD)
        sd[p + "mlp.c_fc.weight"] = fc.half() if layer == 1 else fc
        sd[p + "mlp.c_proj.weight"] = linear(N_EMBD, 4 * N_EMBD, 0.5)
    sd["lm_head.weight"] = linear(vocab, N_EMBD, 4.0)
    return sd


def rms_norm(x):
    return x / torch.sqrt((x * x).mean(dim=-1, keepdim=True) + EPS)


def rotary_tables(positions, hd, bf16):
    if bf16:
        inv = 1.0 / (ROTARY_BASE ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
        angles = torch.outer(torch.arange(positions, dtype=torch.float32), inv)
        return angles.cos().bfloat16().double(), angles.sin().bfloat16().double()
    inv = ROTARY_BASE ** (-torch.arange(0, hd, 2, dtype=torch.float64) / hd)
    angles = torch.outer(torch.arange(positions, dtype=torch.float64), inv)
    return angles.cos(), angles.sin()


def rotate(x, cos, sin):
    """x [T, heads, hd]: channel i of the first half turns with channel i of the second half."""
    half = x.shape[-1] // 2
    a, b = x[..., :half], x[..., half:]
    c, s = cos[:, None, :], sin[:, None, :]
    return torch.cat([a * c + b * s, b * c - a * s], dim=-1)


def forward(w, tokens, bf16_rotary):
    """Logits [T, V] in float64 for one sequence."""
    T = len(tokens)
    hd = N_EMBD // N_HEAD
    group = N_HEAD // N_KV_HEAD
    cos, sin = rotary_tables(T, hd, bf16_rotary)
    x = rms_norm(w["transformer.wte.weight"][torch.tensor(tokens)])
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for layer in range(N_LAYER):
        p = f"transformer.h.{layer}."
        h = rms_norm(x)
        q = rms_norm(rotate((h @ w[p + "attn.c_q.weight"].T).view(T, N_HEAD, hd), cos, sin))
        k = rms_norm(rotate((h @ w[p + "attn.c_k.weight"].T).view(T, N_KV_HEAD, hd), cos, sin))
        v = (h @ w[p + "attn.c_v.weight"].T).view(T, N_KV_HEAD, hd)
        heads = []
        for head in range(N_HEAD):
            scores = q[:, head, :] @ k[:, head // group, :].T / math.sqrt(hd)
            scores = scores.masked_fill(~causal, -math.inf)
            heads.append(torch.softmax(scores, dim=-1) @ v[:, head // group, :])
        x = x + torch.cat(heads, dim=-1) @ w[p + "attn.c_proj.weight"].T
        hidden = torch.relu(rms_norm(x) @ w[p + "mlp.c_fc.weight"].T) ** 2
        x = x + hidden @ w[p + "mlp.c_proj.weight"].T
    z = rms_norm(x) @ w["lm_head.weight"].T
    return SOFTCAP * torch.tanh(z / SOFTCAP)


def rows(t):
    return [[float("%.9g" % v) for v in row] for row in t.tolist()]


def main():
    checkpoints = os.path.join(OUT, "base_checkpoints", "d" + str(N_LAYER))
    tokenizer_dir = os.path.join(OUT, "tokenizer")
    os.makedirs(checkpoints, exist_ok=True)
    os.makedirs(tokenizer_dir, exist_ok=True)

    ranks = train_ranks()
    specials = {name: len(ranks) + i for i, name in enumerate(SPECIAL_TOKENS)}
    vocab = len(ranks) + len(specials)
    pickle_encoding({"name": "rustbpe", "pat_str": SPLIT_PATTERN, "mergeable_ranks": ranks,
                     "special_tokens": specials}, os.path.join(tokenizer_dir, "tokenizer.pkl"))

    weights = make_weights(vocab)
    torch.save(weights, os.path.join(checkpoints, "model_%06d.pt" % STEP))
    config = {"sequence_len": SEQUENCE_LEN, "vocab_size": vocab, "n_layer": N_LAYER, "n_head": N_HEAD,
              "n_kv_head": N_KV_HEAD, "n_embd": N_EMBD}
    meta = {"step": STEP, "val_bpb": 4.25, "model_config": config,
            "user_config": {"depth": N_LAYER, "max_seq_len": SEQUENCE_LEN}, "device_batch_size": 4,
            "max_seq_len": SEQUENCE_LEN}
    with open(os.path.join(checkpoints, "meta_%06d.json" % STEP), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2)

    tokens = ([specials["<|bos|>"]] + encode(ranks, FORWARD_TEXT))[:FORWARD_TOKENS]
    w64 = {name: t.double() for name, t in weights.items()}
    expected = {
        "config": config,
        "step": STEP,
        "tokens": tokens,
        "logits": rows(forward(w64, tokens, bf16_rotary=False)),
        "logits_bf16_rotary": rows(forward(w64, tokens, bf16_rotary=True)),
        "encodings": [{"text": t, "ids": encode(ranks, t)} for t in ENCODED_TEXTS],
        "tensors": {name: {"shape": list(t.shape), "dtype": str(t.dtype).removeprefix("torch."),
                           "sum": float(t.double().sum()), "first": t.double().flatten()[:4].tolist(),
                           "last": t.double().flatten()[-4:].tolist()} for name, t in weights.items()},
    }
    with open(os.path.join(OUT, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False)
        f.write("\n")
    print("wrote", OUT, "vocab", vocab, "tokens", tokens)


if __name__ == "__main__":
    main()
