#!/usr/bin/env python3
"""The whole IUNet comparison on a numeric table, in PyTorch CPU: the reference `iunet run` is timed against.

The same work as the engine (main/engine/pipeline.ts, shared/iunet-method.md), written independently:
- split 70/15/15 (stratified), numeric features standardized on train;
- IUNet: MLP depth x width (He init), projection head (min(width, 256) -> 64), PIS (weights x kappa), ILO =
  CE + lambda * NT-Xent(tau) between two SCARF views (corruption 0.4) in one forward pass with the supervised batch,
  `epochs` supernet epochs; then per ratio r: global OMP over the encoder weights to 1/r, rewind to the UNSCALED init,
  finetune with CE for `finetune-epochs`, mask fixed, best-validation epoch kept;
- OMP: the same with a CE supernet from the standard init;
- dense MLP: CE for epochs + finetune-epochs, best-validation epoch kept;
- tabular ResNet (Gorishniy et al. 2021: width 128, 2 blocks, hidden 256, BN): CE, the same budget;
- every epoch ends with a validation pass; each model ends with a test pass and one transformed test pass (invariance).
AdamW (weight decay 0 by default), one fixed batch order per epoch from the seed. Prints one JSON line:
{"seconds", "models": {name: test accuracy}, "threads", "torchVersion"}.

Usage: /usr/bin/python3 bench/torch_comparison.py --data resources/examples/breast_cancer.csv [--target label]
       [--depth 4] [--width 512] [--epochs 30] [--finetune-epochs 30] [--batch-size 128] [--threads 1] ...
"""
import argparse
import copy
import csv
import json
import math
import time

import torch
import torch.nn.functional as F
from torch import nn


def load(path, target):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], [r for r in rows[1:] if r]
    t = header.index(target) if target else len(header) - 1
    classes = sorted({r[t] for r in rows})
    x = torch.tensor([[float(v) for j, v in enumerate(r) if j != t] for r in rows], dtype=torch.float32)
    y = torch.tensor([classes.index(r[t]) for r in rows])
    return x, y, len(classes)


def split(y, seed, shares=(0.7, 0.15, 0.15)):
    g = torch.Generator().manual_seed(seed)
    parts = [[], [], []]
    for c in y.unique():
        idx = (y == c).nonzero().flatten()
        idx = idx[torch.randperm(len(idx), generator=g)]
        n_test = max(1, round(len(idx) * shares[2]))
        n_val = max(1, round(len(idx) * shares[1]))
        parts[2].append(idx[:n_test])
        parts[1].append(idx[n_test:n_test + n_val])
        parts[0].append(idx[n_test + n_val:])
    return [torch.cat(p) for p in parts]


class Mlp(nn.Module):
    def __init__(self, d_in, classes, depth, width, projection):
        super().__init__()
        self.encoder = nn.ModuleList()
        for i in range(depth):
            layer = nn.Linear(d_in if i == 0 else width, width)
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            nn.init.zeros_(layer.bias)
            self.encoder.append(layer)
        self.head = nn.Linear(width, classes)
        self.proj = nn.Sequential(nn.Linear(width, min(width, 256)), nn.ReLU(), nn.Linear(min(width, 256), 64)) if projection else None

    def features(self, x):
        for layer in self.encoder:
            x = F.relu(layer(x))
        return x

    def forward(self, x):
        return self.head(self.features(x))


class TabResNet(nn.Module):
    def __init__(self, d_in, classes, d=128, blocks=2, hidden=256):
        super().__init__()
        self.first = nn.Linear(d_in, d)
        self.blocks = nn.ModuleList(nn.ModuleList([nn.BatchNorm1d(d), nn.Linear(d, hidden), nn.Linear(hidden, d)]) for _ in range(blocks))
        self.bn = nn.BatchNorm1d(d)
        self.head = nn.Linear(d, classes)

    def features(self, x):
        h = self.first(x)
        for bn, l1, l2 in self.blocks:
            h = h + l2(F.relu(l1(bn(h))))
        return F.relu(self.bn(h))

    def forward(self, x):
        return self.head(self.features(x))


def scarf(x, pool, rate, g):
    n, f = x.shape
    q = round(rate * f)
    out = x.clone()
    if q == 0:
        return out
    cols = torch.rand(n, f, generator=g).argsort(dim=1)[:, :q]
    donors = torch.randint(0, pool.shape[0], (n, q), generator=g)
    out.scatter_(1, cols, pool[donors, cols])
    return out


def nt_xent(z1, z2, tau):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    s = z @ z.t() / tau
    s.fill_diagonal_(float("-inf"))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(s, target)


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        out = (model(x).argmax(1) == y).float().mean().item()
    model.train()
    return out


def fit(model, data, epochs, a, g, ilo=False, masks=None, keep_best=True):
    xtr, ytr, xva, yva, pool = data
    opt = torch.optim.AdamW(model.parameters(), lr=a.learning_rate, weight_decay=a.weight_decay)
    best, best_acc = None, -1.0
    for _ in range(epochs):
        order = torch.randperm(len(ytr), generator=g)
        for b in range(0, len(order), a.batch_size):
            idx = order[b:b + a.batch_size]
            if ilo and len(idx) < 2:
                continue
            xb, yb = xtr[idx], ytr[idx]
            opt.zero_grad(set_to_none=True)
            if ilo:
                n = len(idx)
                feats = model.features(torch.cat([xb, scarf(xb, pool, a.corruption, g), scarf(xb, pool, a.corruption, g)]))
                z = model.proj(feats[n:]) if model.proj is not None else feats[n:]
                loss = F.cross_entropy(model.head(feats[:n]), yb) + a.lam * nt_xent(z[: n], z[n:], a.tau)
            else:
                loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            if masks:
                for layer, m in zip(model.encoder, masks):
                    layer.weight.grad.mul_(m)
            opt.step()
            if masks:
                with torch.no_grad():
                    for layer, m in zip(model.encoder, masks):
                        layer.weight.mul_(m)
        acc = accuracy(model, xva, yva)
        if keep_best and acc > best_acc:
            best_acc, best = acc, copy.deepcopy(model.state_dict())
    if keep_best and best is not None:
        model.load_state_dict(best)


def evaluate(model, xte, yte, pool, a, g):
    acc = accuracy(model, xte, yte)
    accuracy(model, scarf(xte, pool, a.corruption, g), yte)
    return acc


def omp_masks(model, ratio):
    weights = [layer.weight.detach().abs().flatten() for layer in model.encoder]
    allw = torch.cat(weights)
    keep = max(1, len(allw) // ratio)
    threshold = allw.kthvalue(len(allw) - keep + 1).values
    return [(layer.weight.detach().abs() >= threshold).float() for layer in model.encoder]


def pruned(name, data, test, d_in, classes, a, g, pis, ilo):
    torch.manual_seed(a.seed)
    supernet = Mlp(d_in, classes, a.depth, a.width, projection=ilo)
    theta = copy.deepcopy(supernet.state_dict())
    if pis:
        with torch.no_grad():
            for layer in [*supernet.encoder, supernet.head]:
                layer.weight.mul_(a.kappa)
    fit(supernet, data, a.epochs, a, g, ilo=ilo, keep_best=False)
    out = {}
    for r in a.ratios:
        masks = omp_masks(supernet, r)
        sub = Mlp(d_in, classes, a.depth, a.width, projection=False)
        sub.load_state_dict({k: v for k, v in theta.items() if not k.startswith("proj")})
        with torch.no_grad():
            for layer, m in zip(sub.encoder, masks):
                layer.weight.mul_(m)
        fit(sub, data, a.finetune_epochs, a, g, masks=masks)
        out[f"{name} 1/{r}"] = evaluate(sub, *test, data[4], a, g)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--target", default=None)
    ap.add_argument("--models", default="iunet,mlp,resnet,omp")
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--width", type=int, default=512)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--finetune-epochs", type=int, default=30)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--learning-rate", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--kappa", type=float, default=0.125)
    ap.add_argument("--lambda", dest="lam", type=float, default=1.0)
    ap.add_argument("--tau", type=float, default=0.5)
    ap.add_argument("--corruption", type=float, default=0.4)
    ap.add_argument("--ratios", default="8,16")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    a.ratios = [int(r) for r in a.ratios.split(",")]
    torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    x, y, classes = load(a.data, a.target)
    tr, va, te = split(y, a.seed)
    mean, std = x[tr].mean(0), x[tr].std(0).clamp_min(1e-12)
    x = (x - mean) / std
    data = (x[tr], y[tr], x[va], y[va], x[tr])
    test = (x[te], y[te])
    g = torch.Generator().manual_seed(a.seed)
    d_in = x.shape[1]
    results = {}
    for m in a.models.split(","):
        if m == "iunet":
            results.update(pruned("IUNet", data, test, d_in, classes, a, g, pis=True, ilo=True))
        elif m == "omp":
            results.update(pruned("OMP", data, test, d_in, classes, a, g, pis=False, ilo=False))
        elif m == "mlp":
            torch.manual_seed(a.seed)
            model = Mlp(d_in, classes, a.depth, a.width, projection=False)
            fit(model, data, a.epochs + a.finetune_epochs, a, g)
            results["Dense MLP"] = evaluate(model, *test, data[4], a, g)
        elif m == "resnet":
            torch.manual_seed(a.seed)
            model = TabResNet(d_in, classes)
            fit(model, data, a.epochs + a.finetune_epochs, a, g)
            results["ResNet"] = evaluate(model, *test, data[4], a, g)
        else:
            raise SystemExit(f"unknown model {m}")
    print(json.dumps({"seconds": time.perf_counter() - t0, "models": results, "threads": torch.get_num_threads(), "torchVersion": torch.__version__}))


if __name__ == "__main__":
    main()
