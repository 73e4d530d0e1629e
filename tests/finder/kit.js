/*
 * What the finder's Node tests share: the ranking as the browser runs it (content/assets/
 * cardkb-finder.js with MiniSearch and the Porter2 stemmer from tools/js/node_modules, which
 * `npm ci --prefix tools/js` installs), the project's stop words and shipped model, and a tiny
 * knowledge base in the format of find/index.js.
 */
"use strict";

const fs = require("node:fs");
const { execFileSync } = require("node:child_process");
const path = require("node:path");

const REPO = path.resolve(__dirname, "..", "..");
const MODULES = path.join(REPO, "tools", "js", "node_modules");

globalThis.cardkbStem = require(path.join(MODULES, "wink-porter2-stemmer"));
const MiniSearch = require(path.join(MODULES, "minisearch", "dist", "cjs", "index.cjs"));
const Risk = require(path.join(REPO, "content", "assets", "finder", "risk.js"));
const R = require(path.join(REPO, "content", "assets", "cardkb-finder.js"));

/* hooks/cardkb/finder_stopwords.txt, read as hooks/cardkb/finder.py reads it. */
const STOP_WORDS = fs.readFileSync(path.join(REPO, "hooks", "cardkb", "finder_stopwords.txt"), "utf8")
  .split("\n").filter((line) => line && !line.startsWith("#"));
R.setStopWords(STOP_WORDS);
/* Python with cardkb installed: CARDKB_PYTHON (tests/test_finder_js.py sets it), or the venv's. */
const PYTHON = process.env.CARDKB_PYTHON || path.join(REPO, ".venv", "bin", "python");

/* JSON that a line of Python prints, with cardkb importable: one source of truth for data. */
function fromPython(code) {
  return JSON.parse(execFileSync(PYTHON, ["-c", "import json\n" + code], { cwd: REPO, encoding: "utf8" }));
}

/* The risk step's data exactly as hooks/cardkb/finder.py puts it into find/index.js. */
const RISK_DATA = fromPython("from cardkb.finder import risk_data; print(json.dumps(risk_data()))");

let shippedModel = null;
/* The model as the site ships it (hooks/cardkb/finder_model.json), loaded once. */
function shipped() {
  if (!shippedModel) {
    const raw = JSON.parse(fs.readFileSync(path.join(REPO, "hooks", "cardkb", "finder_model.json"), "utf8"));
    shippedModel = { raw: raw, model: R.loadModel(raw) };
  }
  return shippedModel;
}

/*
 * A knowledge base as the build writes it: find/index.js (`first`) and find/more.js (`more`).
 * Each pattern: {id, title, summary, signs, heard, body, safety, isSafety, kinds, steps,
 * safetyCard (a card id)}; each card: {id,
 * title, verdict, sign, patterns (pattern ids), wording, move, why}. Missing fields are empty.
 */
function finderData(patterns, cards) {
  const fields = {
    pattern: ["id", "title", "summary", "signs", "heard", "body", "safety", "isSafety", "kinds",
              "steps", "safetyCard"],
    card: ["id", "title", "verdict", "sign", "patterns"],
  };
  const ids = patterns.map((p) => p.id);
  const defaults = { signs: [], heard: [], wording: [], summary: "", body: "", safety: "",
                     isSafety: 0, kinds: [], steps: [], move: "", why: "", sign: "",
                     verdict: "works" };
  const cardIds = (cards || []).map((c) => c.id);
  const value = (record, name) => {
    if (name === "patterns") return record.patterns.map((id) => ids.indexOf(id));
    if (name === "safetyCard") return record.safetyCard ? cardIds.indexOf(record.safetyCard) : -1;
    return record[name] !== undefined ? record[name] : defaults[name];
  };
  const row = (names, record) => names.map((name) => value(record, name));
  const first = {
    format: 3, stopWords: STOP_WORDS, risk: RISK_DATA, fields: fields,
    urls: { pattern: "../patterns/{id}/", card: "../cards/{id}/" },
    patterns: patterns.map((p) => row(fields.pattern, p)),
    cards: (cards || []).map((c) => row(fields.card, c)),
  };
  const moreFields = ["wording", "move", "why"];
  const more = { fields: moreFields, cards: (cards || []).map((c) => row(moreFields, c)) };
  return { first: first, more: more };
}

/* The ranking of a knowledge base, with the first part of its data only. */
function firstRanking(patterns, cards) {
  return new R.Ranking(finderData(patterns, cards).first, MiniSearch);
}

/* The ranking with both parts of its data, as after the first results (a promise). */
async function ranking(patterns, cards) {
  const data = finderData(patterns, cards);
  const r = new R.Ranking(data.first, MiniSearch);
  await r.addMore(data.more);
  return r;
}

/* Base64 of bytes, as the build writes them. */
function base64(bytes) {
  return Buffer.from(bytes).toString("base64");
}

/*
 * A model of our own for the combination tests: each token's vector given exactly (every
 * number a multiple of `scale` between -8 and 7 levels), packed four bits a number as
 * tools/finder_model.py packs the shipped one.
 */
function tinyModel(vectorsByToken, scale) {
  const tokens = Object.keys(vectorsByToken);
  const dims = vectorsByToken[tokens[0]].length;
  const levels = [];
  tokens.forEach((token) => vectorsByToken[token].forEach((x) => levels.push(Math.round(x / scale) + 8)));
  if (levels.length % 2) levels.push(8);
  const bytes = [];
  for (let i = 0; i < levels.length; i += 2) bytes.push((levels[i] << 4) | levels[i + 1]);
  return { dims: dims, scales: new Array(dims).fill(scale), tokens: tokens, vectors: base64(bytes) };
}

/* find/vectors.js for given vectors: the phrases four bits a number with a scale per dimension
   (its largest magnitude over 7), as hooks/cardkb/finder.py's pack_nibbles writes them. */
function tinyVectors(dims, phrases, owners, cards) {
  const pack = (vectors) => {
    const scales = [];
    for (let d = 0; d < dims; d++) {
      scales.push(Math.max(1e-6, ...vectors.map((v) => Math.abs(v[d]))) / 7);
    }
    const levels = [];
    vectors.forEach((v) => v.forEach((x, d) => {
      levels.push(Math.min(7, Math.max(-8, Math.round(x / scales[d]))) + 8);
    }));
    if (levels.length % 2) levels.push(8);
    const bytes = [];
    for (let i = 0; i < levels.length; i += 2) bytes.push((levels[i] << 4) | levels[i + 1]);
    return { rows: vectors.length, scales: scales, vectors: base64(bytes) };
  };
  // the cards: eight bits a number at 1/127, as the build writes them up to 500 cards
  const int8 = base64(new Int8Array([].concat(...cards).map((x) => Math.round(x * 127))).buffer);
  return { dims: dims, phrases: pack(phrases), owners: owners,
           cards: { rows: cards.length, scale: 1 / 127, int8: int8 } };
}

module.exports = { R, Risk, MiniSearch, REPO, STOP_WORDS, RISK_DATA, fromPython, shipped, finderData, firstRanking, ranking,
                   tinyModel, tinyVectors };
