#!/usr/bin/env python3
"""Small ONNX models exported by PyTorch, with an input batch and PyTorch's output, for the ONNX import tests.

Needs only Debian's python3-torch (1.13) and python3-numpy; torch.onnx.export does not need the onnx module.
Run from anywhere (the output folder is found from this file's location):
    /usr/bin/python3 tools/onnx/make_onnx_models.py
For each model NAME it writes, into tests/models/onnx/:
    NAME.onnx        torch.onnx.export in eval mode, do_constant_folding=True, input "input", output "output",
                     a dynamic batch axis ("batch") on both;
    NAME.input.npy   a float32 C-order batch of 5 (seeded randn): [5, features], or [5, 1, 4, 5] for the flatten model;
    NAME.torch.npy   PyTorch's float32 output for that batch (eval mode, no_grad): [5, outputs].
Then it prints each model's opset and its nodes (op type and name, read back from the .onnx bytes).
Seeds are fixed and PyTorch runs on one thread, so a second run gives byte-identical files.
CI does not need Python: the files are committed.
"""
import os

import numpy as np
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "tests", "models", "onnx")
BATCH = 5

torch.set_num_threads(1)


class MlpRelu(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(20, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class MlpGeluTanhSoftmax(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(16, 48)
        self.gelu = nn.GELU()  # exact (erf) form
        self.fc2 = nn.Linear(48, 24)
        self.fc3 = nn.Linear(24, 6)

    def forward(self, x):
        return torch.softmax(self.fc3(torch.tanh(self.fc2(self.gelu(self.fc1(x))))), dim=-1)


class MlpSiluLeakySigmoid(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(12, 40)
        self.silu = nn.SiLU()
        self.fc2 = nn.Linear(40, 24)
        self.leaky = nn.LeakyReLU(0.2)
        self.fc3 = nn.Linear(24, 8)

    def forward(self, x):
        return torch.sigmoid(self.fc3(self.leaky(self.fc2(self.silu(self.fc1(x))))))


class MlpFlattenDropout(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.dropout = nn.Dropout(0.3)
        self.identity = nn.Identity()
        self.fc1 = nn.Linear(20, 33)
        self.fc2 = nn.Linear(33, 7)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(self.identity(self.dropout(self.flatten(x))))))


class MatMulAdd(nn.Module):
    """relu(x @ W1 + b1) @ W2 with explicit [K, N] parameters: MatMul + Add, then a MatMul with no Add."""

    def __init__(self):
        super().__init__()
        self.W1 = nn.Parameter(torch.randn(24, 16) / 24**0.5)
        self.b1 = nn.Parameter(torch.randn(16) * 0.1)
        self.W2 = nn.Parameter(torch.randn(16, 5) / 16**0.5)

    def forward(self, x):
        return torch.relu(x @ self.W1 + self.b1) @ self.W2


# name, module class, opset, input shape after the batch axis, seed
MODELS = [
    ("mlp_relu", MlpRelu, 9, (20,), 20261201),
    ("mlp_gelu_tanh_softmax", MlpGeluTanhSoftmax, 13, (16,), 20261202),
    ("mlp_silu_leaky_sigmoid", MlpSiluLeakySigmoid, 17, (12,), 20261203),
    ("mlp_flatten_dropout", MlpFlattenDropout, 11, (1, 4, 5), 20261204),
    ("matmul_add", MatMulAdd, 14, (24,), 20261205),
]
# An opset-21 model would need torch >= 2.3; torch 1.13 exports up to opset 17, so it is not made here.


def read_varint(buf, i):
    value = shift = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def fields(buf):
    """The (field number, value) pairs of one protobuf message; length-delimited values as bytes."""
    i = 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = read_varint(buf, i)
        elif wire == 2:
            length, i = read_varint(buf, i)
            value, i = bytes(buf[i:i + length]), i + length
        elif wire == 5:
            value, i = bytes(buf[i:i + 4]), i + 4
        elif wire == 1:
            value, i = bytes(buf[i:i + 8]), i + 8
        else:
            raise ValueError("unexpected wire type %d" % wire)
        yield number, value


def summary(path):
    """The default-domain opset and the (op type, name) of each node, from ModelProto fields 8 and 7."""
    opset, nodes = None, []
    for number, value in fields(open(path, "rb").read()):
        if number == 8:  # opset_import
            entry = dict(fields(value))
            if entry.get(1, b"") == b"":
                opset = entry.get(2)
        elif number == 7:  # graph
            for gnumber, gvalue in fields(value):
                if gnumber == 1:  # node: name is field 3, op_type field 4
                    node = dict(fields(gvalue))
                    nodes.append((node.get(4, b"").decode(), node.get(3, b"").decode()))
    return opset, nodes


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, cls, opset, shape, seed in MODELS:
        torch.manual_seed(seed)
        model = cls().eval()
        x = torch.randn((BATCH,) + shape, dtype=torch.float32)
        with torch.no_grad():
            y = model(x)
        path = os.path.join(OUT, name + ".onnx")
        torch.onnx.export(
            model, x, path,
            export_params=True,
            opset_version=opset,
            do_constant_folding=True,
            input_names=["input"],
            output_names=["output"],
            dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
        )
        np.save(os.path.join(OUT, name + ".input.npy"), np.ascontiguousarray(x.numpy(), dtype=np.float32))
        np.save(os.path.join(OUT, name + ".torch.npy"), np.ascontiguousarray(y.numpy(), dtype=np.float32))
        got_opset, nodes = summary(path)
        print("%s: opset %s, input %s, output %s" % (name, got_opset, list(x.shape), list(y.shape)))
        for op_type, node_name in nodes:
            print("    %-10s %s" % (op_type, node_name))


if __name__ == "__main__":
    main()
