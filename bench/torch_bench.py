#!/usr/bin/env python3
"""The engine's two benchmark steps in PyTorch CPU (one thread by default) for comparison (see main/engine/bench.ts).

MLP: 784-1024-1024-1024-10 ReLU, batch 256, Adam. CNN: conv3x3(1->32)+ReLU, maxpool 2, conv3x3(32->64)+ReLU,
maxpool 2, fc 3136->128 + ReLU, fc 128->10, batch 128, Adam, 28x28x1. Each step: forward, cross-entropy, backward,
Adam update, on one fixed random batch. Prints one JSON line:
{"mlpSamplesPerSecond", "cnnImagesPerSecond", "torchVersion", "threads"}.
Usage: python3 bench/torch_bench.py [--seconds 5] [--threads 1]
"""
import argparse
import json
import time

import torch
from torch import nn


def measure(model, x, y, seconds, warmup=3):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(warmup):
        step()
    steps = 0
    t0 = time.perf_counter()
    while True:
        step()
        steps += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds and steps >= 2:
            break
    return steps * x.shape[0] / elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    mlp = nn.Sequential(
        nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10)
    )
    mlp_rate = measure(mlp, torch.rand(256, 784), torch.randint(0, 10, (256,)), args.seconds)
    cnn = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10),
    )
    cnn_rate = measure(cnn, torch.rand(128, 1, 28, 28), torch.randint(0, 10, (128,)), args.seconds)
    print(json.dumps({
        "mlpSamplesPerSecond": mlp_rate,
        "cnnImagesPerSecond": cnn_rate,
        "torchVersion": torch.__version__,
        "threads": torch.get_num_threads(),
    }))


if __name__ == "__main__":
    main()
