#!/usr/bin/env python3
"""The nanochat v1 GPT in plain PyTorch: the reference `./nanolens bench model` measures nanolens against.

It is the same model as nanolens's Java one (io.nanolens.model), written the way a PyTorch user would:
token embedding; parameter-free RMSNorm (eps = float32 machine epsilon, as F.rms_norm uses when eps is None);
per block x += attn(norm(x)), x += mlp(norm(x)); attention with rotary embeddings (base 10000, "halves" layout:
channel i of the first half turns with channel i of the second half), QK-norm after rotary, grouped-query heads
(query head h reads key/value head h // (n_head / n_kv_head)), causal softmax with scale 1/sqrt(head_dim); MLP
relu(x)^2 over 4*d; final norm; untied lm_head; logits soft-capped as 15*tanh(z/15); mean cross-entropy with
ignore_index=-1. No biases anywhere. float32 on the CPU, 2 threads unless told otherwise.

Attention uses F.scaled_dot_product_attention when this torch has it (2.0 and later) and a plain causal
softmax(q k^T / sqrt(hd)) v otherwise (Debian's torch 1.13).

Speed (prints one JSON line):
    /usr/bin/python3 bench/gpt_torch.py --preset tiny --batch 8 --seq-len 256 --vocab 4096 --steps 5 --warmup 2
A training step is forward + loss + backward with the gradients zeroed first; the optimizer is left out (nanolens's
side of the benchmark leaves it out too). The forward pass is inference: logits under torch.no_grad(), no loss.

Same-model check (prints one JSON line with the loss):
    /usr/bin/python3 bench/gpt_torch.py --weights model.safetensors --tokens 1,2,3,... --batch B --seq-len T
The safetensors file holds nanochat's state-dict names (transformer.wte.weight, transformer.h.{i}.attn.c_q.weight,
..., lm_head.weight) in float32; its metadata may give n_head and n_kv_head (else --n-head / --n-kv-head).
--tokens holds B*(T+1) ids: each row's first T are the inputs, its last T the targets.

Set-up on Debian: apt-get install -y python3-torch python3-numpy libopenblas0-pthread
"""
import argparse
import json
import math
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {
    # name: (sequence_len, n_layer, n_head, n_kv_head, n_embd), as GptConfig.tiny / GptConfig.small
    "tiny": (256, 4, 4, 4, 128),
    "small": (512, 6, 4, 4, 256),
}
ROTARY_BASE = 10000.0
ROTARY_SPAN = 10
SOFTCAP = 15.0
EPS = float(np.finfo(np.float32).eps)


def norm(x):
    """Parameter-free RMSNorm over the last dimension."""
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS)


def rotary_tables(head_dim, positions):
    """cos and sin [positions, head_dim/2], computed in float64 and stored as float32, as nanolens does."""
    half = head_dim // 2
    inv_freq = ROTARY_BASE ** (-2.0 * np.arange(half, dtype=np.float64) / head_dim)
    angles = np.outer(np.arange(positions, dtype=np.float64), inv_freq)
    return (torch.from_numpy(np.cos(angles).astype(np.float32)),
            torch.from_numpy(np.sin(angles).astype(np.float32)))


def rotate(x, cos, sin):
    """x [B, T, heads, hd]: y1 = x1 cos + x2 sin, y2 = -x1 sin + x2 cos over the two halves of each head."""
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos + x2 * sin, x2 * cos - x1 * sin], dim=-1)


class Attention(nn.Module):
    def __init__(self, d, n_head, n_kv_head):
        super().__init__()
        self.n_head, self.n_kv_head, self.hd = n_head, n_kv_head, d // n_head
        self.c_q = nn.Linear(d, n_head * self.hd, bias=False)
        self.c_k = nn.Linear(d, n_kv_head * self.hd, bias=False)
        self.c_v = nn.Linear(d, n_kv_head * self.hd, bias=False)
        self.c_proj = nn.Linear(d, d, bias=False)

    def forward(self, x, cos, sin, mask):
        b, t, d = x.shape
        q = self.c_q(x).view(b, t, self.n_head, self.hd)
        k = self.c_k(x).view(b, t, self.n_kv_head, self.hd)
        v = self.c_v(x).view(b, t, self.n_kv_head, self.hd)
        q, k = norm(rotate(q, cos, sin)), norm(rotate(k, cos, sin))
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        group = self.n_head // self.n_kv_head
        if group > 1:
            k = k.repeat_interleave(group, dim=1)
            v = v.repeat_interleave(group, dim=1)
        if hasattr(F, "scaled_dot_product_attention"):
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.hd))
            att = att.masked_fill(mask[:t, :t], float("-inf"))
            y = F.softmax(att, dim=-1) @ v
        return self.c_proj(y.transpose(1, 2).contiguous().view(b, t, d))


class Mlp(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.c_fc = nn.Linear(d, 4 * d, bias=False)
        self.c_proj = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return self.c_proj(F.relu(self.c_fc(x)).square())


class Block(nn.Module):
    def __init__(self, d, n_head, n_kv_head):
        super().__init__()
        self.attn = Attention(d, n_head, n_kv_head)
        self.mlp = Mlp(d)

    def forward(self, x, cos, sin, mask):
        x = x + self.attn(norm(x), cos, sin, mask)
        return x + self.mlp(norm(x))


class Gpt(nn.Module):
    def __init__(self, sequence_len, vocab, n_layer, n_head, n_kv_head, d):
        super().__init__()
        self.transformer = nn.ModuleDict({
            "wte": nn.Embedding(vocab, d),
            "h": nn.ModuleList([Block(d, n_head, n_kv_head) for _ in range(n_layer)]),
        })
        self.lm_head = nn.Linear(d, vocab, bias=False)
        cos, sin = rotary_tables(d // n_head, ROTARY_SPAN * sequence_len)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        self.register_buffer("mask", torch.ones(sequence_len, sequence_len, dtype=torch.bool).triu(1),
                             persistent=False)

    def forward(self, idx, targets=None):
        t = idx.shape[1]
        cos, sin = self.cos[None, :t, None, :], self.sin[None, :t, None, :]
        x = norm(self.transformer.wte(idx))
        for block in self.transformer.h:
            x = block(x, cos, sin, self.mask)
        logits = self.lm_head(norm(x))
        logits = SOFTCAP * torch.tanh(logits / SOFTCAP)
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-1)


def read_safetensors(path):
    """{name: float32 tensor} and the metadata dict; the safetensors package if present, else by hand."""
    with open(path, "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
        data = f.read()
    metadata = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            sys.exit(f"gpt_torch.py: {path}: tensor {name} is {info['dtype']}; write the weights as F32")
        start, end = info["data_offsets"]
        array = np.frombuffer(data[start:end], dtype="<f4").reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors, metadata


def check_loss(args):
    tensors, metadata = read_safetensors(args.weights)
    n_head = int(metadata.get("n_head", args.n_head or 0))
    n_kv_head = int(metadata.get("n_kv_head", args.n_kv_head or n_head))
    if n_head < 1:
        sys.exit("gpt_torch.py: the weights' metadata has no n_head; pass --n-head")
    vocab, d = tensors["transformer.wte.weight"].shape
    layers = sum(1 for name in tensors if name.endswith(".attn.c_q.weight"))
    model = Gpt(args.seq_len, vocab, layers, n_head, n_kv_head, d)
    model.load_state_dict(tensors, strict=True)
    ids = [int(x) for x in args.tokens.split(",")]
    if len(ids) != args.batch * (args.seq_len + 1):
        sys.exit(f"gpt_torch.py: --tokens has {len(ids)} ids; need batch*(seq_len+1) = "
                 f"{args.batch * (args.seq_len + 1)}")
    rows = torch.tensor(ids, dtype=torch.long).view(args.batch, args.seq_len + 1)
    with torch.no_grad():
        loss = model(rows[:, :-1], rows[:, 1:])
    print(json.dumps({"loss": float(loss), "torch": torch.__version__}))


def throughput(args):
    sequence_len, n_layer, n_head, n_kv_head, d = PRESETS[args.preset] if args.preset else (
        args.seq_len, args.n_layer, args.n_head, args.n_kv_head, args.n_embd)
    n_layer, n_head = args.n_layer or n_layer, args.n_head or n_head
    n_kv_head, d = args.n_kv_head or n_kv_head, args.n_embd or d
    t = args.seq_len or sequence_len
    torch.manual_seed(args.seed)
    model = Gpt(max(t, sequence_len), args.vocab, n_layer, n_head, n_kv_head, d)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0.0, 1.0 / math.sqrt(p.shape[1]))
    g = torch.Generator().manual_seed(args.seed)
    idx = torch.randint(0, args.vocab, (args.batch, t), generator=g)
    targets = torch.randint(0, args.vocab, (args.batch, t), generator=g)
    tokens = args.batch * t

    def train_step():
        model.zero_grad(set_to_none=False)
        model(idx, targets).backward()

    def forward_step():
        with torch.no_grad():
            model(idx)

    result = {"preset": args.preset or "custom", "batch": args.batch, "seq_len": t, "vocab": args.vocab,
              "n_layer": n_layer, "n_head": n_head, "n_kv_head": n_kv_head, "n_embd": d,
              "threads": torch.get_num_threads(), "torch": torch.__version__,
              "sdpa": hasattr(F, "scaled_dot_product_attention")}
    for name, step in (("train", train_step), ("forward", forward_step)):
        if name not in args.measure.split(","):
            continue
        for _ in range(args.warmup):
            step()
        start = time.perf_counter()
        for _ in range(args.steps):
            step()
        seconds = time.perf_counter() - start
        result[name + "_tokens_per_s"] = tokens * args.steps / seconds
    print(json.dumps(result))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--preset", choices=sorted(PRESETS), help="model size as nanolens's GptConfig presets")
    p.add_argument("--n-layer", type=int)
    p.add_argument("--n-head", type=int)
    p.add_argument("--n-kv-head", type=int)
    p.add_argument("--n-embd", type=int)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--seq-len", type=int, help="tokens per sequence (default: the preset's context)")
    p.add_argument("--vocab", type=int, default=4096)
    p.add_argument("--steps", type=int, default=5, help="timed steps")
    p.add_argument("--warmup", type=int, default=2, help="untimed steps first")
    p.add_argument("--measure", default="train,forward", help="train, forward or both (comma-separated)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--weights", help="safetensors file: print the loss of these weights on --tokens instead")
    p.add_argument("--tokens", help="comma-separated ids, batch*(seq_len+1) of them (with --weights)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    if args.weights:
        if not args.tokens or not args.seq_len:
            sys.exit("gpt_torch.py: --weights needs --tokens and --seq-len")
        check_loss(args)
        return
    if not args.preset and not all((args.n_layer, args.n_head, args.n_embd, args.seq_len)):
        sys.exit("gpt_torch.py: give --preset tiny|small or --n-layer, --n-head, --n-embd and --seq-len")
    throughput(args)


if __name__ == "__main__":
    main()
