#!/usr/bin/env python3
"""Small BERT-style encoders with seeded weights, exported by PyTorch, with an input batch and PyTorch's outputs,
for the BERT import tests.

No model is downloaded: the module below mirrors Hugging Face transformers' BertModel (eval mode, so no dropout,
absolute positions, no past key values), and its state_dict() names are exactly Hugging Face's BERT names with no
"bert." prefix (embeddings.word_embeddings.weight, encoder.layer.0.attention.self.query.weight, ...,
pooler.dense.bias). The position_ids and token_type_ids buffers are registered with persistent=False, as in
transformers, so they are not in the state dict. Weights are seeded and larger than transformers' normal(0, 0.02)
init, so that the outputs are not near-trivial: dense and embedding weights normal(0, 0.2), biases normal(0, 0.1),
LayerNorm weights 1 + normal(0, 0.1) and biases normal(0, 0.1); row 0 (the padding id) of the word embeddings is
zero, as transformers' _init_weights leaves it.
Models: bert_gelu (exact GELU, eps 1e-12, a pooler, token_type_ids as an input) and bert_tanh (tanh-approximate
GELU, eps 1e-5, no pooler, token types left to the zeros buffer); their sizes are in MODELS below.

Needs Debian's python3-torch (1.13) and python3-numpy; the onnx module (Debian's python3-onnx 1.12) is optional:
with it, every .onnx file is checked with onnx.checker.check_model(full_check=True), and --graphs FILE writes each
file's opset, inputs, outputs, initializers and nodes (op type, name, inputs -> outputs, attributes, the values of
small Constant tensors) to FILE. Run from anywhere (the output folder is found from this file's location):
    /usr/bin/python3 tools/torch/make_bert_models.py [--graphs /tmp/bert_graphs.txt]
For each model NAME it writes, into tests/models/bert/:
    NAME.opOO.onnx            torch.onnx.export in eval mode at opset OO (11, 13 and 17), do_constant_folding=True,
                              inputs input_ids, attention_mask[, token_type_ids] (int64 [batch, sequence]),
                              outputs last_hidden_state (float32 [batch, sequence, hidden])[, pooler_output
                              (float32 [batch, hidden])], dynamic axes "batch" and "sequence";
    NAME.safetensors          the state dict in float32 under Hugging Face's names (Linear weights [out, in]),
                              written by hand (no safetensors module needed): 8-byte little-endian header length,
                              a compact JSON header with the names sorted (each entry dtype, shape, data_offsets),
                              padded with spaces to a multiple of 8, then the raw little-endian data in the same
                              order;
    NAME.json                 the encoder's spec (layers, hidden, heads, intermediate, vocabulary, positions,
                              typeVocabulary, epsilon, activation "gelu" or "gelu_tanh", pooler);
    NAME.input_ids.npy        int64 [3, S]: a batch of 3 sequences of different real lengths, ids seeded in
                              [1, vocabulary), padded on the right with id 0;
    NAME.attention_mask.npy   int64 [3, S]: 1 on the real tokens, 0 on the padding;
    NAME.token_type_ids.npy   int64 [3, S], only for models with that input: 0 on the first (L+1)//2 real tokens,
                              1 on the rest, 0 on the padding;
    NAME.last_hidden_state.npy   PyTorch's float32 output [3, S, hidden] for that batch (eval mode, no_grad);
    NAME.pooler_output.npy       PyTorch's float32 output [3, hidden], only for models with a pooler.
Seeds are fixed and PyTorch runs on one thread, so a second run gives byte-identical files.
CI does not need Python: the files are committed.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "tests", "models", "bert")
OPSETS = [11, 13, 17]

torch.set_num_threads(1)


class BertEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocabulary"], c["hidden"], padding_idx=0)
        self.position_embeddings = nn.Embedding(c["positions"], c["hidden"])
        self.token_type_embeddings = nn.Embedding(c["typeVocabulary"], c["hidden"])
        self.LayerNorm = nn.LayerNorm(c["hidden"], eps=c["epsilon"])
        self.register_buffer("position_ids", torch.arange(c["positions"]).expand((1, -1)), persistent=False)
        self.register_buffer("token_type_ids", torch.zeros(self.position_ids.size(), dtype=torch.long), persistent=False)

    def forward(self, input_ids, token_type_ids=None):
        input_shape = input_ids.size()
        seq_length = input_shape[1]
        position_ids = self.position_ids[:, :seq_length]
        if token_type_ids is None:
            buffered_token_type_ids = self.token_type_ids[:, :seq_length]
            token_type_ids = buffered_token_type_ids.expand(input_shape[0], seq_length)
        embeddings = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        embeddings += self.position_embeddings(position_ids)
        return self.LayerNorm(embeddings)


class BertSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.num_attention_heads = c["heads"]
        self.attention_head_size = c["hidden"] // c["heads"]
        self.all_head_size = self.num_attention_heads * self.attention_head_size
        self.query = nn.Linear(c["hidden"], self.all_head_size)
        self.key = nn.Linear(c["hidden"], self.all_head_size)
        self.value = nn.Linear(c["hidden"], self.all_head_size)

    def transpose_for_scores(self, x):
        new_x_shape = x.size()[:-1] + (self.num_attention_heads, self.attention_head_size)
        x = x.view(new_x_shape)
        return x.permute(0, 2, 1, 3)

    def forward(self, hidden_states, attention_mask):
        query_layer = self.transpose_for_scores(self.query(hidden_states))
        key_layer = self.transpose_for_scores(self.key(hidden_states))
        value_layer = self.transpose_for_scores(self.value(hidden_states))
        attention_scores = torch.matmul(query_layer, key_layer.transpose(-1, -2))
        attention_scores = attention_scores / math.sqrt(self.attention_head_size)
        attention_scores = attention_scores + attention_mask
        attention_probs = nn.functional.softmax(attention_scores, dim=-1)
        context_layer = torch.matmul(attention_probs, value_layer)
        context_layer = context_layer.permute(0, 2, 1, 3).contiguous()
        new_context_layer_shape = context_layer.size()[:-2] + (self.all_head_size,)
        return context_layer.view(new_context_layer_shape)


class BertSelfOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden"], c["hidden"])
        self.LayerNorm = nn.LayerNorm(c["hidden"], eps=c["epsilon"])

    def forward(self, hidden_states, input_tensor):
        return self.LayerNorm(self.dense(hidden_states) + input_tensor)


class BertAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = BertSelfAttention(c)
        self.output = BertSelfOutput(c)

    def forward(self, hidden_states, attention_mask):
        return self.output(self.self(hidden_states, attention_mask), hidden_states)


class BertIntermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden"], c["intermediate"])
        self.intermediate_act_fn = nn.GELU(approximate="tanh" if c["activation"] == "gelu_tanh" else "none")

    def forward(self, hidden_states):
        return self.intermediate_act_fn(self.dense(hidden_states))


class BertOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["intermediate"], c["hidden"])
        self.LayerNorm = nn.LayerNorm(c["hidden"], eps=c["epsilon"])

    def forward(self, hidden_states, input_tensor):
        return self.LayerNorm(self.dense(hidden_states) + input_tensor)


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = BertAttention(c)
        self.intermediate = BertIntermediate(c)
        self.output = BertOutput(c)

    def forward(self, hidden_states, attention_mask):
        attention_output = self.attention(hidden_states, attention_mask)
        return self.output(self.intermediate(attention_output), attention_output)


class BertEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(c) for _ in range(c["layers"])])

    def forward(self, hidden_states, attention_mask):
        for layer_module in self.layer:
            hidden_states = layer_module(hidden_states, attention_mask)
        return hidden_states


class BertPooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden"], c["hidden"])
        self.activation = nn.Tanh()

    def forward(self, hidden_states):
        return self.activation(self.dense(hidden_states[:, 0]))


class BertModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = BertEmbeddings(c)
        self.encoder = BertEncoder(c)
        self.pooler = BertPooler(c) if c["pooler"] else None

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        embedding_output = self.embeddings(input_ids, token_type_ids)
        extended_attention_mask = attention_mask[:, None, None, :].to(dtype=torch.float32)
        extended_attention_mask = (1.0 - extended_attention_mask) * torch.finfo(torch.float32).min
        sequence_output = self.encoder(embedding_output, extended_attention_mask)
        if self.pooler is None:
            return sequence_output
        return sequence_output, self.pooler(sequence_output)


def init_weights(model):
    """Larger than Hugging Face's normal(0, 0.02) so that the outputs are not near-trivial; row 0 (padding_idx) of
    the word embeddings is zeroed, as transformers' _init_weights does."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".LayerNorm." in name:
                if name.endswith(".weight"):
                    p.copy_(1.0 + 0.1 * torch.randn(p.shape))
                else:
                    p.normal_(0.0, 0.1)
            elif name.endswith(".bias"):
                p.normal_(0.0, 0.1)
            else:
                p.normal_(0.0, 0.2)
        model.embeddings.word_embeddings.weight[0].zero_()


def write_safetensors(path, state_dict):
    names = sorted(state_dict)
    header, blobs, offset = {}, [], 0
    for name in names:
        data = state_dict[name].detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(state_dict[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")  # names sorted; fields as safetensors orders them
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)


def make_batch(c, lengths, types, seed):
    gen = torch.Generator().manual_seed(seed)
    seq = max(lengths)
    ids = torch.zeros((len(lengths), seq), dtype=torch.int64)
    mask = torch.zeros((len(lengths), seq), dtype=torch.int64)
    tt = torch.zeros((len(lengths), seq), dtype=torch.int64)
    for b, n in enumerate(lengths):
        ids[b, :n] = torch.randint(1, c["vocabulary"], (n,), generator=gen, dtype=torch.int64)
        mask[b, :n] = 1
        tt[b, (n + 1) // 2:n] = 1
    batch = {"input_ids": ids, "attention_mask": mask}
    if types:
        batch["token_type_ids"] = tt
    return batch


# spec, real sequence lengths of the batch of 3, whether token_type_ids is an input, seed
MODELS = [
    ({"name": "bert_gelu", "encoder": {"layers": 2, "hidden": 32, "heads": 4, "intermediate": 64, "vocabulary": 100,
                                       "positions": 64, "typeVocabulary": 2, "epsilon": 1e-12, "activation": "gelu",
                                       "pooler": True, "tokenTypes": True}},
     [9, 4, 6], True, 20261211),
    ({"name": "bert_tanh", "encoder": {"layers": 2, "hidden": 64, "heads": 4, "intermediate": 128, "vocabulary": 200,
                                       "positions": 40, "typeVocabulary": 2, "epsilon": 1e-5,
                                       "activation": "gelu_tanh", "pooler": False, "tokenTypes": False}},
     [11, 11, 5], False, 20261212),
]


def save_npy(name, array):
    np.save(os.path.join(OUT, name), np.ascontiguousarray(array))


def attribute_text(onnx, a):
    from onnx import numpy_helper
    v = onnx.helper.get_attribute_value(a)
    if a.type == onnx.AttributeProto.TENSOR:
        arr = numpy_helper.to_array(v)
        if arr.size <= 16:
            return "%s=tensor(%s %s %s)" % (a.name, arr.dtype, list(arr.shape), np.array2string(arr.reshape(-1), precision=17, separator=","))
        return "%s=tensor(%s %s, %d values)" % (a.name, arr.dtype, list(arr.shape), arr.size)
    if isinstance(v, bytes):
        v = v.decode()
    if isinstance(v, float):
        v = repr(v)
    return "%s=%s" % (a.name, v)


def value_text(onnx, vi):
    t = vi.type.tensor_type
    dims = [d.dim_param if d.dim_param else d.dim_value for d in t.shape.dim]
    return "%s %s %s" % (vi.name, onnx.TensorProto.DataType.Name(t.elem_type), dims)


def check_and_dump(paths, graphs):
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        print("onnx not installed: check_model skipped")
        return
    lines = []
    for path in paths:
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
        opset = [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")][0]
        g = model.graph
        print("%s: checked, opset %d, IR %d, %d nodes, %d initializers" % (os.path.basename(path), opset, model.ir_version, len(g.node), len(g.initializer)))
        lines.append("=== %s  opset %d  IR %d  producer %s %s  graph %s" % (os.path.basename(path), opset, model.ir_version, model.producer_name, model.producer_version, g.name))
        for vi in g.input:
            lines.append("input   " + value_text(onnx, vi))
        for vi in g.output:
            lines.append("output  " + value_text(onnx, vi))
        for t in g.initializer:
            arr = numpy_helper.to_array(t)
            extra = " " + np.array2string(arr.reshape(-1), precision=17, separator=",") if arr.size <= 16 else ""
            lines.append("init    %s %s %s%s" % (t.name, onnx.TensorProto.DataType.Name(t.data_type), list(t.dims), extra))
        for n in g.node:
            attrs = " ".join(attribute_text(onnx, a) for a in n.attribute)
            lines.append("node    %-20s %-55s %s -> %s%s" % (n.op_type, n.name, ", ".join(n.input), ", ".join(n.output), "  [" + attrs + "]" if attrs else ""))
        lines.append("")
    if graphs:
        with open(graphs, "w") as f:
            f.write("\n".join(lines) + "\n")
        print("graphs written to " + graphs)


# The MiniLM-sized encoder for speed work (about 90 MB as ONNX): written on demand by --minilm DIR, never committed.
MINILM = ({"name": "minilm", "encoder": {"layers": 6, "hidden": 384, "heads": 12, "intermediate": 1536, "vocabulary": 30522,
                                         "positions": 512, "typeVocabulary": 2, "epsilon": 1e-12, "activation": "gelu",
                                         "pooler": True, "tokenTypes": True}},
          [128], True, 20261213)


def main():
    global OUT
    graphs = None
    models, opsets = MODELS, OPSETS
    if len(sys.argv) == 3 and sys.argv[1] == "--graphs":
        graphs = sys.argv[2]
    elif len(sys.argv) == 3 and sys.argv[1] == "--minilm":
        OUT, models, opsets = os.path.abspath(sys.argv[2]), [MINILM], [17]
    elif len(sys.argv) != 1:
        sys.exit("usage: make_bert_models.py [--graphs FILE | --minilm DIR]")
    os.makedirs(OUT, exist_ok=True)
    exported = []
    for spec, lengths, types, seed in models:
        name, c = spec["name"], spec["encoder"]
        torch.manual_seed(seed)
        model = BertModel(c).eval()
        init_weights(model)
        batch = make_batch(c, lengths, types, seed + 1000)
        inputs = list(batch)
        outputs = ["last_hidden_state"] + (["pooler_output"] if c["pooler"] else [])
        with torch.no_grad():
            result = model(*batch.values())
        result = result if isinstance(result, tuple) else (result,)

        write_safetensors(os.path.join(OUT, name + ".safetensors"), model.state_dict())
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            f.write(json.dumps(spec) + "\n")
        for key, value in batch.items():
            save_npy(name + "." + key + ".npy", value.numpy().astype(np.int64))
        for key, value in zip(outputs, result):
            save_npy(name + "." + key + ".npy", value.numpy().astype(np.float32))
        print("%s: inputs %s, outputs %s, %d parameters" % (
            name, {k: list(v.shape) for k, v in batch.items()}, {k: list(v.shape) for k, v in zip(outputs, result)},
            sum(p.numel() for p in model.parameters())))

        dynamic_axes = {k: {0: "batch", 1: "sequence"} for k in inputs}
        dynamic_axes["last_hidden_state"] = {0: "batch", 1: "sequence"}
        if c["pooler"]:
            dynamic_axes["pooler_output"] = {0: "batch"}
        for opset in opsets:
            path = os.path.join(OUT, "%s.op%d.onnx" % (name, opset))
            try:
                torch.onnx.export(
                    model, tuple(batch.values()), path,
                    export_params=True,
                    opset_version=opset,
                    do_constant_folding=True,
                    input_names=inputs,
                    output_names=outputs,
                    dynamic_axes=dynamic_axes,
                )
            except Exception as e:  # an activation torch 1.13 cannot export at this opset
                print("%s: opset %d not exported: %s" % (name, opset, e))
                if os.path.exists(path):
                    os.remove(path)
                continue
            exported.append(path)
    if models is MODELS:
        check_and_dump(exported, graphs)


if __name__ == "__main__":
    main()
