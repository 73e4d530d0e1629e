"""The finder's data: what ``find/`` searches, written once per build as a script.

A supervisor types a supervisee's words into ``find/``; the ranking runs in the browser
(``assets/cardkb-finder.js``), so the build only has to hand it the text of every visible pattern
and card, field by field, in a compact form. Markdown fields are reduced to plain text here
(``[[links]]`` become their titles), because the browser shows matched words, never markup.

The data is a script (``window.cardkbFinder = {...}``) rather than JSON: a page opened from disk
(``file://``) may load scripts but not fetch files, and a script from the site itself is allowed
by the Content-Security-Policy in ``deploy/``. Building it is linear in the size of the cards.
"""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .model import Card, KnowledgeBase, Pattern, Status
from .urls import UrlLayout, relative_href
from .wikilinks import WikiLink, find_wikilinks, replace_wikilinks

FIND_FOLDER = "find/"
DATA_FILE = "find/index.js"
MORE_FILE = "find/more.js"
#: the tag that marks a pattern readers must never miss when it matches (see the safety pattern)
SAFETY_TAG = "safety"
#: Markdown text is cut at a word boundary after this many characters: the finder ranks by the
#: fields that say what a pattern or move is; the long explanations add size, not precision
MAX_BODY_CHARS = 600
MAX_CARD_TEXT_CHARS = 300



def _word_list(name: str) -> frozenset[str]:
    """A list shipped beside this module: one entry per line, ``#`` lines are comments."""
    text = Path(__file__).with_name(name).read_text("utf-8")
    return frozenset(line for line in text.split("\n") if line and not line.startswith("#"))


STOP_WORDS = _word_list("finder_stopwords.txt")


@cache
def risk_data() -> dict[str, Any]:
    """The risk step's rules, cues, harmless phrases, unheard words, joke words and meaning
    statements, read once (see ``finder_risk.yml`` for the format and where they come from)."""
    data: dict[str, Any] = yaml.safe_load(
        Path(__file__).with_name("finder_risk.yml").read_text("utf-8"))
    return data


@cache
def risk_data_for_page() -> dict[str, Any]:
    """The risk step's data as find/index.js carries it: its statements left out (they come read
    in find/risk-vectors.js) and, when ``finder_risk_stems.json`` knows every word the phrases
    choose from, those words already stemmed (``stemmed``), so the page stems none of them before
    its first results (tools/risk_stems.js writes the file; a Node test holds it to the stemmer)."""
    data = {name: part for name, part in risk_data().items() if name != "meaning"}
    stems: dict[str, str] = json.loads(
        Path(__file__).with_name("finder_risk_stems.json").read_text("utf-8"))

    def stemmed(phrase: str) -> str | None:
        parts = []
        for part in phrase.split():
            if part.startswith("~"):
                parts.append(part)
                continue
            choices = []  # written lower case, without apostrophes (the phrases' format)
            for choice in part.split("|"):
                if choice.endswith("*"):
                    choices.append(choice)
                elif choice in stems:
                    choices.append(stems[choice])
                else:
                    return None
            parts.append("|".join(choices))
        return " ".join(parts)

    out: dict[str, Any] = dict(data)
    for section in ("rules", "cues"):
        out[section] = {kind: [stemmed(p) for p in phrases]
                        for kind, phrases in data[section].items()}
    for section in ("harmless", "jokes"):
        out[section] = [stemmed(p) for p in data.get(section, [])]
    every = [p for kind in (*out["rules"].values(), *out["cues"].values()) for p in kind]
    if any(p is None for p in [*every, *out["harmless"], *out["jokes"]]):
        return data  # a phrase edited since the stems were written: the page stems them itself
    out["stemmed"] = True
    return out


def risk_kinds() -> list[str]:
    """The kinds of risk the finder recognises, in its order: also the tags that say which
    kinds a safety pattern covers."""
    return list(risk_data()["rules"])


_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[*_`#>|]+|^\s*[-+]\s+|^\s*\d+[.)]\s+", re.MULTILINE)
_SPACES = re.compile(r"\s+")
_FIRST_SENTENCE = re.compile(r"^(.+?[.!?])(\s|$)")
_ORDERED_ITEM = re.compile(r"^ {0,3}\d+[.)]\s+(.*)$")
#: a note's opening label in bold, a whole sentence ("**This is a safety pattern.**")
_BOLD_LABEL = re.compile(r"^\s*(\*\*|__)[^*_]+[.!?:]\1\s*")
#: the notice's first steps: at most this many from the head of a safety note's ordered list
MAX_FIRST_STEPS = 3


@dataclass(frozen=True)
class FinderData:
    """The finder's data for one layout: what the first results need, and the rest."""

    first: str
    more: str


def plain_text(markdown: str, kb: KnowledgeBase, limit: int | None = None) -> str:
    """Markdown as the words a reader sees: links by their text, no markup, one line."""
    def link_text(link: WikiLink) -> str:
        target = kb.resolve(link.target)
        return link.text or (target.title if target else link.target)

    text = _MARKDOWN_LINK.sub(r"\1", replace_wikilinks(markdown, link_text))
    text = _SPACES.sub(" ", _MARKUP.sub(" ", text)).strip()
    if limit is not None and len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0]
    return text


def first_sentence(text: str) -> str:
    match = _FIRST_SENTENCE.match(text)
    return match.group(1) if match else text


def first_steps(safety: str, kb: KnowledgeBase) -> list[str]:
    """What the risk notice shows inline: the ordered list a safety note opens with (at most
    three steps, plain text), or, for a note without one, its first sentence that says more than
    a bold label such as "**This is a safety pattern.**"."""
    items: list[str] = []
    for line in safety.strip().split("\n"):
        item = _ORDERED_ITEM.match(line)
        if item:
            items.append(item.group(1))
        elif line.strip() and items and line[:1].isspace():
            items[-1] += " " + line.strip()  # an item's continuation line
        else:
            break
    if items:
        return [plain_text(item, kb) for item in items[:MAX_FIRST_STEPS]]
    text = plain_text(_BOLD_LABEL.sub("", safety, count=1), kb)
    return [first_sentence(text)] if text else []


def first_linked_card(safety: str, kb: KnowledgeBase, visible: dict[str, int]) -> int:
    """The index (in the finder's cards) of the first card a safety note links, or -1."""
    for link in find_wikilinks(safety):
        target = kb.resolve(link.target)
        if isinstance(target, Card) and target.id in visible:
            return visible[target.id]
    return -1


def searched(kb: KnowledgeBase) -> tuple[list[Pattern], list[Card]]:
    """The patterns and cards the finder knows, in the one order every finder file shares."""
    cards = [c for c in kb.visible_cards() if c.status is not Status.RETIRED]
    return kb.visible_patterns(), cards


def finder_data(kb: KnowledgeBase, layout: UrlLayout) -> FinderData:
    """Every visible pattern and card, as the browser's finder reads them.

    In two parts, so that the first results of a large knowledge base come quickly: ``first``
    (``find/index.js``) holds the patterns whole and each card's title and cue, which is what
    tells one pattern from another; ``more`` (``find/more.js``), loaded once the first results
    are shown, holds each card's wording, move and why. Records are arrays in the order of their
    ``fields``, and addresses are written once as a template, not three thousand times.
    """
    page_url = layout.page_url(FIND_FOLDER)
    patterns, cards = searched(kb)
    index_of = {pattern.id: i for i, pattern in enumerate(patterns)}
    card_index = {card.id: i for i, card in enumerate(cards)}
    kinds = risk_kinds()
    first: dict[str, Any] = {
        "format": 3,
        "stopWords": sorted(STOP_WORDS),
        # the risk step's statements come read by the build, in find/risk-vectors.js
        "risk": risk_data_for_page(),
        "urls": {kind: relative_href(page_url, layout.url(kind, "ID")).replace("ID", "{id}")
                 for kind in ("pattern", "card")},
        "fields": {
            "pattern": ["id", "title", "summary", "signs", "heard", "body", "safety",
                        "isSafety", "kinds", "steps", "safetyCard"],
            "card": ["id", "title", "verdict", "sign", "patterns"],
        },
        "patterns": [[
            p.id, p.title, p.summary, [s.text for s in p.signs], p.heard_as,
            plain_text("\n\n".join(t for t in (p.dynamics, p.shift or "") if t), kb,
                       MAX_BODY_CHARS),
            first_sentence(plain_text(_BOLD_LABEL.sub("", p.safety, count=1), kb))
            if p.safety else "",
            int(SAFETY_TAG in p.tags),
            [kind for kind in kinds if kind in p.tags] if SAFETY_TAG in p.tags else [],
            first_steps(p.safety, kb) if SAFETY_TAG in p.tags and p.safety else [],
            first_linked_card(p.safety, kb, card_index) if SAFETY_TAG in p.tags and p.safety
            else -1,
        ] for p in patterns],
        "cards": [[c.id, c.title, c.verdict, c.sign,
                   [index_of[p.id] for p in c.patterns if p.id in index_of]] for c in cards],
    }
    more: dict[str, Any] = {
        "fields": ["wording", "move", "why"],
        "cards": [[c.wording, plain_text(c.move, kb, MAX_CARD_TEXT_CHARS),
                   plain_text(c.why, kb, MAX_CARD_TEXT_CHARS)] for c in cards],
    }
    return FinderData(_script("cardkbFinder", first), _script("cardkbFinderMore", more))


def _script(name: str, data: Any) -> str:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # Inside a script file nothing can close a tag, but keep the text inert everywhere.
    payload = payload.replace("</", "<\\/")
    return f"window.{name}={payload};\n"


# -- meaning ---------------------------------------------------------------------------------

VECTORS_FILE = "find/vectors.js"
RISK_VECTORS_FILE = "find/risk-vectors.js"
_MODEL_PATH = Path(__file__).with_name("finder_model.json")
_ACCENTS = re.compile(r"[\u0300-\u036f]")
_MODEL_WORD = re.compile(r"[^\W_]+")


def unpack_nibbles(encoded: str, rows: int, scales: list[float]) -> Any:
    """The table's vectors from four bits a number (see tools/finder_model.py)."""
    import numpy as np

    packed = np.frombuffer(base64.b64decode(encoded), dtype=np.uint8)
    levels = np.empty(packed.size * 2, dtype=np.float32)
    levels[0::2], levels[1::2] = packed >> 4, packed & 15
    dims = len(scales)
    return (levels[: rows * dims].reshape(rows, dims) - 8) * np.asarray(scales, np.float32)


class MeaningModel:
    """The static word-embedding table of ``finder_model.json``, read as the browser reads it.

    A text's vector is the mean of the vectors of its tokens, found by WordPiece's greedy
    longest-match over the table (a word missing from the table is spelt with its pieces), with
    the finder's stop words left out; ``assets/cardkb-finder.js`` does exactly the same, so the
    build's vectors and the browser's query vector live in one space.
    """

    def __init__(self, raw: dict[str, Any]) -> None:

        self.raw = raw
        self.dims: int = raw["dims"]
        self.vectors = unpack_nibbles(raw["vectors"], len(raw["tokens"]), raw["scales"])
        self.rows: dict[str, int] = {token: i for i, token in enumerate(raw["tokens"])}
        self._pieces: dict[str, list[int]] = {}

    @staticmethod
    @cache
    def shipped() -> MeaningModel:
        """The model this package ships, read and decoded once per process: a live preview
        rebuilds many times, and the table never changes while it runs."""
        return MeaningModel(json.loads(_MODEL_PATH.read_text("utf-8")))

    def pieces(self, word: str) -> list[int]:
        """The table rows that spell ``word``: itself, or its longest pieces left to right."""
        cached = self._pieces.get(word)
        if cached is not None:
            return cached
        rows: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.rows:
                    rows.append(self.rows[piece])
                    break
                end -= 1
            if end == start:  # a character the table lacks: the word is unknown
                rows = []
                break
            start = end
        self._pieces[word] = rows
        return rows

    def words(self, text: str) -> list[str]:
        folded = _ACCENTS.sub("", unicodedata.normalize("NFD", text.lower()))
        return [w for w in _MODEL_WORD.findall(folded) if w not in STOP_WORDS]

    def text_vector(self, text: str) -> Any:
        import numpy as np

        rows = [row for word in self.words(text) for row in self.pieces(word)]
        if not rows:
            return np.zeros(self.dims, dtype=np.float32)
        vector = self.vectors[rows].mean(axis=0)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector


def meaning_phrases(pattern: Pattern, cards: list[Card]) -> list[str]:
    """The short texts a query is compared with: a pattern's names, signs and heard-as phrases,
    and the cue of each of its cards. A few words match a phrase far better than a whole page."""
    return [pattern.title, pattern.summary, *(s.text for s in pattern.signs), *pattern.heard_as,
            *(f"{c.title}. {c.sign}" for c in cards)]


#: up to this many cards, find/vectors.js holds a vector of each card (its title, cue and
#: wording), which orders the cards shown under a result; beyond, they are ordered by their cue,
#: one of their pattern's phrases already, for the cards' own vectors would be half the file
#: (200 KB compressed at 3,000 cards) and the largest paint of find/?q= waits for it
CARD_VECTORS_MAX_CARDS = 500


def _card_meaning_text(card: Card) -> str:
    return "\n".join([card.title, card.sign, *card.wording])


def finder_vectors(kb: KnowledgeBase, model: MeaningModel) -> str:
    """``find/vectors.js``: vectors of every pattern's phrases and (up to
    CARD_VECTORS_MAX_CARDS) of every card, in the order of ``find/index.js``; ``owners`` says
    which pattern each phrase belongs to."""
    import numpy as np

    patterns, cards = searched(kb)
    own_cards: dict[str, list[Card]] = {}
    for card in cards:  # grouped once: a pattern's own cards, in the cards' order
        own_cards.setdefault(card.pattern_id, []).append(card)
    phrases, owners = [], []
    for index, pattern in enumerate(patterns):
        for phrase in meaning_phrases(pattern, own_cards.get(pattern.id, [])):
            phrases.append(model.text_vector(phrase))
            owners.append(index)
    # four bits a number, a scale per dimension, as the model itself is shipped: the first
    # results wait for this file, and four bits left every first result of the quality set as
    # eight bits had it
    phrase_scales, phrase_data = pack_nibbles(np.array(phrases, np.float32), model.dims)
    vectors: dict[str, Any] = {
        "dims": model.dims, "owners": owners,
        "phrases": {"rows": len(phrases), "scales": phrase_scales, "vectors": phrase_data}}
    if len(cards) <= CARD_VECTORS_MAX_CARDS:
        # eight bits a number: a pattern's cards are close to one another, and four bits changed
        # the order of the cards shown in a quarter of the quality queries' results
        cards_array = np.array([model.text_vector(_card_meaning_text(c)) for c in cards],
                               np.float32).reshape(-1, model.dims)
        levels = np.clip(np.round(cards_array * 127), -127, 127).astype(np.int8)
        vectors["cards"] = {"rows": len(cards), "scale": 1 / 127,
                            "int8": base64.b64encode(levels.tobytes()).decode("ascii")}
    return _script("cardkbFinderVectors", vectors)


def pack_nibbles(array: Any, dims: int) -> tuple[list[float], str]:
    """Rows of vectors as four bits a number, two a byte, high half first, each its level plus
    8, with a scale per dimension (its largest magnitude over 7): half the bytes of eight bits."""
    import numpy as np

    array = array.reshape(-1, dims)
    scales = np.maximum(np.abs(array).max(axis=0) if len(array) else np.ones(dims), 1e-6) / 7
    levels = (np.clip(np.round(array / scales), -8, 7) + 8).astype(np.uint8).reshape(-1)
    if len(levels) % 2:
        levels = np.append(levels, np.uint8(8))
    packed = (levels[0::2] << 4) | levels[1::2]
    return ([round(float(x), 6) for x in scales],
            base64.b64encode(packed.astype(np.uint8).tobytes()).decode("ascii"))


def finder_risk_vectors(kb: KnowledgeBase, model: MeaningModel) -> str:
    """``find/risk-vectors.js``: the risk step's statements (:func:`risk_vectors`) and its learnt
    part (:func:`risk_learned`). A file of their own, fetched after the first results: they are
    as large as the rest of the vectors together, and a phone's first paint need not wait for
    them (Lighthouse measured 0.7 s)."""
    return _script("cardkbFinderRisk", {**risk_vectors(kb, model), "learned": risk_learned()})


@cache
def risk_learned() -> dict[str, Any]:
    """The risk step's learnt part: hashed word and word-pair weights learnt from the labelled
    reports (``tools/risk_model/train.py`` writes ``finder_risk_learned.json``; risk.js reads
    it)."""
    data: dict[str, Any] = json.loads(
        Path(__file__).with_name("finder_risk_learned.json").read_text("utf-8"))
    return data


_STATEMENT_WORD = re.compile(r"[^\W_]+")


def risk_statements(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """What the risk step compares a report with, as (kind, text): the statements of
    ``finder_risk.yml`` (each kind, then ``everyday``), then, as everyday, the signs and heard-as
    phrases of every pattern that is not a safety pattern, in the finder's order."""
    statements = [(kind, text) for kind, texts in risk_data()["meaning"].items() for text in texts]
    patterns, _ = searched(kb)
    for pattern in patterns:
        if SAFETY_TAG not in pattern.tags:
            statements += [("everyday", text)
                           for text in [*(s.text for s in pattern.signs), *pattern.heard_as]]
    return statements


def risk_vectors(kb: KnowledgeBase, model: MeaningModel) -> dict[str, Any]:
    """The risk step's statements, read at build time (``assets/finder/risk.js`` compares a
    report's words with their words): each statement as its kind, its text (risk statements only:
    the notice may quote one) and its words' rows in ``vectors``, one unit vector per distinct word
    the model reads, so the browser needs only the vectors of the report's own words."""
    import numpy as np

    kinds = [*risk_kinds(), "everyday"]
    unheard = set(risk_data().get("unheard", []))  # the verbs of reporting: no meaning of risk
    rows: dict[str, int] = {}
    vectors: list[Any] = []
    examples: list[list[Any]] = []
    for kind, text in risk_statements(kb):
        words: list[int] = []
        for word in _STATEMENT_WORD.findall(text.lower()):
            if word in unheard:
                continue
            if word not in rows:
                vector = model.text_vector(word)
                rows[word] = len(vectors) if np.any(vector) else -1
                if rows[word] >= 0:
                    vectors.append(vector)
            if rows[word] >= 0 and rows[word] not in words:
                words.append(rows[word])
        if words:
            examples.append([kinds.index(kind), "" if kind == "everyday" else text, words])
    # four bits a number, a scale per dimension, as the model itself is shipped: half the bytes
    scales, packed = pack_nibbles(np.array(vectors, dtype=np.float32), model.dims)
    return {"dims": model.dims, "scales": scales, "kinds": kinds,
            "examples": examples, "rows": len(vectors), "vectors": packed}


# -- the meaning model in shards: a query fetches only its own words' vectors ----------------

#: the table's words (``vocab.js``) and its vectors in MODEL_SHARDS files (``0.js`` ...)
MODEL_FOLDER = "find/model/"
MODEL_VOCAB_FILE = MODEL_FOLDER + "vocab.js"
#: row r of the shipped table (its rows in the words' alphabetical order) is in shard
#: r % MODEL_SHARDS: about 70 rows (6 KB) each, so a query of a few words fetches a few small
#: files instead of the whole table (844 KB)
MODEL_SHARDS = 128
#: a word of vocab.js shares at most this many first letters with the one before it (one digit)
_MAX_SHARED = 9


def shipped_order(model: MeaningModel) -> list[int]:
    """The table's rows in the order the site ships them: its words' alphabetical order, in
    which each word mostly repeats the start of the one before (vocab.js half the bytes)."""
    tokens = model.raw["tokens"]
    return sorted(range(len(tokens)), key=tokens.__getitem__)


def front_coded(words: list[str]) -> str:
    """Sorted words, a line each: how many first letters it shares with the word before (one
    digit, at most _MAX_SHARED), then the rest of it ("abandon", "abandoned" -> "0abandon",
    "7ed"). The browser reads it back in cardkb-finder.js's ``frontDecoded``."""
    lines, before = [], ""
    for word in words:
        shared = 0
        limit = min(len(word), len(before), _MAX_SHARED)
        while shared < limit and word[shared] == before[shared]:
            shared += 1
        lines.append(f"{shared}{word[shared:]}")
        before = word
    return "\n".join(lines)


def model_vocab_script(model: MeaningModel) -> str:
    """``find/model/vocab.js``: every token of the table, in the shipped order (front-coded),
    with the dimensions and scales, so the browser spells a query's words exactly as the build
    does (WordPiece) and knows which shards hold their rows before it fetches any vector."""
    tokens = model.raw["tokens"]
    return _script("cardkbFinderVocab", {
        "dims": model.dims, "scales": model.raw["scales"],
        "tokens": front_coded([tokens[r] for r in shipped_order(model)]),
        "shards": MODEL_SHARDS})


def model_shard_files(model: MeaningModel) -> dict[str, str]:
    """``find/model/<k>.js`` -> its script: the four-bit rows r of the shipped order with
    r % MODEL_SHARDS == k, in that order, each registering itself under its number (shards
    arrive in any order)."""
    packed = base64.b64decode(model.raw["vectors"])
    row_bytes = model.dims // 2
    order = shipped_order(model)
    files = {}
    for shard in range(MODEL_SHARDS):
        data = b"".join(packed[r * row_bytes:(r + 1) * row_bytes]
                        for r in order[shard::MODEL_SHARDS])
        encoded = json.dumps(base64.b64encode(data).decode("ascii"))
        files[f"{MODEL_FOLDER}{shard}.js"] = (
            f"(window.cardkbFinderShards=window.cardkbFinderShards||{{}})[{shard}]={encoded};\n")
    return files


def model_shard_names() -> list[str]:
    return [f"{MODEL_FOLDER}{shard}.js" for shard in range(MODEL_SHARDS)]


@cache
def shipped_model_shards() -> dict[str, str]:
    """The shipped table's shards, cut once per process (a live preview rebuilds many times)."""
    return model_shard_files(MeaningModel.shipped())
