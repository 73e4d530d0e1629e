/* The finder's words: tokenising, stop words, stemming and British spelling, typo matching. */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { R, STOP_WORDS } = require("./kit.js");

test("tokenize: lower case, words of any script, apostrophes inside a word kept", () => {
  assert.deepEqual(R.tokenize("Zoë's client’s THREE sessions, 2 weeks—then: nothing!"),
                   ["zoë's", "client’s", "three", "sessions", "2", "weeks", "then", "nothing"]);
  assert.deepEqual(R.tokenize("🙂 … — !!"), []);
  assert.deepEqual(R.tokenize(""), []);
  assert.deepEqual(R.tokenize("https://x.example/a?b=c"), ["https", "x", "example", "a", "b", "c"]);
});

test("normalize: stop words are never terms, whatever their case or possessive", () => {
  for (const word of ["the", "The", "THE", "with", "one", "she", "client", "client's", "client’s"]) {
    assert.equal(R.normalize(word), null, word);
  }
  assert.ok(STOP_WORDS.length > 100);
  assert.ok(R.stopWords().has("the"));
});

test("normalize: Porter2 stems, so inflections meet", () => {
  const same = [["cancelled", "cancellations", "cancels", "cancelling"],
                ["avoid", "avoids", "avoided", "avoidance"],
                ["argue", "argued", "argues", "arguing"]];
  for (const words of same) {
    const stems = new Set(words.map(R.normalize));
    assert.equal(stems.size, 1, `${words.join(", ")} -> ${[...stems].join(", ")}`);
  }
  assert.notEqual(R.normalize("cancel"), R.normalize("candle"));
});

test("normalize: British -ise and -our spellings meet the American ones", () => {
  for (const [british, american] of [["apologise", "apologize"], ["apologised", "apologized"],
                                     ["organisation", "organization"], ["criticising", "criticizing"],
                                     ["behaviour", "behavior"], ["colours", "colors"]]) {
    assert.equal(R.normalize(british), R.normalize(american), british);
  }
  assert.equal(R.normalize("client’s"), R.normalize("client's"));
  assert.equal(R.normalize("therapist's"), R.normalize("therapist"));
});

test("queryTerms: stop words dropped, repeats once, the last word marked as being typed", () => {
  assert.deepEqual(R.queryTerms("she was cancelling the sess"),
                   { terms: ["cancel", "sess"], typing: true, typed: "sess" });
  // a space after the last word: it is finished, no prefix search
  assert.equal(R.queryTerms("she was cancelling ").typing, false);
  assert.deepEqual(R.queryTerms("cancel cancelled Cancels").terms, ["cancel"]);
  // only the word the query ends in is being typed, and only if it is a term
  assert.deepEqual(R.queryTerms("hope and the"), { terms: ["hope"], typing: false, typed: null });
  assert.deepEqual(R.queryTerms("she cancels."), { terms: ["cancel"], typing: false, typed: null });
  assert.deepEqual(R.queryTerms("cancel hope cancel"), { terms: ["hope", "cancel"], typing: true, typed: "cancel" });
  assert.deepEqual(R.queryTerms("the and with one"), { terms: [], typing: false, typed: null });
  assert.deepEqual(R.queryTerms(""), { terms: [], typing: false, typed: null });
  assert.deepEqual(R.queryTerms("   "), { terms: [], typing: false, typed: null });
});

test("allowedEdits: no typo in short words, one from five letters, two from nine", () => {
  assert.deepEqual([1, 2, 3, 4].map((n) => R.allowedEdits("x".repeat(n))), [0, 0, 0, 0]);
  assert.deepEqual([5, 6, 7, 8].map((n) => R.allowedEdits("x".repeat(n))), [1, 1, 1, 1]);
  assert.deepEqual([9, 10, 20].map((n) => R.allowedEdits("x".repeat(n))), [2, 2, 2]);
});

test("editDistance: Levenshtein, capped", () => {
  assert.equal(R.editDistance("cancel", "cancel", 2), 0);
  assert.equal(R.editDistance("cancel", "cancle", 2), 2); // a swap is two edits
  assert.equal(R.editDistance("avoidanc", "avodanc", 1), 1);
  assert.equal(R.editDistance("kitten", "sitting", 3), 3);
  assert.equal(R.editDistance("", "abc", 3), 3);
  // past the cap, the answer is cap + 1, however far the words are
  assert.equal(R.editDistance("kitten", "sitting", 2), 3);
  assert.equal(R.editDistance("a", "abcdefgh", 2), 3);
  assert.equal(R.editDistance("abcdefgh", "hgfedcba", 1), 2);
});

test("termMatches: a text word matches a term by stem, prefix or an allowed typo", () => {
  const parsed = R.queryTerms("cancelations frustated avo"); // typos, and a word being typed
  const terms = parsed.terms;
  assert.ok(R.termMatches("cancellations", terms, parsed.typed));
  assert.ok(R.termMatches("frustrated", terms, parsed.typed));
  assert.ok(R.termMatches("avoiding", terms, parsed.typed));
  // only the word being typed matches as a beginning: a finished "hope" is not "hopeless"
  const finished = R.queryTerms("hope and ");
  assert.ok(!R.termMatches("hopeless", finished.terms, finished.typed));
  assert.ok(!R.termMatches("the", terms), "a stop word never matches");
  assert.ok(!R.termMatches("rupture", terms));
  // four letters allow no typo
  assert.ok(!R.termMatches("bags", R.queryTerms("rags ").terms));
});
