"""GPT-2's forward pass in numpy (float64), written from the published definition, for
crates/genloop-transformer/tests/numpy_reference.rs.

Usage: python3 gpt2_numpy.py CHECKPOINT_DIR 3,1,4,1,5  ->  prints the logits [T, V] as a
flat JSON list. Reads config.json and model.safetensors (names with or without the
`transformer.` prefix)."""
import json
import sys

import numpy as np
from safetensors.numpy import load_file


def layer_norm(x, weight, bias, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def gelu(x):
    return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x**3)))


def attention(x, p, n_head):
    t = x.shape[0]
    q, k, v = np.split(x @ p("attn.c_attn.weight") + p("attn.c_attn.bias"), 3, axis=-1)
    split = lambda m: m.reshape(t, n_head, -1).transpose(1, 0, 2)
    q, k, v = split(q), split(k), split(v)
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    scores = scores + np.triu(np.full((t, t), -np.inf), 1)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    y = (weights @ v).transpose(1, 0, 2).reshape(t, -1)
    return y @ p("attn.c_proj.weight") + p("attn.c_proj.bias")


def logits(folder, ids):
    with open(f"{folder}/config.json") as f:
        config = json.load(f)
    raw = load_file(f"{folder}/model.safetensors")
    w = {k[len("transformer."):] if k.startswith("transformer.") else k: v.astype(np.float64) for k, v in raw.items()}
    eps = config.get("layer_norm_epsilon", 1e-5)
    x = w["wte.weight"][ids] + w["wpe.weight"][: len(ids)]
    for i in range(config["n_layer"]):
        p = lambda name, i=i: w[f"h.{i}.{name}"]
        x = x + attention(layer_norm(x, p("ln_1.weight"), p("ln_1.bias"), eps), p, config["n_head"])
        h = layer_norm(x, p("ln_2.weight"), p("ln_2.bias"), eps)
        x = x + gelu(h @ p("mlp.c_fc.weight") + p("mlp.c_fc.bias")) @ p("mlp.c_proj.weight") + p("mlp.c_proj.bias")
    x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], eps)
    return x @ w["wte.weight"].T


if __name__ == "__main__":
    ids = [int(t) for t in sys.argv[2].split(",")]
    print(json.dumps(logits(sys.argv[1], ids).ravel().tolist()))
