#!/usr/bin/env python3
"""GPT-2 in plain PyTorch: the reference `./nanolens bench gpt2` measures nanolens's GPT-2 forward pass against.

The model of Hugging Face's GPT2LMHeadModel, written the way a PyTorch user would without the transformers package
(Debian ships none): x = wte[ids] + wpe[positions]; per block x += attn(ln_1(x)), x += mlp(ln_2(x)) with
attn = c_proj(causal softmax(q k^T / sqrt(hd)) v) over q, k, v = split(c_attn(.)) and mlp = c_proj(gelu_tanh(c_fc(.)));
logits = ln_f(x) @ wte^T. LayerNorm with weight and bias (eps 1e-5), biases on every layer, Conv1D weights [in, out]
applied with torch.addmm. float32 on the CPU under torch.no_grad(), 2 threads unless told otherwise.
Attention uses F.scaled_dot_product_attention when this torch has it (2.0 and later), else a masked softmax
(Debian's torch 1.13).

Speed (prints one JSON line; random weights of GPT-2 small's shapes unless --n-* say otherwise):
    /usr/bin/python3 bench/gpt2_torch.py --batch 1 --seq-len 256 --steps 3 --warmup 1
The forward pass is inference: logits for every position, no loss.

Same-model check (prints one JSON line with the loss):
    /usr/bin/python3 bench/gpt2_torch.py --model DIR --tokens 1,2,3,... --batch B --seq-len T
DIR is a Hugging Face GPT-2 directory (config.json + model.safetensors in F32, names with or without the
"transformer." prefix), e.g. one nanolens wrote; --tokens holds B*(T+1) ids: each row's first T are the inputs, its
last T the targets.

Set-up on Debian: apt-get install -y python3-torch python3-numpy libopenblas0-pthread
"""
import argparse
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

SMALL = {"vocab_size": 50257, "n_positions": 1024, "n_embd": 768, "n_layer": 12, "n_head": 12,
         "layer_norm_epsilon": 1e-5}


def gelu_tanh(x):
    """GELU, tanh form: torch's fused kernel (1.12 and later), else the formula as transformers' gelu_new writes it."""
    try:
        return F.gelu(x, approximate="tanh")
    except TypeError:
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)))


class Gpt2:
    """GPT-2 over a dict of weights by Hugging Face name (no prefix)."""

    def __init__(self, config, w):
        self.c = config
        self.w = w
        n = config["n_positions"]
        self.mask = torch.ones(n, n, dtype=torch.bool).triu(1)
        self.sdpa = hasattr(F, "scaled_dot_product_attention")

    def linear(self, x, name):
        b, t, k = x.shape
        y = torch.addmm(self.w[name + ".bias"], x.reshape(b * t, k), self.w[name + ".weight"])
        return y.view(b, t, -1)

    def norm(self, x, name):
        return F.layer_norm(x, (x.shape[-1],), self.w[name + ".weight"], self.w[name + ".bias"],
                            self.c["layer_norm_epsilon"])

    def attention(self, x, p):
        b, t, d = x.shape
        heads = self.c["n_head"]
        hd = d // heads
        q, k, v = self.linear(x, p + "attn.c_attn").split(d, dim=2)
        q, k, v = (z.view(b, t, heads, hd).transpose(1, 2) for z in (q, k, v))
        if self.sdpa:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
            att = att.masked_fill(self.mask[:t, :t], float("-inf"))
            y = torch.softmax(att, dim=-1) @ v
        return self.linear(y.transpose(1, 2).reshape(b, t, d), p + "attn.c_proj")

    def __call__(self, idx):
        b, t = idx.shape
        x = self.w["wte.weight"][idx] + self.w["wpe.weight"][:t]
        for i in range(self.c["n_layer"]):
            p = f"h.{i}."
            x = x + self.attention(self.norm(x, p + "ln_1"), p)
            x = x + self.linear(gelu_tanh(self.linear(self.norm(x, p + "ln_2"), p + "mlp.c_fc")), p + "mlp.c_proj")
        x = self.norm(x, "ln_f")
        return (x.reshape(b * t, -1) @ self.w["wte.weight"].t()).view(b, t, -1)


def random_weights(c, seed):
    """GPT-2's parameter shapes, N(0, 0.02) weights as Hugging Face initialises them, random biases and norms."""
    g = torch.Generator().manual_seed(seed)
    d, inner = c["n_embd"], 4 * c["n_embd"]

    def normal(std, *shape):
        return torch.randn(*shape, generator=g) * std

    w = {"wte.weight": normal(0.02, c["vocab_size"], d), "wpe.weight": normal(0.01, c["n_positions"], d)}
    for i in range(c["n_layer"]):
        p = f"h.{i}."
        for name, shape in (("attn.c_attn", (d, 3 * d)), ("attn.c_proj", (d, d)), ("mlp.c_fc", (d, inner)),
                            ("mlp.c_proj", (inner, d))):
            w[p + name + ".weight"] = normal(0.02, *shape)
            w[p + name + ".bias"] = normal(0.02, shape[1])
        for name in ("ln_1", "ln_2"):
            w[p + name + ".weight"] = 1 + normal(0.1, d)
            w[p + name + ".bias"] = normal(0.02, d)
    w["ln_f.weight"] = 1 + normal(0.1, d)
    w["ln_f.bias"] = normal(0.02, d)
    return w


def read_model(directory):
    """config.json and model.safetensors (F32) of a Hugging Face GPT-2 directory, names without the prefix."""
    with open(os.path.join(directory, "config.json")) as f:
        config = dict(SMALL, **json.load(f))
    with open(os.path.join(directory, "model.safetensors"), "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
        data = f.read()
    header.pop("__metadata__", None)
    w = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            sys.exit(f"gpt2_torch.py: tensor {name} is {info['dtype']}; write the weights as F32")
        start, end = info["data_offsets"]
        array = np.frombuffer(data[start:end], dtype="<f4").reshape(info["shape"])
        w[name[len("transformer."):] if name.startswith("transformer.") else name] = torch.from_numpy(array.copy())
    return config, w


def check_loss(args):
    config, w = read_model(args.model)
    ids = [int(x) for x in args.tokens.split(",")]
    if len(ids) != args.batch * (args.seq_len + 1):
        sys.exit(f"gpt2_torch.py: --tokens has {len(ids)} ids; need batch*(seq_len+1) = "
                 f"{args.batch * (args.seq_len + 1)}")
    rows = torch.tensor(ids, dtype=torch.long).view(args.batch, args.seq_len + 1)
    with torch.no_grad():
        logits = Gpt2(config, w)(rows[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), rows[:, 1:].reshape(-1))
    print(json.dumps({"loss": float(loss), "torch": torch.__version__}))


def throughput(args):
    c = dict(SMALL)
    for key in ("n_layer", "n_head", "n_embd", "vocab_size"):
        if getattr(args, key):
            c[key] = getattr(args, key)
    model = Gpt2(c, random_weights(c, args.seed))
    g = torch.Generator().manual_seed(args.seed)
    idx = torch.randint(0, c["vocab_size"], (args.batch, args.seq_len), generator=g)
    with torch.no_grad():
        for _ in range(args.warmup):
            model(idx)
        start = time.perf_counter()
        for _ in range(args.steps):
            model(idx)
        seconds = time.perf_counter() - start
    print(json.dumps(dict(c, batch=args.batch, seq_len=args.seq_len, threads=torch.get_num_threads(),
                          torch=torch.__version__, sdpa=hasattr(F, "scaled_dot_product_attention"),
                          forward_tokens_per_s=args.batch * args.seq_len * args.steps / seconds)))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--seq-len", type=int, default=256)
    p.add_argument("--n-layer", dest="n_layer", type=int)
    p.add_argument("--n-head", dest="n_head", type=int)
    p.add_argument("--n-embd", dest="n_embd", type=int)
    p.add_argument("--vocab", dest="vocab_size", type=int)
    p.add_argument("--steps", type=int, default=3, help="timed forward passes")
    p.add_argument("--warmup", type=int, default=1, help="untimed forward passes first")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--model", help="Hugging Face GPT-2 directory: print the loss of its weights on --tokens instead")
    p.add_argument("--tokens", help="comma-separated ids, batch*(seq_len+1) of them (with --model)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    if args.model:
        if not args.tokens:
            sys.exit("gpt2_torch.py: --model needs --tokens, --batch and --seq-len")
        check_loss(args)
        return
    throughput(args)


if __name__ == "__main__":
    main()
