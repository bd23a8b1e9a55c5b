#!/usr/bin/env python3
"""A small, trained digit classifier for the DigitClassifier sample: an ONNX model, its test set and PyTorch's logits.

Needs Debian's python3-torch (1.13), python3-numpy and python3-sklearn (for scikit-learn's bundled 8x8 digits,
`sklearn.datasets.load_digits`, which ships inside the package: nothing is downloaded). torch.onnx.export does not
need the onnx module. Run from anywhere (the output folder is found from this file's location):
    /usr/bin/python3 tools/sample/make_digits_model.py
It loads the 1797 digits (64 pixels in 0..16), scales the pixels to [0, 1] (divided by 16), permutes them with a
seeded numpy RandomState, takes the first 1437 for training and the remaining 360 for testing, trains the MLP
    fc1 Linear(64, 64) -> ReLU -> fc2 Linear(64, 32) -> ReLU -> fc3 Linear(32, 10)
with Adam (fixed seed, epochs and mini-batch order), and writes, into samples/DigitClassifier/model/:
    digits.onnx                  torch.onnx.export in eval mode, opset 17, do_constant_folding=True, input "input"
                                 [batch, 64], output "output" [batch, 10] (logits, no softmax), a dynamic batch
                                 axis ("batch") on both; initializers fc1.weight, fc1.bias, ..., fc3.bias;
    digits-test.npy              the test images, float32, C order, [360, 64], scaled pixels;
    digits-test-labels.npy       their labels 0..9 as float32 [360] (the repository's .npy reader reads float32 only);
    digits-test.torch.npy        PyTorch's float32 logits for the test images (eval mode, no_grad): [360, 10].
Then it prints the test accuracy, the model file's size, its opset and nodes (read back from the .onnx bytes), and
PyTorch's predicted class for the first 8 test images with their labels.
Seeds are fixed and PyTorch runs on one thread, so a second run gives byte-identical files.
The sample does not need Python: the files are committed.
"""
import os

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "samples", "DigitClassifier", "model")
SPLIT_SEED = 20261210
TRAIN_SEED = 20261211
N_TRAIN = 1437
EPOCHS = 60
BATCH = 32
LR = 1e-3
OPSET = 17

torch.set_num_threads(1)


class DigitMlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 64)
        self.fc2 = nn.Linear(64, 32)
        self.fc3 = nn.Linear(32, 10)

    def forward(self, x):
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))


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
    digits = load_digits()
    pixels = (digits.data / 16.0).astype(np.float32)  # k/16 is exact in float32
    labels = digits.target.astype(np.int64)
    assert pixels.shape == (1797, 64) and pixels.min() == 0.0 and pixels.max() == 1.0

    order = np.random.RandomState(SPLIT_SEED).permutation(len(pixels))
    train, test = order[:N_TRAIN], order[N_TRAIN:]
    x_train, y_train = torch.from_numpy(pixels[train]), torch.from_numpy(labels[train])
    x_test = np.ascontiguousarray(pixels[test], dtype=np.float32)
    y_test = labels[test]

    torch.manual_seed(TRAIN_SEED)
    model = DigitMlp()
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    shuffle = torch.Generator().manual_seed(TRAIN_SEED)
    model.train()
    for _ in range(EPOCHS):
        for idx in torch.randperm(N_TRAIN, generator=shuffle).split(BATCH):
            optimizer.zero_grad()
            loss_fn(model(x_train[idx]), y_train[idx]).backward()
            optimizer.step()

    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(x_test)).numpy()
    predicted = logits.argmax(axis=1)
    accuracy = float((predicted == y_test).mean())

    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "digits.onnx")
    torch.onnx.export(
        model, torch.from_numpy(x_test[:1]), path,
        export_params=True,
        opset_version=OPSET,
        do_constant_folding=True,
        input_names=["input"],
        output_names=["output"],
        dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
    )
    np.save(os.path.join(OUT, "digits-test.npy"), x_test)
    np.save(os.path.join(OUT, "digits-test-labels.npy"), np.ascontiguousarray(y_test, dtype=np.float32))
    np.save(os.path.join(OUT, "digits-test.torch.npy"), np.ascontiguousarray(logits, dtype=np.float32))

    got_opset, nodes = summary(path)
    print("test accuracy: %.4f (%d of %d)" % (accuracy, int((predicted == y_test).sum()), len(y_test)))
    print("digits.onnx: %d bytes, opset %s" % (os.path.getsize(path), got_opset))
    for op_type, node_name in nodes:
        print("    %-10s %s" % (op_type, node_name))
    print("first 8 test images: predicted %s" % " ".join(str(int(p)) for p in predicted[:8]))
    print("                     label     %s" % " ".join(str(int(y)) for y in y_test[:8]))
    assert accuracy >= 0.95, "test accuracy %.4f is below 0.95" % accuracy
    assert [op for op, _ in nodes] == ["Gemm", "Relu", "Gemm", "Relu", "Gemm"], nodes


if __name__ == "__main__":
    main()
