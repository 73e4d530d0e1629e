/* The ranking: lexical matching over weighted fields, meaning, and how the two combine. */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { R, finderData, firstRanking, ranking, tinyModel, tinyVectors } = require("./kit.js");

const ids = (ranked) => ranked.results.map((result) => result.pattern.id);

const PATTERNS = [
  { id: "late", title: "Arriving late", summary: "The client arrives later each week.",
    signs: ["She reschedules at the last minute."], heard: ["always twenty minutes behind"] },
  { id: "homework", title: "Tasks left undone", summary: "Agreed tasks come back untouched.",
    signs: ["Homework is not done."] },
  { id: "quiet", title: "Long silences", summary: "Sessions fall silent.",
    signs: ["Pauses stretch on and nobody speaks."] },
];
const CARDS = [
  { id: "ask-about-lateness", title: "Wonder aloud", sign: "Another late start.",
    verdict: "works", patterns: ["late"], wording: ["What makes getting here hard?"],
    move: "Get curious about the pattern of arriving.", why: "Curiosity invites reflection." },
  { id: "assign-more", title: "Assign more tasks", sign: "Nothing was practised.",
    verdict: "backfires", patterns: ["homework", "quiet"],
    wording: ["Let's double the worksheets."], move: "Hand out extra worksheets.",
    why: "Pressure deepens withdrawal." },
];

test("stop words never match: a query of them finds nothing, and says so by its terms", async () => {
  const r = await ranking(PATTERNS, CARDS);
  for (const query of ["the", "she is in the", "with one of them ", ""]) {
    const ranked = r.rank(query);
    assert.deepEqual(ranked.terms, [], query);
    assert.deepEqual(ids(ranked), [], query);
  }
});

test("prefix matching only for the word still being typed", async () => {
  const r = await ranking(PATTERNS, CARDS);
  assert.deepEqual(ids(r.rank("resched")), ["late"]);
  // the same letters as a finished word, or before another word, are not a prefix
  assert.deepEqual(ids(r.rank("resched ")), []);
  assert.deepEqual(ids(r.rank("resched homework")), ["homework"]);
  assert.deepEqual(ids(r.rank("resched and")), [], "a stop word after it ends the word too");
  assert.deepEqual(ids(r.rank("resched.")), []);
  // two letters are too few to be a prefix of anything
  assert.deepEqual(ids(r.rank("ho")), []);
});

test("typos: one edit from five letters, none below", async () => {
  const r = await ranking(PATTERNS, CARDS);
  assert.deepEqual(ids(r.rank("homwork ")), ["homework"]);
  assert.deepEqual(ids(r.rank("silnces ")), ["quiet"]);
  assert.deepEqual(ids(r.rank("lat ")), [], "a four-letter word with a typo matches nothing");
});

test("field weights: heard_as and signs count well above body text", async () => {
  const pattern = (id, field) => ({ id: id, title: "Pattern " + id, summary: "A summary.",
                                    signs: ["A sign."], body: "Some words here.",
                                    [field]: field === "body" ? "Some words here, avoidance."
                                                              : ["Avoidance."] });
  const r = await ranking([pattern("b", "body"), pattern("h", "heard"), pattern("s", "signs")]);
  const ranked = r.rank("avoidance ");
  assert.deepEqual(ids(ranked).slice(0, 2).sort(), ["h", "s"]);
  assert.equal(ids(ranked)[2], "b");
  const score = Object.fromEntries(ranked.results.map((x) => [x.pattern.id, x.score]));
  assert.ok(score.b < 0.6 * Math.min(score.h, score.s), JSON.stringify(score));
});

test("a card's match lifts its patterns, and is listed under them first", async () => {
  const r = await ranking(PATTERNS, CARDS);
  const ranked = r.rank("worksheets ");
  assert.deepEqual(ids(ranked).sort(), ["homework", "quiet"]);
  for (const result of ranked.results) {
    assert.equal(result.cards[0].id, "assign-more");
    assert.equal(result.cards[0].url, "../cards/assign-more/");
  }
  assert.equal(ranked.results[0].pattern.url, "../patterns/" + ids(ranked)[0] + "/");
});

test("the second part of the data: a card's wording is searched once it is added", async () => {
  const first = firstRanking(PATTERNS, CARDS);
  assert.deepEqual(ids(first.rank("worksheets ")), []);
  await first.addMore(finderData(PATTERNS, CARDS).more);
  assert.deepEqual(ids(first.rank("worksheets ")).sort(), ["homework", "quiet"]);
});

test("words alone: the best lexical match scores 1, the others in proportion", async () => {
  const r = await ranking(PATTERNS, CARDS);
  const ranked = r.rank("homework sessions silent ");
  const lexical = r.lexical("homework sessions silent ");
  const pScore = (id) => lexical.hits.get("p" + PATTERNS.findIndex((p) => p.id === id)).score;
  const best = Math.max(pScore("homework"), pScore("quiet"));
  assert.equal(ranked.results[0].score, 1);
  for (const result of ranked.results) {
    assert.ok(Math.abs(result.score - pScore(result.pattern.id) / best) < 1e-6, result.pattern.id);
    assert.ok(result.lexical);
  }
});

/* Three patterns, each one phrase pointing along one axis of a four-dimensional model. */
async function withMeaning() {
  const patterns = [
    { id: "rage", title: "Rage", summary: "Shouting.", signs: ["He talks about fear a lot."] },
    { id: "worry", title: "Worry", summary: "Trembling.", signs: ["Trembling hands."] },
    { id: "calm", title: "Calm", summary: "Quiet.", signs: ["Still."] },
  ];
  const r = await ranking(patterns, []);
  const axis = (i) => [0, 1, 2, 3].map((d) => (d === i ? 0.875 : 0));
  const unit = (i) => [0, 1, 2, 3].map((d) => (d === i ? 1 : 0));
  const model = tinyModel({ fear: axis(1), dread: axis(1), shouting: axis(0), still: axis(2) },
                          0.125);
  r.useModel(model, tinyVectors(4, [unit(0), unit(1), unit(2)], [0, 1, 2], []));
  return r;
}

test("meaning: a query no field holds is ranked by meaning alone", async () => {
  const r = await withMeaning();
  const ranked = r.rank("dread ");
  assert.deepEqual(ids(ranked), ["worry"]); // the others are no closer than average: left out
  assert.equal(ranked.results[0].score, 1);
  assert.equal(ranked.results[0].lexical, false);
  // without the model, the same words find nothing
  const words = await ranking([{ id: "worry", title: "Worry", signs: ["Trembling hands."] }]);
  assert.deepEqual(ids(words.rank("dread ")), []);
});

test("combined: the lexical weight of words and the rest of meaning, each scaled to 1", async () => {
  const r = await withMeaning();
  const w = R.TUNING.lexicalWeight;
  assert.ok(w > 0 && w < 1);
  // "fear": the words are in rage's sign, the meaning is worry's
  const ranked = r.rank("fear ");
  const score = Object.fromEntries(ranked.results.map((x) => [x.pattern.id, x.score]));
  assert.ok(Math.abs(score.rage - w) < 1e-6, `rage ${score.rage}`);
  assert.ok(Math.abs(score.worry - (1 - w)) < 1e-6, `worry ${score.worry}`);
  assert.equal(score.calm, undefined);
  assert.deepEqual(ids(ranked), w >= 0.5 ? ["rage", "worry"] : ["worry", "rage"]);
  const meaning = r.meaning("fear ");
  assert.deepEqual(Array.from(meaning.patterns), [0, 1, 0]);
});

test("past the third, weak matches far below the best are left out; the limit holds", async () => {
  const patterns = [
    { id: "p0", title: "Anxiety", signs: ["Anxiety about anxiety."], heard: ["anxiety, anxiety"],
      summary: "Anxiety." },
  ];
  for (let i = 1; i <= 6; i++) {
    patterns.push({ id: "p" + i, title: "Other " + i,
                    body: "A long text about many different things, and anxiety once, " +
                          "with more words about sessions, weeks and plans ".repeat(i) });
  }
  const r = await ranking(patterns, []);
  const all = r.rank("anxiety ", 20);
  const lexicalMatches = r.lexical("anxiety ").hits.size;
  assert.equal(lexicalMatches, 7);
  assert.ok(all.results.length >= 3 && all.results.length < 7, `${all.results.length} kept`);
  const top = all.results[0].score;
  all.results.slice(3).forEach((x) => assert.ok(x.score >= R.TUNING.keepShare * top));
  assert.equal(r.rank("anxiety ", 2).results.length, 2);
});

test("a safety pattern the words match is never left out, by the keep rule or the limit", async () => {
  const strong = (i) => ({ id: "strong" + i, title: "Strong " + i, heard: ["anxiety, anxiety"],
                           signs: ["Anxiety."] });
  const weak = (id, isSafety) => ({
    id: id, title: "Weak " + id, isSafety: isSafety,
    body: "A long text about many different things, anxiety once, " + "and more words ".repeat(30),
  });
  const r = await ranking([strong(1), strong(2), strong(3), strong(4), weak("plain", 0),
                           weak("risk", 1)], []);
  const all = r.rank("anxiety ", 8);
  assert.ok(!ids(all).includes("plain"), "the control: a weak match is left out");
  assert.equal(ids(all)[ids(all).length - 1], "risk");
  assert.ok(all.results[all.results.length - 1].score < R.TUNING.keepShare * all.results[0].score);
  const three = r.rank("anxiety ", 3);
  assert.equal(three.results.length, 3);
  assert.equal(ids(three)[2], "risk");
  // the ranking names the safety pattern that fits, for the page's notice: one rule, not two
  assert.equal(all.safety.pattern.id, "risk");
  assert.equal(r.rank("depression ", 8).safety, null, "no safety pattern fits a word none has");
});

test("words of risk put the safety pattern first and name it; other words leave it in its place", async () => {
  const patterns = [
    ...PATTERNS,
    { id: "risk", title: "Hopelessness", isSafety: 1, summary: "Risk under the surface.",
      signs: ["The client sees no future."] },
  ];
  const r = await ranking(patterns, CARDS);
  // the control: words of lateness alone fit the lateness pattern, and no safety pattern
  const plain = r.rank("she reschedules and arrives late ", 8);
  assert.equal(plain.risk, null);
  assert.equal(plain.safety, null);
  assert.ok(!ids(plain).includes("risk"));
  for (const [query, words] of [
    ["she reschedules and says there's no way out ", "no way out"],
    ["late again, and she mentioned she felt suicidal ", "suicidal"],
    ["He Said He Can't Go On like this, arriving late ", "Can't Go On"],
    ["homework not done; she says they'd be better off without her ", "better off without her"],
  ]) {
    const ranked = r.rank(query, 8);
    assert.ok(ranked.risk, query);
    assert.equal(ranked.risk.by, "words", query);
    assert.deepEqual(ranked.risk.evidence.map((e) => e.words), [words], query);
    assert.equal(ids(ranked)[0], "risk", query);
    assert.equal(ranked.safety.pattern.id, "risk", query);
  }
  // whole words only: "no way out" is a phrase, "no way outside" is not
  assert.equal(r.rank("no way outside the office ", 8).risk, null);
  // the other results keep their order behind it
  assert.deepEqual(ids(r.rank("she reschedules, says no way out ", 8)).filter((id) => id !== "risk"),
                   ids(r.rank("she reschedules ", 8)).filter((id) => id !== "risk"));
});
