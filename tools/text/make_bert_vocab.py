#!/usr/bin/env python3
"""Writes the WordPiece vocabularies of the BERT test models (tests/models/bert/NAME.vocab.txt), one token per line,
the line number being the token id, with exactly as many lines as the model has word embeddings.

bert_gelu (100 tokens) is uncased: [PAD] [UNK] [CLS] [SEP] [MASK], punctuation, digits, a-z, ##a-##z and a few
words, so that any lower-case ASCII word tokenizes (letter by letter at worst). bert_tanh (200 tokens) is cased: the
same plus A-Z and capitalised words. Nothing is random: running it again writes the same bytes.

    /usr/bin/python3 tools/text/make_bert_vocab.py [OUT_DIR]   (default: tests/models/bert)
    /usr/bin/python3 tools/text/make_bert_vocab.py --minilm DIR  (DIR/minilm.vocab.txt: 30522 tokens, uncased, for the
                                                               MiniLM-sized model of tools/torch/make_bert_models.py --minilm)
"""
import os
import string
import sys

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PUNCTUATION = [".", ",", "!", "?", "'", "-"]
DIGITS = list(string.digits)
LOWER = list(string.ascii_lowercase)
WORDS = ["the", "cat", "dog", "sat", "on", "mat", "is", "it", "and", "of", "to", "in", "runs", "fast", "slow",
         "sun", "moon", "red", "blue", "big", "small", "hello", "world", "model", "vector", "text", "##s"]
MORE_WORDS = ["##ing", "##ed", "##ly", "##er", "a", "an", "as", "at", "be", "by", "for", "from", "has", "he", "she",
              "they", "we", "you", "was", "were", "with", "this", "that", "what", "which", "who", "will", "not",
              "or", "but", "all", "can", "one", "two", "three", "day", "night", "tree", "house", "river", "city",
              "car", "road", "book", "word", "sentence", "search", "query", "find", "embed", "mean", "first",
              "token", "fox", "jump", "lazy", "quick", "brown", "over", "under", "green", "white", "black", "rain",
              "snow", "old", "good", "bad",
              "The", "Hello", "World", "Cat", "Dog", "Paris", "London", "Monday"]


def vocabulary(size, cased):
    tokens = SPECIAL + PUNCTUATION + DIGITS + LOWER + ["##" + c for c in LOWER]
    if cased:
        tokens += list(string.ascii_uppercase)
    for w in WORDS + (MORE_WORDS if cased else []):
        if w not in tokens:
            tokens.append(w)
    if len(tokens) > size:
        raise SystemExit(f"{len(tokens)} tokens do not fit a vocabulary of {size}")
    i = 0
    while len(tokens) < size:  # fill with unused tokens, as BERT's own vocabularies do
        tokens.append(f"[unused{i}]")
        i += 1
    assert len(set(tokens)) == size
    return tokens


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--minilm":
        path = os.path.join(sys.argv[2], "minilm.vocab.txt")
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(vocabulary(30522, True)) + "\n")
        print(f"wrote {path} (30522 tokens)")
        return
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "tests", "models", "bert")
    for name, size, cased in [("bert_gelu", 100, False), ("bert_tanh", 200, True)]:
        path = os.path.join(out, f"{name}.vocab.txt")
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(vocabulary(size, cased)) + "\n")
        print(f"wrote {path} ({size} tokens, {'cased' if cased else 'uncased'})")


if __name__ == "__main__":
    main()
