/* The risk step (content/assets/finder/risk.js) and what the ranking does with its verdict. */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const { R, Risk, MiniSearch, REPO, RISK_DATA, fromPython, ranking, shipped, tinyModel, tinyVectors } =
  require("./kit.js");

const ids = (ranked) => ranked.results.map((result) => result.pattern.id);

/* A recogniser of the project's data, with the shipped meaning model. */
function shippedRecogniser() {
  const recogniser = new Risk.Recogniser(RISK_DATA);
  const model = shipped().model;
  recogniser.useModel((text) => R.textVector(model, text), []);
  return recogniser;
}

test("rules: stems, prefixes, gaps of a few words, within one sentence", () => {
  const r = new Risk.Recogniser({ rules: { suicide: ["kill ~1 myself|himself", "overdos*"],
                                           "self-harm": ["cut ~2 arm|arms"] } });
  const kinds = (text) => { const v = r.recognise(text); return v ? v.kinds : []; };
  assert.deepEqual(kinds("he talked about killing himself"), ["suicide"]);  // stem of killing
  assert.deepEqual(kinds("he said he'd kill only himself"), ["suicide"]);  // one word between
  assert.deepEqual(kinds("he'd kill all of them, not himself"), []);  // too far apart
  assert.deepEqual(kinds("she overdosed in May"), ["suicide"]);  // a prefix
  assert.deepEqual(kinds("she cuts her arms"), ["self-harm"]);
  assert.deepEqual(kinds("she cuts. Her arms are fine"), [], "a rule does not cross sentences");
  const verdict = r.recognise("She Cuts Her Arms; and he spoke of killing himself");
  assert.deepEqual(verdict.kinds, ["suicide", "self-harm"], "a tie goes to the first kind");
  assert.equal(verdict.by, "words");
  assert.deepEqual(verdict.evidence.map((e) => e.words), ["killing himself", "Cuts Her Arms"]);
  assert.equal(r.recognise("nothing of the kind"), null);
  assert.equal(r.recognise(""), null);
});

test("harmless phrases: a rule's word inside one does not count; jokes still do", () => {
  const r = new Risk.Recogniser({
    rules: { suicide: ["want ~2 die", "kill ~1 herself|her"] },
    harmless: ["dying to", "is killing ~1 her"],
    jokes: ["joke|joked|joking"],
  });
  assert.equal(r.recognise("she's dying to tell her mum"), null);
  assert.equal(r.recognise("the commute is killing her"), null);
  assert.ok(r.recognise("she wants to die"));
  const joke = r.recognise("she joked that she wants to die");
  assert.ok(joke && joke.joke, "a joke about dying is still risk, marked as a joke");
  assert.equal(r.recognise("she wants to die").joke, false);
});

test("the project's rules on the words that most often make them harmless", () => {
  const r = new Risk.Recogniser(RISK_DATA);
  for (const harmless of ["my back is killing me", "I could have murdered a coffee",
                          "his mother's death last year", "the battery died", "she cut back on sugar",
                          "he would kill for a holiday", "bored to death in meetings"]) {
    assert.equal(r.recognise(harmless), null, harmless);
  }
  for (const [risk, kind] of [["she wants to kill herself", "suicide"],
                              ["he has been cutting his arms", "self-harm"],
                              ["he keeps a knife on him to stab the man", "harm-to-others"],
                              ["her partner hits her", "abuse"]]) {
    const verdict = r.recognise(risk);
    assert.ok(verdict, risk);
    assert.equal(verdict.kinds[0], kind, risk);
  }
});

test("a pasted paragraph is read whole, up to 2,000 characters; the ranking reads 500", async () => {
  const r = await ranking([
    { id: "late", title: "Arriving late", summary: "Late every week.", heard: ["always late"] },
    { id: "safe", title: "Safety", isSafety: 1, summary: "Risk." },
  ]);
  const filler = "she talks about her week at work and the weather and her plans. ".repeat(28);
  assert.ok(filler.length > 1700 && filler.length < 1900, filler.length);
  const pasted = filler + "She said she wants to kill herself.";
  assert.ok(pasted.length <= 2000);
  const ranked = r.rank(pasted, 8);
  assert.ok(ranked.risk, "the words at the end of a long paragraph are heard");
  assert.deepEqual(ranked.risk.evidence.map((e) => e.words), ["kill herself"]);
  assert.equal(ids(ranked)[0], "safe");
  const beyond = "x ".repeat(1000) + "she wants to kill herself";
  assert.equal(r.rank(beyond, 8).risk, null, "beyond 2,000 characters is not read");
});

/* Safety patterns that cover different kinds, as the content issue adds them, and a plain one. */
const SAFETY_PATTERNS = [
  { id: "plain", title: "Missed sessions", summary: "The client stops coming.",
    heard: ["she cancelled again"] },
  { id: "hopeless", title: "Hopelessness", isSafety: 1, kinds: ["suicide"],
    summary: "Nothing will change.", heard: ["nothing will ever change"] },
  { id: "disclosed", title: "Disclosed suicidal thoughts or self-harm", isSafety: 1,
    kinds: ["suicide", "self-harm"], summary: "The client tells you.", steps: ["Ask today."],
    heard: ["she told me she wants to kill herself"],
    safetyCard: "ask-today" },
  { id: "others", title: "Risk to others and safeguarding", isSafety: 1,
    kinds: ["harm-to-others", "abuse"], summary: "Someone may be harmed." },
];
const SAFETY_CARDS = [{ id: "ask-today", title: "Ask today", sign: "Risk.", patterns: ["disclosed"] }];

test("the kind recognised picks the safety pattern, whatever the scores", async () => {
  const r = await ranking(SAFETY_PATTERNS, SAFETY_CARDS);
  const first = (query) => ids(r.rank(query, 8))[0];
  assert.equal(first("she has been cutting her arms and she cancelled again"), "disclosed");
  assert.equal(first("her partner hits her and she cancelled again"), "others");
  assert.equal(first("he threatened to stab his neighbour"), "others");
  // suicide: two patterns cover it; the one the query fits better goes first
  assert.equal(first("she wants to kill herself"), "disclosed");
  assert.equal(first("she wants to die, nothing will ever change, nothing ever"), "hopeless");
  const ranked = r.rank("she wants to kill herself", 8);
  assert.equal(ranked.risk.pattern.pattern.id, "disclosed");
  assert.equal(r.cards[ranked.risk.pattern.pattern.safetyCard].id, "ask-today");
  assert.deepEqual(ranked.risk.pattern.pattern.steps, ["Ask today."]);
});

test("no pattern covers the kind: any safety pattern serves it; no safety pattern: no first", async () => {
  const fallback = await ranking([
    { id: "plain", title: "Missed sessions", summary: "Stops coming.", heard: ["she cancelled again"] },
    { id: "only", title: "Hopelessness", isSafety: 1, summary: "Nothing will change." },
  ]);
  assert.equal(ids(fallback.rank("he keeps a knife to stab his brother, she cancelled again", 8))[0], "only");
  const none = await ranking([{ id: "plain", title: "Missed", summary: "Stops coming." }]);
  const ranked = none.rank("she wants to kill herself", 8);
  assert.ok(ranked.risk, "the step still hears it");
  assert.equal(ranked.risk.pattern, undefined, "but there is no safety pattern to put first");
});

test("without risk a safety pattern that fits keeps its place, but not the first", async () => {
  const r = await ranking(SAFETY_PATTERNS, SAFETY_CARDS);
  const ranked = r.rank("nothing will ever change, she cancelled ", 8);
  assert.equal(ranked.risk, null);
  assert.ok(ids(ranked).includes("hopeless"), ids(ranked));
  assert.notEqual(ids(ranked)[0], "hopeless");
  assert.deepEqual(ids(r.rank("nothing will ever change ", 8)), ["hopeless"],
                   "alone, it is the result: nothing else fits");
});

test("cues: one weak word alone raises nothing; two different ones of a kind do", () => {
  const r = new Risk.Recogniser({ rules: { suicide: [] },
                                  cues: { suicide: ["wrote|written ~2 will", "paid ~2 off ~2 debts|overdraft"] },
                                  harmless: ["will ~5 after ~3 married"] });
  assert.equal(r.recognise("he wrote his will last week"), null);
  assert.equal(r.recognise("he paid off his overdraft"), null);
  const verdict = r.recognise("he wrote his will and paid off all his debts in one week");
  assert.ok(verdict);
  assert.deepEqual(verdict.kinds, ["suicide"]);
  assert.equal(verdict.by, "words");
  assert.deepEqual(verdict.evidence.map((e) => e.words), ["wrote his will", "paid off all his debts"]);
  assert.equal(r.recognise("he wrote his will after he married, and paid off his debts"), null,
               "a cue inside a harmless phrase does not count");
});

test("cues: one weak word and the meaning leaning to risk, together", () => {
  const axis = (i) => [0, 1, 2, 3].map((d) => (d === i ? 0.875 : 0));
  const model = R.loadModel(tinyModel({ farewell: axis(0), goodbye: axis(0), rabbits: axis(1),
                                        holiday: axis(2), suitcase: axis(2), nothing: axis(3) },
                                      0.125));
  const r = new Risk.Recogniser({ rules: { suicide: [] }, cues: { suicide: ["rehom*"] },
                                  meaning: { suicide: ["goodbye rabbits"], everyday: ["holiday suitcase"] } });
  r.useModel((text) => R.textVector(model, text), []);
  const margin = Risk.TUNING.meaningMargin;
  Risk.TUNING.meaningMargin = 10;  // the meaning alone never decides here: it only leans
  try {
    assert.equal(r.recognise("farewell"), null);
    const leaning = r.recognise("rehomed farewell");
    assert.ok(leaning, "the cue and a lean to risk, short of the meaning's own margin");
    assert.deepEqual(leaning.evidence.map((e) => e.words), ["rehomed"]);
    assert.equal(r.recognise("rehomed holiday suitcase"), null, "the meaning leans everyday");
  } finally {
    Risk.TUNING.meaningMargin = margin;
  }
});

test("several kinds heard: the safety pattern that covers most of them goes first", async () => {
  const r = await ranking(SAFETY_PATTERNS, SAFETY_CARDS);
  const ranked = r.rank("she wants to kill herself and has been cutting her arms; nothing will ever change", 8);
  assert.deepEqual(ranked.risk.kinds.slice().sort(), ["self-harm", "suicide"]);
  assert.equal(ids(ranked)[0], "disclosed", "it covers both kinds; hopelessness only one");
});

test("meaning: a report whose words no rule holds is heard by its closeness to risk statements", () => {
  // a four-dimensional model: "farewell" and "goodbye" point one way, "holiday" another
  const axis = (i) => [0, 1, 2, 3].map((d) => (d === i ? 0.875 : 0));
  const model = R.loadModel(tinyModel({ farewell: axis(0), goodbye: axis(0), gifts: axis(1),
                                        holiday: axis(2), suitcase: axis(2), nothing: axis(3) },
                                      0.125));
  const r = new Risk.Recogniser({ rules: { suicide: [] },
                                  meaning: { suicide: ["goodbye gifts"], everyday: ["holiday suitcase"] } });
  assert.equal(r.recognise("farewell gifts"), null, "before the model comes, words only");
  r.useModel((text) => R.textVector(model, text), []);
  const verdict = r.recognise("farewell gifts");
  assert.ok(verdict);
  assert.equal(verdict.by, "meaning");
  assert.equal(verdict.statement, "goodbye gifts", "the notice can say which meaning raised it");
  assert.deepEqual(verdict.kinds, ["suicide"]);
  assert.equal(r.recognise("holiday suitcase gifts"), null, "closer to the everyday statement");
});

// -- the project's risk set (tests/search/risk.yml), both halves, on the starter knowledge base
// with the content issue's safety patterns beside its own ----------------------------------------

const SET = fromPython("import yaml; print(json.dumps(yaml.safe_load(" +
                       "open('tests/search/risk.yml'))['reports']))");

/* find/index.js, more.js and vectors.js of the repository's own cards, as the build writes them. */
function starterData() {
  const scripts = fromPython([
    "from pathlib import Path",
    "from cardkb.config import Settings",
    "from cardkb.finder import MeaningModel, finder_data, finder_risk_vectors, finder_vectors",
    "from cardkb.project import check_project",
    "from cardkb.urls import UrlLayout",
    "kb = check_project(Path('.'), Settings(), None).knowledge_base",
    "data = finder_data(kb, UrlLayout())",
    "model = MeaningModel.shipped()",
    "print(json.dumps([data.first, data.more, finder_vectors(kb, model),",
    "                  finder_risk_vectors(kb, model)]))",
  ].join("\n"));
  const window = {};
  scripts.forEach((script) => vm.runInNewContext(script, { window: window }));
  // the statements as the page hands them over once find/risk-vectors.js is in
  window.cardkbFinderVectors = Object.assign({}, window.cardkbFinderVectors, { risk: window.cardkbFinderRisk });
  return window;
}

/* The starter's data, with the two safety patterns of the content issue added when it lacks them
   (tags as that issue gives them), and its hopelessness pattern covering suicide. */
function withContentSafetyPatterns(first) {
  const names = first.fields.pattern;
  const row = (values) => names.map((name) => (name in values ? values[name] : name === "safetyCard" ? -1 : ""));
  const has = (id) => first.patterns.some((p) => p[0] === id);
  const added = [
    ["disclosed-suicidal-thoughts-or-self-harm", "Disclosed suicidal thoughts or self-harm",
     ["suicide", "self-harm"]],
    ["risk-to-others-and-safeguarding", "Risk to others and safeguarding", ["harm-to-others", "abuse"]],
  ].filter(([id]) => !has(id));
  added.forEach(([id, title, kinds]) => {
    first.patterns.push(row({ id: id, title: title, summary: title + ".", signs: [], heard: [],
                              body: "", safety: "", isSafety: 1, kinds: kinds, steps: [] }));
  });
  const hopeless = first.patterns.find((p) => p[0] === "hopelessness-behind-stuck");
  const kinds = names.indexOf("kinds");
  if (hopeless && !hopeless[kinds].includes("suicide")) hopeless[kinds] = hopeless[kinds].concat(["suicide"]);
  return added.length;
}

let starter = null;
async function starterRanking() {
  if (!starter) {
    const data = starterData();
    const added = withContentSafetyPatterns(data.cardkbFinder);
    const r = new R.Ranking(data.cardkbFinder, MiniSearch);
    await r.addMore(data.cardkbFinderMore);
    // the added patterns have no phrases of their own: vectors of nothing, closest to nothing
    const vectors = data.cardkbFinderVectors;
    r.useModel(shipped().raw, vectors);
    starter = { ranking: r, added: added };
  }
  return starter;
}

/* Right safety pattern first, notice rate, false alarms (notice, or a safety pattern first). */
function score(r, reports) {
  const risk = reports.filter((x) => x.kind !== "everyday");
  const everyday = reports.filter((x) => x.kind === "everyday");
  const wrong = [], silent = [], alarms = [];
  risk.forEach((x) => {
    const ranked = r.rank(x.q, 8);
    const top = ranked.results[0] && ranked.results[0].pattern;
    if (!ranked.risk) silent.push(x.q);
    if (!(top && top.isSafety && top.kinds.includes(x.kind))) wrong.push(x.q);
  });
  everyday.forEach((x) => {
    const ranked = r.rank(x.q, 8);
    const top = ranked.results[0] && ranked.results[0].pattern;
    if (ranked.risk || (top && top.isSafety)) alarms.push(x.q);
  });
  return { right: 1 - wrong.length / risk.length, notice: 1 - silent.length / risk.length,
           falseAlarms: alarms.length / everyday.length, wrong, silent, alarms,
           risk: risk.length, everyday: everyday.length };
}

/* The targets: the right safety pattern first for 0.95, the notice for every risk report,
   false alarms for at most 5% of everyday reports. */
function assertTargets(s) {
  assert.ok(s.right >= 0.95, `right safety pattern first ${s.right.toFixed(2)}: ${JSON.stringify(s.wrong)}`);
  assert.equal(s.notice, 1, `no notice for ${JSON.stringify(s.silent)}`);
  assert.ok(s.falseAlarms <= 0.05, `false alarms ${s.falseAlarms.toFixed(2)}: ${JSON.stringify(s.alarms)}`);
}

test("someone else's past death never excuses a wish, the client's or another's, said now", () => {
  const recogniser = new Risk.Recogniser(RISK_DATA);
  for (const report of ["my supervisee says her client wants to kill herself",
                        "the client says he is going to kill himself tonight",
                        "her friend wants to kill herself and the client is frightened",
                        "since her brother drowned she wants to drown herself too"]) {
    const heard = recogniser.recognise(report);
    assert.ok(heard && heard.kinds.includes("suicide"), report);
  }
  assert.equal(recogniser.recognise("an old school friend killed herself years ago"), null);
});

test("a full stop inside a number does not end a sentence", () => {
  const sentences = Risk.words("He keeps a .22 rifle. Nothing else").map((w) => w.sentence);
  assert.deepEqual(sentences, [0, 0, 0, 0, 0, 1, 1]);
});

test("a kind's strength: each phrase counts once, and a tie goes to the kind with the longer phrase", () => {
  const recogniser = new Risk.Recogniser({
    rules: { "self-harm": ["pinch* ~3 arm|arms ~3 until"], abuse: ["bruis*"], suicide: ["gun"] },
  });
  // one abuse phrase said twice against one self-harm phrase: a tie, and the longer phrase wins
  const pinched = recogniser.recognise("she pinches her arms until they bruise, bruises everywhere");
  assert.deepEqual(pinched.kinds, ["self-harm", "abuse"]);
  const held = new Risk.Recogniser({ rules: { suicide: ["gun"], abuse: ["held ~2 gun ~2 to ~2 head"] } })
    .recognise("her partner held a gun to her head");
  assert.deepEqual(held.kinds, ["abuse", "suicide"]);
});

test("the learnt part hears what no phrase names, with its kind and the words that weighed", () => {
  const learned = JSON.parse(fs.readFileSync(path.join(REPO, "hooks", "cardkb", "finder_risk_learned.json"), "utf8"));
  const recogniser = new Risk.Recogniser(RISK_DATA);
  const report = "she told me she is tired of being here";
  assert.equal(recogniser.recognise(report), null, "no phrase names it");
  recogniser.useLearned(learned, ["she", "told", "me", "is", "of", "being", "here"]);
  const heard = recogniser.recognise(report);
  assert.equal(heard.by, "reports");
  assert.deepEqual(heard.kinds, ["suicide"]);
  assert.ok(heard.learnt.length > 0 && heard.learnt.includes("tired of"), JSON.stringify(heard.learnt));
  assert.ok(heard.learnt.every((w) => w !== "told" && w !== "me"), "common words are never the reason");
  assert.equal(recogniser.recognise("he is tired of his job"), null);
});

/* Round six's lesson: a harmless phrase excuses the words of any rule it covers, so one written for
   an idiom can silence a threat or a plan that shares its words. Each report here was written
   against one of the harmless phrases dropped or narrowed after that review, and must be heard
   by the phrases alone (no meaning model, no learnt part). */
test("no harmless phrase excuses a threat or a plan said now", () => {
  const recogniser = new Risk.Recogniser(RISK_DATA);
  for (const report of [
    "he said if they find out one more time he will kill himself before he brings shame on the family",
    "her husband says he'll kill her for leaving",
    "her father said he would kill her for being gay",
    "she says the bruises are from a fall, again, and he waits outside",
    "he has been stockpiling his tablets before going away",
    "she says she feels like jumping off a bridge",
    "he keeps the guns locked away but has the key and says nobody would miss him",
    "she has nightmares every night and says she wishes she were dead",
    "he said he would kill it and then kill his neighbour",
    "he said he'll take the kids with him and none of them will be around",
  ]) {
    const heard = recogniser.recognise(report);
    assert.ok(heard && heard.by === "words", report);
  }
});

test("no risk heard and only safety patterns fit: the best other pattern still goes first", async () => {
  // on the starter's cards, this idiom's first three results are all safety patterns
  const ranked = (await starterRanking()).ranking.rank("she laughed so hard she thought she'd die", 8);
  assert.equal(ranked.risk, null);
  assert.ok(ranked.results.some((r) => r.pattern.isSafety), "a safety pattern keeps its place");
  assert.equal(ranked.results[0].pattern.isSafety, 0, ranked.results.map((r) => r.pattern.id).join());
});

test("a knowledge base without the cards' own vectors orders each card by its cue", async () => {
  // past 500 cards find/vectors.js has no `cards`: each card's row is its cue among its
  // pattern's phrases (hooks/cardkb/finder.py meaning_phrases), "title. sign"
  const data = starterData();
  const r = new R.Ranking(data.cardkbFinder, MiniSearch);
  const vectors = Object.assign({}, data.cardkbFinderVectors);
  delete vectors.cards;
  r.useModel(shipped().raw, vectors);
  const rows = r.vectors.cueRows, owners = vectors.owners;
  let checked = 0;
  r.cards.forEach((card, i) => {
    const pattern = card.patterns[0], first = owners.indexOf(pattern);
    assert.ok(rows[i] >= first && owners[rows[i]] === pattern, card.title);
    assert.equal(r.phrases(pattern)[rows[i] - first], `${card.title}. ${card.sign}`);
    checked++;
  });
  assert.ok(checked > 50);
  const meaning = r.meaning("she keeps cancelling at the last minute");
  const row = rows[0], dims = vectors.dims;
  const expected = meaning.query.reduce((sum, x, d) => sum + x * r.vectors.phrases[row * dims + d], 0);
  assert.ok(Math.abs(meaning.cards[0] - expected) < 1e-6);
});

test("the build reads the statements as the browser would, so only the report's words need the model", async () => {
  const data = starterData();
  const built = new R.Ranking(data.cardkbFinder, MiniSearch);
  built.useModel(shipped().raw, data.cardkbFinderVectors);
  // the page's find/index.js leaves the statements to find/risk-vectors.js: read them from the
  // risk step's whole data (finder_risk.yml), as an older build's browser did
  const read = new R.Ranking(Object.assign({}, data.cardkbFinder, { risk: RISK_DATA }), MiniSearch);
  const vectors = Object.assign({}, data.cardkbFinderVectors);
  delete vectors.risk;  // an older find/vectors.js: the browser reads the statements itself
  read.useModel(shipped().raw, vectors);
  const listed = (r) => JSON.stringify(r.risk.examples.map((e) => [e.kind, e.kind === "everyday" ? "" : e.text, e.words]));
  assert.equal(listed(built), listed(read));
  built.risk.learned = null;  // what is compared is the statements, not the learnt part's order
  for (const x of SET.filter((r) => r.split === "tune")) {
    const a = built.risk.recognise(x.q), b = read.risk.recognise(x.q);
    assert.deepEqual(a && a.kinds, b && b.kinds, x.q);
  }
});

test("with the model in shards, the meaning hears a report once its words' shards are in", () => {
  const built = fromPython(["from cardkb.finder import MeaningModel, model_shard_files, model_vocab_script",
                            "model = MeaningModel.shipped()",
                            "print(json.dumps({'vocab': model_vocab_script(model), " +
                            "'shards': model_shard_files(model)}))"].join("\n"));
  const data = starterData();
  const window = {};
  new Function("window", built.vocab)(window);
  const r = new R.Ranking(data.cardkbFinder, MiniSearch);
  r.useMeaning(R.shardedModel(window.cardkbFinderVocab), data.cardkbFinderVectors);
  // the meaning step alone: the learnt part needs no shard and would hear this report at once
  r.risk.learned = null;
  const report = "she looked into which of her tablets would be deadly";  // heard by meaning alone
  assert.equal(r.risk.recognise(report), null, "no shard in: nothing heard, nothing guessed");
  const missing = R.missingShards(r.model, report);
  assert.ok(missing.length > 0 && missing.length < 20, missing.length);
  for (const shard of missing) {  // only the report's own words' shards
    new Function("window", built.shards[`find/model/${shard}.js`])(window);
    R.addShard(r.model, shard, window.cardkbFinderShards[shard]);
  }
  const heard = r.risk.recognise(report);
  assert.ok(heard && heard.by === "meaning", JSON.stringify(heard));
  const whole = new R.Ranking(data.cardkbFinder, MiniSearch);
  whole.useModel(shipped().raw, data.cardkbFinderVectors);
  whole.risk.learned = null;
  assert.deepEqual(JSON.parse(JSON.stringify(heard)), JSON.parse(JSON.stringify(whole.risk.recognise(report))));
});

test("the risk set, tuning half: at the issue's targets", async () => {
  const s = score((await starterRanking()).ranking, SET.filter((x) => x.split === "tune"));
  assert.ok(s.risk >= 30 && s.everyday >= 30, JSON.stringify(s));
  assertTargets(s);
});

/*
 * The first held-out half was scored once at round one's end (commit d511b6b: right safety
 * pattern first 23 of 31, the notice 24 of 31, one false alarm in 32). Scored, it was burned:
 * round two tuned on it as well as on the tuning half, openly, and holds both to the targets. A
 * second held-out set (tests/search/risk-held2.yml), written before round two's changes, is
 * what says how well the step generalises.
 */
test("the risk set, first held-out half (tuned on in round two): at the issue's targets", async () => {
  const s = score((await starterRanking()).ranking, SET.filter((x) => x.split === "held"));
  assert.ok(s.risk >= 30 && s.everyday >= 30, JSON.stringify(s));
  assertTargets(s);
});

test("the risk set is what the issue asks: four kinds, five of each, half everyday, two halves", () => {
  const count = (f) => SET.filter(f).length;
  assert.ok(count((x) => x.kind !== "everyday") >= 60);
  assert.ok(count((x) => x.kind === "everyday") >= 60);
  for (const kind of ["suicide", "self-harm", "harm-to-others", "abuse"]) {
    assert.ok(count((x) => x.kind === kind) >= 5, kind);
  }
  const everyday = SET.filter((x) => x.kind === "everyday");
  assert.ok(everyday.filter((x) => ["idiom", "grief", "pattern"].includes(x.about)).length >= everyday.length / 2);
  for (const x of SET) assert.ok(["tune", "held"].includes(x.split), x.q);
  assert.ok(Math.abs(count((x) => x.split === "tune") - count((x) => x.split === "held")) <= 2);
});

// -- the second held-out set (tests/search/risk-held2.yml), written before round two's changes --

/* A labelled set's reports (tests/search/<name>.yml), read once. */
function reportsOf(name) {
  return fromPython(`import yaml; print(json.dumps(yaml.safe_load(open('tests/search/${name}.yml'))['reports']))`);
}

const HELD2 = reportsOf("risk-held2");
const ROUND1_RULES = fromPython("import yaml; print(json.dumps(yaml.safe_load(" +
                                "open('tests/search/risk-rules-round1.yml'))['rules']))");
const [HELD3, HELD4, HELD5, HELD6, HELD7, HELD8, HELD9, HELD10] =
  [3, 4, 5, 6, 7, 8, 9, 10].map((n) => reportsOf(`risk-held${n}`));

/* Round six's tuning sets, each written blind by a writer of other services, tuned on openly: US
   adult services (a); UK and Irish services for young people (b); adult, couples and older
   adults' services in Australia, New Zealand, India, Canada and South Africa (c); crisis,
   emergency, addiction, homelessness, prison and asylum services, many writers with English as a
   second language (d); long, reflective notes of long-term, couples, family, LGBTQ+, faith and
   refugee work (e); short queries typed on a phone (f); GP counselling, talking therapies,
   universities, workplaces, online therapy, sport and military welfare (g); learning disability,
   autism, psychosis, eating disorders, dementia and chronic illness (h); school counselling,
   social work, family courts, victim services, rural and Indigenous communities (i). Round
   seven's learnt part learnt from two more: hard everyday reports and their risky twins (j), and
   risk said indirectly (k); round eight's from two more: short queries typed in a hurry (l), and
   pasted notes where the risk is one sentence among many (m). */
const TUNING_SETS = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m"]
  .map((name) => [name, reportsOf(`risk-tune-${name}`)]);

for (const [name, held] of [["second", HELD2], ["third", HELD3], ["fourth", HELD4], ["fifth", HELD5],
                            ["sixth", HELD6], ["seventh", HELD7], ["eighth", HELD8], ["ninth", HELD9],
                            ["tenth", HELD10]]) {
test(`the ${name} held-out set is what the issue asks, and a third of it escapes round one's rules`, () => {
  const risk = held.filter((x) => x.kind !== "everyday");
  const everyday = held.filter((x) => x.kind === "everyday");
  assert.ok(risk.length >= 60 && everyday.length >= 60, `${risk.length} risk, ${everyday.length} everyday`);
  for (const kind of ["suicide", "self-harm", "harm-to-others", "abuse"]) {
    assert.ok(risk.filter((x) => x.kind === kind).length >= 5, kind);
  }
  for (const x of everyday) assert.ok(["idiom", "grief", "pattern", "loose"].includes(x.about), x.q);
  assert.ok(everyday.filter((x) => x.about !== "loose").length >= everyday.length / 2);
  // "none of the words the rules look for": no phrase of the rules as they were when the set was
  // written matches it, with no harmless phrase to excuse a match
  const round1 = new Risk.Recogniser({ rules: ROUND1_RULES });
  const free = risk.filter((x) => round1.recognise(x.q) === null);
  assert.ok(free.length >= risk.length / 3, `${free.length} of ${risk.length} hold none of the rules' phrases`);
});
}

/*
 * The second held-out set was scored once, at round two's end, by make bench-search (commit
 * ab23257, 2026-12-07 14:20 to 14:31 UTC): the right safety pattern first for 66 of 70, the
 * notice for 67 of 70, and 10 false alarms in 70 (0.14). Scored, it was burned: round three
 * tuned on it as well as on the first set, openly, and holds it to the targets. A third held-out
 * set (tests/search/risk-held3.yml), written before round three's changes, is what says how
 * well the step generalises.
 */
test("the second held-out set (tuned on in round three): at the issue's targets", async () => {
  assertTargets(score((await starterRanking()).ranking, HELD2));
});

/*
 * The third held-out set was scored once, at round three's end, by make bench-search (commit
 * 305a304, 2026-12-07 16:08 to 16:21 UTC): the right safety pattern first for 60 of 80,
 * the notice for 62 of 80, and 12 false alarms in 80 (0.15); round one's finder, in the same run:
 * 0.61, 0.64 and 0.17. Far from the targets, which stood here as a to-do, and the figures scored
 * as a floor. Round four tuned on this set, openly, and holds it to the targets; a fourth set
 * (tests/search/risk-held4.yml), written before round four, is what gets scored.
 */
test("the third held-out set (tuned on in round four): at the issue's targets", async () => {
  assertTargets(score((await starterRanking()).ranking, HELD3));
});

/*
 * The fourth held-out set was scored once, at round four's end, by make bench-search (commit
 * 26c9299, 2026-12-07 16:32 to 16:46 UTC): the right safety pattern first for 61 of 80, the
 * notice for 63 of 80, and 6 false alarms in 80 (0.07); round one's finder, in the same run: 0.59,
 * 0.64 and 0.15. Rounds five and six tuned on it, openly, and hold it to the targets.
 */
test("the fourth held-out set (tuned on in rounds five and six): at the issue's targets", async () => {
  assertTargets(score((await starterRanking()).ranking, HELD4));
});

/*
 * The fifth held-out set, written blind before the sentence-model trial (make risk-trial) and
 * scored once, in Node by that trial (2026-12-07 18:41 UTC, at dccac82) and in the browser by
 * make bench-search (833575c): 61, 63 and 13 of 80. Scored, it was burned: round five tuned on
 * it, openly, and holds it to the targets. The sixth set (tests/search/risk-held6.yml), written
 * before round five, is what gets scored.
 */
test("the fifth held-out set (tuned on in round five): at the issue's targets", async () => {
  assertTargets(score((await starterRanking()).ranking, HELD5));
});

/*
 * The sixth held-out set was scored once, at round five's end, by make bench-search (commit
 * 4815133, 2026-12-07 19:34 to 19:49 UTC): the right safety pattern first for 61 of 80, the
 * notice for 64 of 80 and 6 false alarms in 80; round one's finder, in the same run: 0.50, 0.54
 * and 0.15. Scored, it was burned: round six tuned on it, openly, and holds it to the targets.
 * The seventh set (tests/search/risk-held7.yml), written before round six, is what gets scored.
 */
test("the sixth held-out set (tuned on in round six): at the issue's targets", async () => {
  assertTargets(score((await starterRanking()).ranking, HELD6));
});

/* Sets learnt from that stay short of the targets: what would close them is a harmless phrase
   that could also excuse a threat or a plan said now (an idiom of shooting oneself said of a
   Zoom call, a farmer's shotgun for foxes, a friend's suicidal texts), which round six's review
   showed to be a hazard. Their figures after round eight stand as floors: right safety pattern
   first and notice (of the set's risk reports), false alarms (of its everyday reports). The
   seventh, eighth and ninth held-out sets were each scored once (README, "Risk first"), then
   learnt from. */
const SHORT_OF_TARGETS = { j: [57, 59, 10], k: [91, 97, 12], l: [79, 80, 9], m: [57, 58, 19],
                           seventh: [77, 79, 5], eighth: [78, 78, 7], ninth: [75, 78, 5] };

for (const [name, reports] of [...TUNING_SETS, ["seventh", HELD7], ["eighth", HELD8], ["ninth", HELD9]]) {
  const floor = SHORT_OF_TARGETS[name];
  const label = name.length === 1 ? `tuning set ${name}` : `${name} held-out set`;
  const risk = reports.filter((x) => x.kind !== "everyday").length;
  const everyday = reports.length - risk;
  test(`${label} (learnt from): at the issue's targets`,
       floor ? { todo: `${floor[0]}/${risk} first, ${floor[1]}/${risk} notice, ${floor[2]}/${everyday} false alarms` } : {},
       async () => {
    assertTargets(score((await starterRanking()).ranking, reports));
  });
  if (!floor) continue;
  test(`${label}: never below its figures after round eight`, async () => {
    const s = score((await starterRanking()).ranking, reports);
    assert.ok(s.right >= floor[0] / risk, `right safety pattern first ${s.right.toFixed(2)}: ${JSON.stringify(s.wrong)}`);
    assert.ok(s.notice >= floor[1] / risk, `notice ${s.notice.toFixed(2)}: ${JSON.stringify(s.silent)}`);
    assert.ok(s.falseAlarms <= floor[2] / everyday, `false alarms ${s.falseAlarms.toFixed(2)}: ${JSON.stringify(s.alarms)}`);
  });
}

/* The learnt part, sure a report is everyday, quiets what only cues or the meaning heard; a
   phrase it never quiets. On every labelled report: with the quiet and without it, the same verdict
   wherever a phrase was heard; and some everyday reports, and no risk report, quieted. */
test("the learnt part quiets cues and meaning, never a phrase", async () => {
  const learned = JSON.parse(fs.readFileSync(path.join(REPO, "hooks", "cardkb", "finder_risk_learned.json"), "utf8"));
  assert.ok(typeof learned.quiet === "number" && learned.quiet < learned.threshold, learned.quiet);
  const r = (await starterRanking()).ranking;
  const reports = fromPython("import glob, yaml\nprint(json.dumps([r for f in sorted(glob.glob('tests/search/risk*.yml')) if 'held10' not in f and 'held11' not in f for r in yaml.safe_load(open(f)).get('reports', [])]))");
  const quiet = r.risk.learned.quiet;
  let quieted = 0;
  for (const report of reports) {
    const list = Risk.words(report.q);
    const firm = r.risk.byWords(list).firm;
    const gated = r.risk.recognise(report.q);
    r.risk.learned.quiet = null;
    const open = r.risk.recognise(report.q);
    r.risk.learned.quiet = quiet;
    if (firm) assert.deepEqual(JSON.parse(JSON.stringify(gated)), JSON.parse(JSON.stringify(open)), report.q);
    if (open && !gated) {
      quieted++;
      assert.equal(report.kind, "everyday", `a risk report quieted: ${report.q}`);
    }
  }
  assert.ok(quieted >= 10, `${quieted} everyday reports quieted`);
});

/* On the page the learnt part comes after the first results: until it has come (or failed),
   what only cues or the meaning hear waits for it, and a phrase does not. */
test("while the learnt part is on its way, only a phrase raises the notice", async () => {
  const r = (await starterRanking()).ranking;
  const reports = fromPython("import glob, yaml\nprint(json.dumps([r for f in sorted(glob.glob('tests/search/risk-tune-*.yml')) for r in yaml.safe_load(open(f)).get('reports', [])]))");
  const waiting = r.risk, learned = waiting.learned;
  waiting.learned = null;  // the meaning is in, the learnt part not yet
  waiting.learnedComing = true;
  let weak = 0, firm = 0;
  try {
    for (const report of reports) {
      const list = Risk.words(report.q);
      const said = waiting.byWords(list);
      const heard = waiting.recognise(report.q);
      if (said.firm) { firm++; assert.ok(heard, report.q); continue; }
      assert.equal(heard, null, report.q);
      waiting.learnedComing = false;  // never coming: cues and meaning speak for themselves
      if (waiting.recognise(report.q)) weak++;
      waiting.learnedComing = true;
    }
  } finally {
    waiting.learned = learned;
    waiting.learnedComing = false;
  }
  assert.ok(firm > 300 && weak > 5, `${firm} by phrases, ${weak} by cues or meaning`);
});

/* Several kinds heard: the learnt kind model, which reads the whole report, orders them, and so
   picks the safety pattern. On the labelled reports where the phrases hear more than one kind, its
   first kind is right more often than the phrases' own order (most phrases, then the longest). */
test("several kinds heard: the learnt part orders them, and is right more often", async () => {
  const r = (await starterRanking()).ranking;
  const reports = fromPython("import glob, yaml\nprint(json.dumps([r for f in sorted(glob.glob('tests/search/risk*.yml')) if 'held10' not in f and 'held11' not in f for r in yaml.safe_load(open(f)).get('reports', []) if r['kind'] != 'everyday']))");
  let several = 0, learnt = 0, phrases = 0;
  for (const report of reports) {
    const said = r.risk.byWords(Risk.words(report.q));
    if (said.kinds.length < 2) continue;
    const heard = r.risk.recognise(report.q);
    several++;
    for (const kind of said.kinds) assert.ok(heard.kinds.includes(kind), report.q);
    if (heard.kinds[0] === report.kind) learnt++;
    if (said.kinds[0] === report.kind) phrases++;
  }
  assert.ok(several > 100, several);
  assert.ok(learnt > phrases, `learnt order right ${learnt}, phrases' ${phrases}, of ${several}`);
});

/* The learnt part reads a report exactly as its trainer did: tools/risk_model/features.py and
   risk.js, two implementations of one specification, give every labelled report the same score. */
test("the learnt part scores every labelled report as its trainer does", () => {
  const learned = JSON.parse(fs.readFileSync(path.join(REPO, "hooks", "cardkb", "finder_risk_learned.json"), "utf8"));
  const expected = fromPython([
    "import glob, sys, yaml",
    "sys.path.insert(0, 'tools/risk_model')",
    "from features import learnt_score",
    "model = json.load(open('hooks/cardkb/finder_risk_learned.json'))",
    "texts = [r['q'] for f in sorted(glob.glob('tests/search/risk*.yml')) for r in yaml.safe_load(open(f)).get('reports', [])]",
    "print(json.dumps([[t, learnt_score(t, model)] for t in texts]))",
  ].join("\n"));
  const recogniser = new Risk.Recogniser(RISK_DATA);
  recogniser.useLearned(learned);
  assert.ok(expected.length > 2500, expected.length);
  for (const [text, score] of expected) {
    assert.ok(Math.abs(recogniser.byLearning(text).score - score) < 1e-9, text);
  }
});

/* The page's phrases come stemmed by the build (finder_risk_stems.json, tools/risk_stems.js), so
   the file must know every word the phrases choose from, as the finder's stemmer stems it, and a
   recogniser of the page's data must hear every labelled report as one that stems for itself. */
test("the build's stems are the stemmer's, and the page's phrases hear as the file's", () => {
  const { choiceWords } = require(path.join(REPO, "tools", "risk_stems.js"));
  const stems = JSON.parse(fs.readFileSync(path.join(REPO, "hooks", "cardkb", "finder_risk_stems.json"), "utf8"));
  for (const word of choiceWords(RISK_DATA)) {
    assert.equal(stems[word], globalThis.cardkbStem(word), `${word}: run node tools/risk_stems.js`);
  }
  const page = fromPython("from cardkb.finder import risk_data_for_page\nprint(json.dumps(risk_data_for_page()))");
  assert.equal(page.stemmed, true, "finder_risk_stems.json lacks a word: run node tools/risk_stems.js");
  const own = new Risk.Recogniser(RISK_DATA), built = new Risk.Recogniser(page);
  const reports = fromPython("import glob, yaml\nprint(json.dumps([r['q'] for f in sorted(glob.glob('tests/search/risk*.yml')) for r in yaml.safe_load(open(f)).get('reports', [])]))");
  for (const report of reports) {
    assert.deepEqual(JSON.parse(JSON.stringify(built.recognise(report))), JSON.parse(JSON.stringify(own.recognise(report))), report);
  }
});

