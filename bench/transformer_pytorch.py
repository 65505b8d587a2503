"""The GPT-2 model of genloop-transformer written plainly in PyTorch, trained and sampled
the way `genloop lm train --model transformer` and `sample_throughput` do it, for the
speed comparison in bench/compare_transformer.sh.

Same model: learned token and position embeddings, pre-LayerNorm blocks of causal
multi-head attention and a 4x GELU (tanh) MLP, final LayerNorm, output projection tied
to the token embedding, dropout 0, GPT-2 initialisation (normal 0.02, residual
projections 0.02 / sqrt(2 L)). Same data: one verse per line, UTF-8 bytes, an
end-of-text id (256) before every verse and one at the end, so the vocabulary has 257
entries like genloop's byte-level BPE with --vocab-size 256 plus its end-of-text id;
the first 90 % of the stream trains, the last 10 % validates. Same optimisation
(crates/genloop-transformer/src/optim.rs, train.rs): AdamW betas (0.9, 0.95), eps 1e-8,
weight decay 0.1 on 2-D weights only, gradient clipping at global norm 1.0, linear
warm-up over min(steps / 10, 100) steps from lr / warmup, cosine decay to lr / 10;
random windows of context + 1 tokens; validation every max(steps / 10, 1) steps and after
the last, on the same evenly spaced validation windows genloop evaluates (at most
--eval-tokens / context of them), in batches of --batch-size, without gradients.

`train_tokens_per_second` is steps x batch x context over the wall time of the whole
training loop, validation included, as genloop's `train_tokens_per_second`.
`sample_tokens_per_second` decodes --sample-batch sequences of --sample-length tokens
each from the end-of-text id with a key/value cache (one token per sequence per step,
temperature 1, torch.multinomial over the full softmax, and the drawn token's log-
probability kept, as genloop's `sample` does), prompt step included.

Prints one JSON object.
"""

import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads, layers, attention):
        super().__init__()
        self.heads, self.attention = heads, attention
        self.ln_1 = nn.LayerNorm(d, eps=1e-5)
        self.c_attn = nn.Linear(d, 3 * d)
        self.attn_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d, eps=1e-5)
        self.c_fc = nn.Linear(d, 4 * d)
        self.mlp_proj = nn.Linear(4 * d, d)
        for proj in (self.attn_proj, self.mlp_proj):
            proj.residual = True

    def attend(self, x, cache=None):
        b, t, d = x.shape
        hs = d // self.heads
        q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
        q, k, v = (z.view(b, t, self.heads, hs).transpose(1, 2) for z in (q, k, v))
        if cache is not None:
            # cache: [keys, values, filled], each [b, heads, window, hs].
            pos = cache[2]
            cache[0][:, :, pos : pos + t] = k
            cache[1][:, :, pos : pos + t] = v
            cache[2] = pos + t
            k, v = cache[0][:, :, : pos + t], cache[1][:, :, : pos + t]
            y = F.scaled_dot_product_attention(q, k, v)  # t == 1: every cached key is earlier
        elif self.attention == "sdpa":
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)
            mask = torch.ones(t, t, dtype=torch.bool, device=x.device).tril()
            att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
            y = att @ v
        return self.attn_proj(y.transpose(1, 2).reshape(b, t, d))

    def forward(self, x, cache=None):
        x = x + self.attend(x, cache)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class Gpt2(nn.Module):
    def __init__(self, vocab, context, d, layers, heads, attention):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(context, d)
        self.blocks = nn.ModuleList(Block(d, heads, layers, attention) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d, eps=1e-5)
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif p.dim() == 2:
                residual = "attn_proj" in name or "mlp_proj" in name
                std = 0.02 / math.sqrt(2 * layers) if residual else 0.02
                nn.init.normal_(p, std=std)

    def forward(self, idx, caches=None, start=0):
        t = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(start, start + t, device=idx.device))
        for i, block in enumerate(self.blocks):
            x = block(x, None if caches is None else caches[i])
        return self.ln_f(x) @ self.wte.weight.t()  # tied output projection


def token_stream(path):
    eot = 256
    stream = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            stream.append(eot)
            stream.extend(line.rstrip("\n").encode("utf-8"))
    stream.append(eot)
    return torch.tensor(stream, dtype=torch.long)


def learning_rate(step, max_lr, warmup, total):
    min_lr = 0.1 * max_lr
    if step < warmup:
        return max_lr * (step + 1) / warmup
    if step >= total:
        return min_lr
    progress = (step - warmup) / max(total - warmup, 1)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * progress)) * (max_lr - min_lr)


def eval_starts(tokens, context, max_windows):
    count = (len(tokens) - 1) // context
    if max_windows and count > max_windows:
        return [(i * count // max_windows) * context for i in range(max_windows)]
    return [w * context for w in range(count)]


@torch.no_grad()
def evaluate(model, valid, starts, context, batch):
    model.eval()
    total, count = 0.0, 0
    for at in range(0, len(starts), batch):
        group = torch.tensor(starts[at : at + batch])
        offsets = torch.arange(context)
        x = valid[group[:, None] + offsets]
        y = valid[group[:, None] + offsets + 1]
        logits = model(x)
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), y.view(-1))
        total += loss.item() * len(group)
        count += len(group)
    model.train()
    return total / max(count, 1)


def train(model, train_tokens, valid, args):
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() != 2]
    options = {"fused": True} if args.optimizer == "fused" else {}
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.learning_rate,
        betas=(0.9, 0.95),
        eps=1e-8,
        **options,
    )
    warmup = min(args.steps // 10, 100)
    eval_every = max(args.steps // 10, 1)
    starts = eval_starts(valid, args.context, max(args.eval_tokens // args.context, 1))
    gen = torch.Generator().manual_seed(args.seed)
    offsets = torch.arange(args.context)
    best, losses = float("inf"), []
    begin = time.perf_counter()
    for step in range(args.steps):
        at = torch.randint(0, len(train_tokens) - args.context, (args.batch_size,), generator=gen)
        x = train_tokens[at[:, None] + offsets]
        y = train_tokens[at[:, None] + offsets + 1]
        logits = model(x)
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), y.view(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        for group in opt.param_groups:
            group["lr"] = learning_rate(step, args.learning_rate, warmup, args.steps)
        opt.step()
        losses.append(loss.item())
        done = step + 1
        if done % eval_every == 0 or done == args.steps:
            best = min(best, evaluate(model, valid, starts, args.context, args.batch_size))
    seconds = time.perf_counter() - begin
    return args.steps * args.batch_size * args.context / seconds, best, losses[-1]


@torch.no_grad()
def sample_throughput(model, args):
    model.eval()
    layers, heads, d = args.layers, args.heads, args.d_model
    b, length = args.sample_batch, args.sample_length
    gen = torch.Generator().manual_seed(args.seed)
    begin = time.perf_counter()
    window = length + 1
    caches = [
        [torch.zeros(b, heads, window, d // heads), torch.zeros(b, heads, window, d // heads), 0]
        for _ in range(layers)
    ]
    token = torch.full((b, 1), 256, dtype=torch.long)
    drawn, log_probs = [], []
    for pos in range(length):
        logits = model(token, caches, start=pos)[:, -1]
        log_p = logits.log_softmax(dim=-1)
        token = torch.multinomial(log_p.exp(), 1, generator=gen)
        drawn.append(token)
        log_probs.append(log_p.gather(1, token))
    seconds = time.perf_counter() - begin
    return b * length / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--d-model", type=int, default=128)
    parser.add_argument("--context", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--eval-tokens", type=int, default=16384)
    parser.add_argument("--attention", choices=["sdpa", "manual"], default="sdpa")
    parser.add_argument("--optimizer", choices=["default", "fused"], default="default")
    parser.add_argument("--sample-batch", type=int, default=32)
    parser.add_argument("--sample-length", type=int, default=0, help="default: context - 1")
    args = parser.parse_args()
    args.sample_length = args.sample_length or args.context - 1
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    stream = token_stream(args.corpus)
    valid_len = max(len(stream) // 10, args.context + 1)
    train_tokens, valid = stream[:-valid_len], stream[-valid_len:]
    model = Gpt2(257, args.context, args.d_model, args.layers, args.heads, args.attention)
    parameters = sum(p.numel() for p in model.parameters())
    tokens_per_second, best, last = train(model, train_tokens, valid, args)
    sample_tps = sample_throughput(model, args)
    print(
        json.dumps(
            {
                "tool": "pytorch",
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "attention": args.attention,
                "optimizer": args.optimizer,
                "parameters": parameters,
                "train_tokens_per_second": tokens_per_second,
                "final_validation_loss": best,
                "last_train_loss": last,
                "sample_tokens_per_second": sample_tps,
                "sample_batch": args.sample_batch,
                "sample_length": args.sample_length,
            }
        )
    )


if __name__ == "__main__":
    main()
