/*
 * The shipped finder's verdict on each report, for tools/risk_trial/trial.py: the finder of a
 * built site (its find/ data, the shipped meaning model, the risk step's statements), asked as
 * the page asks it. Reads a JSON list of reports on stdin; prints, for each, whether the notice
 * shows, the kinds the safety pattern first covers (when one is first), and the report's vector
 * by the static table (the finder's meaning model, averaged over the report's words).
 *
 *     node tools/risk_trial/verdicts.js SITE_DIR < reports.json
 */
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const { R, MiniSearch, shipped } = require("../../tests/finder/kit.js");

const site = process.argv[2];
const window = {};
for (const file of ["index.js", "more.js", "vectors.js", "risk-vectors.js"]) {
  vm.runInNewContext(fs.readFileSync(path.join(site, "find", file), "utf8"), { window: window });
}

(async () => {
  const ranking = new R.Ranking(window.cardkbFinder, MiniSearch);
  await ranking.addMore(window.cardkbFinderMore);
  ranking.useModel(shipped().raw, Object.assign({}, window.cardkbFinderVectors,
                                                { risk: window.cardkbFinderRisk }));
  const reports = JSON.parse(fs.readFileSync(0, "utf8"));
  const verdicts = reports.map((q) => {
    const ranked = ranking.rank(q, 8);
    const top = ranked.results[0] && ranked.results[0].pattern;
    const vector = R.textVector(shipped().model, q);
    return { notice: !!ranked.risk, topKinds: top && top.isSafety ? top.kinds : null,
             vector: vector ? Array.from(vector) : null };
  });
  process.stdout.write(JSON.stringify({ verdicts: verdicts }));
})();
