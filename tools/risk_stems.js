/*
 * Writes hooks/cardkb/finder_risk_stems.json: the Porter2 stem (wink-porter2-stemmer, the finder's
 * own) of every word the risk step's phrases choose from (hooks/cardkb/finder_risk.yml). The build
 * ships the phrases with their words already stemmed, so the page does not stem some 2,600 words
 * before its first results. Run after editing the phrases:
 *
 *     node tools/risk_stems.js
 *
 * tests/finder/risk.test.js fails when the file is missing a word or disagrees with the stemmer.
 */
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const REPO = path.resolve(__dirname, "..");
const stem = require(path.join(REPO, "tools", "js", "node_modules", "wink-porter2-stemmer"));
const Risk = require(path.join(REPO, "content", "assets", "finder", "risk.js"));

/* Every word a phrase chooses from, as risk.js's own compile() reads it (prefix choices, compared
   as written, are not stemmed). */
function choiceWords(risk) {
  const phrases = [].concat(...Object.values(risk.rules), ...Object.values(risk.cues || {}),
                            risk.harmless || [], risk.jokes || []);
  const words = new Set();
  for (const phrase of phrases) {
    for (const slot of Risk.compile(phrase).slots) slot.words.forEach((word) => words.add(word));
  }
  return [...words].sort();
}

if (require.main === module) {
  const python = process.env.CARDKB_PYTHON || path.join(REPO, ".venv", "bin", "python");
  const data = JSON.parse(execFileSync(python, ["-c",
    "import json\nfrom cardkb.finder import risk_data\nprint(json.dumps(risk_data()))"],
    { cwd: REPO, encoding: "utf8" }));
  const stems = Object.fromEntries(choiceWords(data).map((word) => [word, stem(word)]));
  const out = path.join(REPO, "hooks", "cardkb", "finder_risk_stems.json");
  fs.writeFileSync(out, JSON.stringify(stems, null, 0).replace(/,"/g, ',\n"') + "\n");
  console.log(`${path.relative(REPO, out)}: ${Object.keys(stems).length} words`);
}

module.exports = { choiceWords };
