"""Writes expected.json: texts and the ids an independent Python encoder gives them with tokenizer.json.

tokenizer.json here is a nanolens BPE (format version 1) trained on TextSamples.documents() with vocabulary 600;
it is kept as written, as a format fixture. This script is the reader documented in Bpe's Javadoc: pre-split with
the `regex` package, then merge the lowest-rank pair until none is left. BpeGoldenTest checks that nanolens encodes
every text to the same ids. Run: python3 golden_bpe.py (needs `pip install regex`).
"""
import json
import os
import random

import regex

HERE = os.path.dirname(os.path.abspath(__file__))
t = json.load(open(os.path.join(HERE, "tokenizer.json"), encoding="utf-8"))
vocab = [bytes([b]) for b in range(256)]
for a, b in t["merges"]:
    vocab.append(vocab[a] + vocab[b])
rank = {(a, b): 256 + r for r, (a, b) in enumerate(t["merges"])}


def encode(text):
    ids = []
    for chunk in regex.findall(t["pattern"], text):
        parts = list(chunk.encode("utf-8"))
        while len(parts) > 1:
            i = min(range(len(parts) - 1), key=lambda i: rank.get((parts[i], parts[i + 1]), 1 << 30))
            if (parts[i], parts[i + 1]) not in rank:
                break
            parts[i:i + 2] = [rank[(parts[i], parts[i + 1])]]
        ids += parts
    return ids


def decode(ids):
    return b"".join(vocab[i] for i in ids).decode("utf-8", "replace")


texts = [
    "Hello world 123456", "don't WE'LL they're I'd 'ſ", "The river had been rising for three days.",
    "日本語のテキスト、中文文本。", "مرحبا بالعالم", "👩‍👩‍👧 e\u0301 🇫🇷", "a" + " " * 300 + "b",
    "\t\t\tx\n\n\n  y\r\n\r\nz", "x\u3000\u3000y\u00a0\u00a0z\u2028w\u0085v", "<|bos|>", "",
    "    public static int sum(int[] values) {\n        return 0;\n    }\n",
]
rng = random.Random(2024)
alphabet = "'sStTlLvVeE ſ\t\n\r\u000b\f\u00a0\u3000aZé日9٣½.,!?-_\"\u0000\u001c"
for _ in range(100):
    chars = []
    for _ in range(rng.randrange(60)):
        if rng.random() < 0.1:
            cp = rng.randrange(0x110000)
            chars.append(chr(cp) if not 0xD800 <= cp <= 0xDFFF else "?")
        else:
            chars.append(rng.choice(alphabet))
    texts.append("".join(chars))

cases = []
for text in texts:
    ids = encode(text)
    assert decode(ids) == text
    cases.append({"text": text, "ids": ids})
with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
    f.write("[\n" + ",\n".join(json.dumps(case, ensure_ascii=True) for case in cases) + "\n]\n")
print(f"wrote {len(cases)} cases")
