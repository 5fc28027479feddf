#!/usr/bin/env python3
"""Writes the tiny GPT-2 fixture nanolens's GPT-2 tests compare against (nanolens-core/src/test/resources/fixtures/gpt2-tiny/).

An independent reference: GPT-2 written here in plain PyTorch from the architecture's definition (Radford et al. 2019;
the layout of Hugging Face's GPT2LMHeadModel), not from nanolens's Java code and without the transformers package:

    x = wte[ids] + wpe[positions]
    per block:  a = ln_1(x);  q, k, v = split(a @ c_attn.W + c_attn.b);  heads of n_embd / n_head channels
                y = softmax(q k^T / sqrt(head_dim), causal) v;  x = x + (y @ attn.c_proj.W + attn.c_proj.b)
                m = ln_2(x);  h = gelu_tanh(m @ c_fc.W + c_fc.b);  x = x + (h @ mlp.c_proj.W + mlp.c_proj.b)
    logits = ln_f(x) @ wte^T        (head tied to the token embedding, no soft cap)

LayerNorm has weight and bias (eps = layer_norm_epsilon); gelu_tanh(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
Conv1D weights are stored [in, out], so a layer is x @ W + b.

It builds a small random GPT-2 (vocab 512, 32 positions, d = 64, 2 layers, 4 heads) in float32 and writes:
  config.json          a Hugging Face GPT2Config (model_type "gpt2")
  model.safetensors    the weights under openai-community/gpt2's names (no "transformer." prefix: wte.weight,
                       h.0.attn.c_attn.weight, ...), plus the h.{i}.attn.bias causal-mask buffers real files carry
  expected.safetensors "tokens" (I32 [T]), "logits" (F32 [T, V]) and activations at three TransformerLens hook
                       points ([T, width] each), computed in float64 from the float32 weights
Every parameter is drawn with a seed, with spreads chosen so that each one (LayerNorm weights and every bias
included) visibly moves the logits. The whole directory stays under 1 MB.

Regenerate from the repository root (Debian: apt-get install -y python3-torch):
    python3 tools/gpt2_fixture.py
"""
import json
import math
import os
import struct

import torch

VOCAB = 512
POSITIONS = 32
D = 64
LAYERS = 2
HEADS = 4
EPS = 1e-5
SEED = 20260701
TOKENS = 24
HOOKS = ["blocks.0.hook_resid_post", "blocks.1.hook_attn_out", "blocks.1.mlp.hook_post"]
OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nanolens-core", "src", "test",
                                    "resources", "fixtures", "gpt2-tiny"))


def random_weights(gen):
    """GPT-2's parameters by Hugging Face name (no prefix), float32, Conv1D matrices [in, out]."""
    def normal(std, *shape):
        return (torch.randn(*shape, generator=gen, dtype=torch.float64) * std).float()

    w = {"wte.weight": normal(0.3, VOCAB, D), "wpe.weight": normal(0.3, POSITIONS, D)}
    for i in range(LAYERS):
        p = f"h.{i}."
        w[p + "ln_1.weight"] = 1 + normal(0.2, D)
        w[p + "ln_1.bias"] = normal(0.1, D)
        w[p + "attn.c_attn.weight"] = normal(D ** -0.5, D, 3 * D)
        w[p + "attn.c_attn.bias"] = normal(0.1, 3 * D)
        w[p + "attn.c_proj.weight"] = normal(D ** -0.5, D, D)
        w[p + "attn.c_proj.bias"] = normal(0.1, D)
        w[p + "ln_2.weight"] = 1 + normal(0.2, D)
        w[p + "ln_2.bias"] = normal(0.1, D)
        w[p + "mlp.c_fc.weight"] = normal(D ** -0.5, D, 4 * D)
        w[p + "mlp.c_fc.bias"] = normal(0.1, 4 * D)
        w[p + "mlp.c_proj.weight"] = normal((4 * D) ** -0.5, 4 * D, D)
        w[p + "mlp.c_proj.bias"] = normal(0.1, D)
    w["ln_f.weight"] = 1 + normal(0.2, D)
    w["ln_f.bias"] = normal(0.1, D)
    return w


def layer_norm(x, weight, bias):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + EPS) * weight + bias


def gelu_tanh(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def forward(w, ids):
    """Logits [T, V] and the hooked activations, all float64."""
    w = {k: v.double() for k, v in w.items()}
    t = ids.shape[0]
    hd = D // HEADS
    hooks = {}
    x = w["wte.weight"][ids] + w["wpe.weight"][torch.arange(t)]
    mask = torch.tril(torch.ones(t, t, dtype=torch.bool))
    for i in range(LAYERS):
        p = f"h.{i}."
        a = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"])
        qkv = a @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = (qkv[:, j * D:(j + 1) * D].reshape(t, HEADS, hd).transpose(0, 1) for j in range(3))
        scores = (q @ k.transpose(1, 2)) / math.sqrt(hd)
        scores = scores.masked_fill(~mask, float("-inf"))
        y = (torch.softmax(scores, dim=-1) @ v).transpose(0, 1).reshape(t, D)
        attn_out = y @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        hooks[f"blocks.{i}.hook_attn_out"] = attn_out
        x = x + attn_out
        m = layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"])
        h = gelu_tanh(m @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"])
        hooks[f"blocks.{i}.mlp.hook_post"] = h
        x = x + h @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
        hooks[f"blocks.{i}.hook_resid_post"] = x
    logits = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"]) @ w["wte.weight"].T
    return logits, hooks


def write_safetensors(path, tensors, metadata):
    """The safetensors layout: 8-byte little-endian header length, JSON header, then the raw little-endian data."""
    dtypes = {torch.float32: "F32", torch.int32: "I32"}
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        data = t.contiguous().numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtypes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main():
    gen = torch.Generator().manual_seed(SEED)
    weights = random_weights(gen)
    ids = torch.randint(0, VOCAB, (TOKENS,), generator=gen)
    ids[0], ids[-1] = 0, VOCAB - 1
    logits, hooks = forward(weights, ids)
    os.makedirs(OUT, exist_ok=True)
    config = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": VOCAB,
              "n_positions": POSITIONS, "n_ctx": POSITIONS, "n_embd": D, "n_layer": LAYERS, "n_head": HEADS,
              "n_inner": None, "activation_function": "gelu_new", "layer_norm_epsilon": EPS,
              "bos_token_id": VOCAB - 1, "eos_token_id": VOCAB - 1}
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    stored = dict(weights)
    for i in range(LAYERS):
        stored[f"h.{i}.attn.bias"] = torch.tril(torch.ones(POSITIONS, POSITIONS)).view(1, 1, POSITIONS, POSITIONS)
    write_safetensors(os.path.join(OUT, "model.safetensors"), stored, {"format": "pt"})
    expected = {"tokens": ids.to(torch.int32), "logits": logits.float()}
    expected.update({name: hooks[name].float() for name in HOOKS})
    write_safetensors(os.path.join(OUT, "expected.safetensors"), expected,
                      {"script": "tools/gpt2_fixture.py", "seed": str(SEED)})
    print(f"wrote {OUT}: logits {tuple(logits.shape)}, |logits| max {logits.abs().max().item():.3f}")


if __name__ == "__main__":
    main()
