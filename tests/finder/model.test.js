/*
 * The meaning model as the browser reads it (WordPiece pieces, a text's vector), and the one
 * place that proves the build (hooks/cardkb/finder.py MeaningModel) and the browser agree: the
 * same text gives the same vector at both ends, or the build's vectors would not be comparable
 * with the query's.
 */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const fs = require("node:fs");
const { execFileSync } = require("node:child_process");
const { R, REPO, shipped } = require("./kit.js");

const norm = (v) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));

test("pieces: a known word is one row; another is spelt by its longest pieces, left to right", () => {
  const { raw, model } = shipped();
  const row = (token) => raw.tokens.indexOf(token);
  assert.deepEqual(R.pieces(model, "therapy"), [row("therapy")]);
  for (const word of ["stuckness", "hopelessness", "overfunctioning", "zzzqx"]) {
    const rows = R.pieces(model, word);
    assert.ok(rows.length > 1, word);
    const spelt = rows.map((r, i) => (i === 0 ? raw.tokens[r] : raw.tokens[r].replace(/^##/, "")));
    assert.equal(spelt.join(""), word);
    assert.ok(!raw.tokens[rows[0]].startsWith("##"));
    rows.slice(1).forEach((r) => assert.ok(raw.tokens[r].startsWith("##"), raw.tokens[r]));
    // greedy: no longer first piece exists in the table
    const first = raw.tokens[rows[0]];
    for (let end = word.length; end > first.length; end--) {
      assert.ok(!model.rows.has(word.slice(0, end)), word.slice(0, end));
    }
  }
  // a character the table lacks makes the whole word unknown
  assert.deepEqual(R.pieces(model, "☃"), []);
  assert.deepEqual(R.pieces(model, "care☃"), []);
});

test("textVector: a unit vector, blind to case, accents, order and stop words", () => {
  const { model } = shipped();
  const v = R.textVector(model, "She cancels sessions at short notice");
  assert.equal(v.length, model.dims);
  assert.ok(Math.abs(norm(Array.from(v)) - 1) < 1e-5);
  const same = (a, b) => {
    const x = R.textVector(model, a), y = R.textVector(model, b);
    assert.ok(Array.from(x).every((n, i) => Math.abs(n - y[i]) < 1e-6), `${a} / ${b}`);
  };
  same("Café ANGER", "cafe anger");
  same("anger shame", "shame anger");
  same("the anger of it all", "anger");
  assert.equal(R.textVector(model, "the and of with"), null);
  assert.equal(R.textVector(model, ""), null);
  assert.equal(R.textVector(model, "🙂 ☃"), null);
});

/* The project's Python, with the cardkb package importable, or null. */
function python() {
  const candidates = [process.env.CARDKB_PYTHON, path.join(REPO, ".venv", "bin", "python")];
  return candidates.find((p) => p && fs.existsSync(p)) || null;
}

/* Python with cardkb, or null once the test is skipped (a failure in CI, where make test sets
   it up). */
function pythonOrSkip(t) {
  const executable = python();
  if (!executable) {
    if (process.env.CI === "true") assert.fail("no Python with cardkb installed (make test sets it up)");
    t.skip("no Python with cardkb installed: run make test, or set CARDKB_PYTHON");
  }
  return executable;
}

const TEXTS = [
  "She keeps cancelling at the last minute and says nothing will change",
  "Naïve CAFÉ résumé — overfunctioning therapist's stuckness",
  "he agrees to everything and then nothing happens",
  "I don't know what to do next 2 weeks",
  "the and of",
];

test("Python's MeaningModel and the browser give the same vector for the same text", (t) => {
  const executable = pythonOrSkip(t);
  if (!executable) return;
  const script = [
    "import json, sys",
    "from cardkb.finder import MeaningModel",
    "model = MeaningModel.shipped()",
    "texts = json.load(sys.stdin)",
    "print(json.dumps([[float(x) for x in model.text_vector(t)] for t in texts]))",
  ].join("\n");
  const output = execFileSync(executable, ["-c", script], {
    input: JSON.stringify(TEXTS), encoding: "utf8",
    env: { ...process.env, PYTHONPATH: path.join(REPO, "hooks") },
  });
  const fromPython = JSON.parse(output);
  const { model } = shipped();
  TEXTS.forEach((text, i) => {
    const fromBrowser = R.textVector(model, text);
    if (fromBrowser === null) {
      assert.ok(fromPython[i].every((x) => x === 0), `${text}: Python found words, the browser none`);
      return;
    }
    assert.equal(fromPython[i].length, fromBrowser.length);
    const worst = Math.max(...fromPython[i].map((x, d) => Math.abs(x - fromBrowser[d])));
    assert.ok(worst < 1e-5, `${text}: the vectors differ by up to ${worst}`);
  });
});

test("the model in shards: a text's vector once its shards are in is the whole model's", (t) => {
  const executable = pythonOrSkip(t);
  if (!executable) return;
  // the build's own files (hooks/cardkb/finder.py), run as the browser runs them
  const script = [
    "import json",
    "from cardkb.finder import MeaningModel, model_shard_files, model_vocab_script",
    "model = MeaningModel.shipped()",
    "print(json.dumps({'vocab': model_vocab_script(model), 'shards': model_shard_files(model)}))",
  ].join("\n");
  const built = JSON.parse(execFileSync(executable, ["-c", script], {
    encoding: "utf8", maxBuffer: 64 << 20,
    env: { ...process.env, PYTHONPATH: path.join(REPO, "hooks") },
  }));
  const window = {};
  new Function("window", built.vocab)(window);
  const model = R.shardedModel(window.cardkbFinderVocab);
  const { model: whole } = shipped();
  for (const text of TEXTS) {
    const missing = R.missingShards(model, text);
    const words = R.modelWords(text).filter((w) => R.pieces(whole, w).length);
    assert.ok(missing.length > 0 || words.length === 0, text);
    assert.ok(missing.length <= words.length * 3, `${text}: ${missing.length} shards`);
    for (const shard of missing) {
      new Function("window", built.shards[`find/model/${shard}.js`])(window);
      R.addShard(model, shard, window.cardkbFinderShards[shard]);
    }
    assert.deepEqual(R.missingShards(model, text), [], text);
    const fromShards = R.textVector(model, text), fromWhole = R.textVector(whole, text);
    if (fromWhole === null) { assert.equal(fromShards, null, text); continue; }
    assert.deepEqual(Array.from(fromShards), Array.from(fromWhole), text);
  }
  // a word whose shard is missing has no vector yet: the ranking waits for it (meaning: null)
  assert.ok(R.missingShards(model, "grievances ledger handwritten").length > 0);
  // every shard in: the very table, word for word (the site ships its rows in the words'
  // alphabetical order)
  for (let shard = 0; shard < model.shards; shard++) {
    new Function("window", built.shards[`find/model/${shard}.js`])(window);
    R.addShard(model, shard, window.cardkbFinderShards[shard]);
  }
  assert.equal(model.rows.size, whole.rows.size);
  const dims = whole.dims;
  for (const [token, row] of whole.rows) {
    const at = model.rows.get(token);
    assert.deepEqual(Array.from(model.vectors.subarray(at * dims, (at + 1) * dims)),
                     Array.from(whole.vectors.subarray(row * dims, (row + 1) * dims)), token);
  }
});
