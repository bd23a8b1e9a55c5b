#!/usr/bin/env python3
"""Golden gradients from PyTorch autograd for SimdCheckpoint's backward-pass tests.

Needs Debian's python3-torch (1.13). Run from the repository root:
    python3 tools/torch/make_backward_goldens.py
It writes tests/SimdCheckpoint.Tests/Goldens/backward-*.json: the layers, weights ([K, N] row-major, as
`DenseLayerWeights` in the InputsByOutputs layout), biases, input, upstream gradient, and what autograd computes in
float64 from the float32 values: the output, dX, and each layer's dW ([K, N]) and db. CI does not need Python: the
files are committed. The tests compare within a relative tolerance, since autograd sums in another order.
"""
import json
import os

import torch

torch.manual_seed(20261127)
OUT = os.path.join("tests", "SimdCheckpoint.Tests", "Goldens")

ACTIVATIONS = {
    "identity": lambda z: z,
    "relu": torch.relu,
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.1),
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "gelu": lambda z: torch.nn.functional.gelu(z),
    "gelu_tanh": lambda z: torch.nn.functional.gelu(z, approximate="tanh"),
    "silu": torch.nn.functional.silu,
    "softmax": lambda z: torch.softmax(z, dim=-1),
}

NETWORKS = {
    "transformer-mlp": [(6, 16, "gelu"), (16, 12, "silu"), (12, 9, "tanh"), (9, 5, "gelu_tanh")],
    "classifier": [(8, 10, "relu"), (10, 10, "leaky_relu"), (10, 7, "sigmoid"), (7, 4, "softmax")],
    "deep-narrow": [(3, 5, "tanh")] + [(5, 5, a) for a in ("gelu", "silu", "relu", "identity", "sigmoid", "gelu_tanh")] + [(5, 2, "identity")],
}


def f32(t):
    return t.to(torch.float32).to(torch.float64)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, layers in NETWORKS.items():
        batch = 4
        weights = [f32(torch.randn(k, n) / k**0.5) for k, n, _ in layers]
        biases = [f32(torch.randn(n) * 0.1) for _, n, _ in layers]
        x = f32(torch.randn(batch, layers[0][0]))
        dy = f32(torch.randn(batch, layers[-1][1]))
        for t in weights + biases + [x]:
            t.requires_grad_(True)
        h = x
        for (k, n, act), w, b in zip(layers, weights, biases):
            h = ACTIVATIONS[act](h @ w + b)
        h.backward(dy)
        doc = {
            "name": name,
            "torch": torch.__version__,
            "batch": batch,
            "layers": [{"inputs": k, "outputs": n, "activation": a} for k, n, a in layers],
            "weights": [w.detach().flatten().tolist() for w in weights],
            "biases": [b.detach().tolist() for b in biases],
            "input": x.detach().flatten().tolist(),
            "outputGradient": dy.flatten().tolist(),
            "output": h.detach().flatten().tolist(),
            "inputGradient": x.grad.flatten().tolist(),
            "weightGradients": [w.grad.flatten().tolist() for w in weights],
            "biasGradients": [b.grad.tolist() for b in biases],
        }
        path = os.path.join(OUT, f"backward-{name}.json")
        with open(path, "w") as f:
            json.dump(doc, f, indent=1)
        print(path)


if __name__ == "__main__":
    main()
