/*
 * cardkb's risk step: does a supervisee's report speak of risk to life, and of which kind?
 *
 * A step of its own, beside the finder's ranking (cardkb-finder.js), pure and testable in Node
 * (tests/finder/risk.test.js). Its data comes with the finder's (find/index.js, `risk`, from
 * hooks/cardkb/finder_risk.yml). Two parts, each explainable:
 *   - words: phrases on stems (methods and means, ways of saying "ending it", a burden, farewells,
 *     self-injury, past attempts, harm to and from others), minus what turns them harmless
 *     (idioms of dying, killing and cutting; a death that is someone else's); and cues, weak
 *     words (a will written, a pet given a new home) that raise a kind two together, or one with
 *     the meaning leaning to risk;
 *   - meaning: once the finder's meaning model has loaded, each sentence of the report against
 *     short risk statements and everyday ones (their words' vectors read at build time); the
 *     closest risk statements win only when they are clearly closer than the everyday ones.
 * It reads the whole text it is given (the finder gives it up to 2,000 characters).
 */
(function (root) {
  "use strict";

  var WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;
  // a full stop ends a sentence, but not inside a number ("a .22 rifle", "2.5 mg")
  var SENTENCE_END = /(?:[!?;:\n]|\.(?!\d))+/;
  var CACHED_WORDS = 2000;
  /* What the learnt part reads of a report, as the trainer does (the finder gives 2,000). */
  var RISK_TEXT = 2000;

  var TUNING = {
    /* The closest risk statement must be at least this close (cosine)... */
    meaningFloor: 0.4,
    /* ...and this much closer than the closest everyday statement. */
    meaningMargin: 0.05,
    /* How many of the closest statements of each side are averaged. */
    neighbours: 3,
    /* Sentences shorter than this many words are read together with the next one. */
    shortSentence: 3,
    /* Cues (weak words, such as "wrote a will") of one kind raise it when this many different
       ones are heard... */
    cuesAlone: 2,
    /* ...or one is heard and the meaning leans to risk by at least this margin. */
    cueMeaningMargin: 0.02,
  };

  /* A word as rules compare it: lower case, "'s" dropped, no apostrophes. */
  function fold(word) {
    return String(word).toLowerCase().replace(/['’]s$/, "").replace(/['’]/g, "");
  }

  var stems = new Map();

  /* A folded word's stem, remembered: between keystrokes the report's words come back. */
  function stem(word) {
    var cached = stems.get(word);
    if (cached === undefined) {
      cached = root.cardkbStem ? root.cardkbStem(word) : word;
      if (stems.size >= CACHED_WORDS) stems.clear();
      stems.set(word, cached);
    }
    return cached;
  }

  /* The report's words, each with its folded form, its stem and its sentence. */
  function words(text) {
    var out = [];
    String(text).split(SENTENCE_END).forEach(function (sentence, s) {
      (sentence.match(WORD) || []).forEach(function (raw) {
        var folded = fold(raw);
        if (folded) out.push({ raw: raw, folded: folded, stem: stem(folded), sentence: s });
      });
    });
    return out;
  }

  /* "a|b ~2 c*" as slots: choices of stems or prefixes, and gaps of up to N words. `stemmed`:
     the build stemmed the words already (hooks/cardkb/finder.py risk_data_for_page). */
  function compile(phrase, stemmed) {
    var slots = [];
    phrase.trim().split(/\s+/).forEach(function (part) {
      var gap = /^~(\d+)$/.exec(part);
      if (gap) {
        if (slots.length) slots[slots.length - 1].gap = +gap[1];
        return;
      }
      var words = [], prefixes = [];
      part.split("|").forEach(function (choice) {
        if (/\*$/.test(choice)) prefixes.push(fold(choice.slice(0, -1)));
        else words.push(fold(choice));
      });
      // the words' stems: from the build, or worked out the first time the slot is tried
      // (slotMatches), as most of a report's words never reach a phrase's later slots
      slots.push({ words: words, stems: stemmed ? words : null, prefixes: prefixes, gap: 0 });
    });
    return { text: phrase, slots: slots };
  }

  function slotMatches(slot, word) {
    if (!slot.stems) slot.stems = slot.words.map(stem);
    if (slot.stems.indexOf(word.stem) >= 0) return true;
    for (var i = 0; i < slot.prefixes.length; i++) {
      if (word.folded.indexOf(slot.prefixes[i]) === 0) return true;
    }
    return false;
  }

  /* The word positions of the first match of a rule from `start`, within one sentence, or null. */
  function matchFrom(rule, list, start, slotIndex) {
    var slot = rule.slots[slotIndex];
    if (!slotMatches(slot, list[start])) return null;
    if (slotIndex === rule.slots.length - 1) return [start];
    for (var next = start + 1; next <= start + 1 + slot.gap && next < list.length; next++) {
      if (list[next].sentence !== list[start].sentence) break;
      var rest = matchFrom(rule, list, next, slotIndex + 1);
      if (rest) return [start].concat(rest);
    }
    return null;
  }

  /* Every match of a rule: its word positions. */
  function matches(rule, list) {
    var found = [];
    for (var i = 0; i < list.length; i++) {
      var at = matchFrom(rule, list, i, 0);
      if (at) found.push(at);
    }
    return found;
  }

  function Recogniser(data) {
    data = data || {};
    var rules = data.rules || {};
    this.kinds = Object.keys(rules);
    this.rules = [];
    var self = this;
    this.kinds.forEach(function (kind) {
      rules[kind].forEach(function (phrase) {
        var rule = compile(phrase, data.stemmed);
        rule.kind = kind;
        self.rules.push(rule);
      });
    });
    var cues = data.cues || {};
    this.cues = [];
    Object.keys(cues).forEach(function (kind) {
      if (self.kinds.indexOf(kind) < 0) self.kinds.push(kind);
      cues[kind].forEach(function (phrase) {
        var cue = compile(phrase, data.stemmed);
        cue.kind = kind;
        self.cues.push(cue);
      });
    });
    this.harmless = (data.harmless || []).map(function (p) { return compile(p, data.stemmed); });
    this.jokes = (data.jokes || []).map(function (p) { return compile(p, data.stemmed); });
    /* words the meaning step does not read: "she said", "he told me" say nothing of risk */
    this.unheard = new Set(data.unheard || []);
    this.statements = data.meaning || {};
    this.examples = null;  // the statements' vectors, once the model has come
    this.learned = null;   // the learnt part, once find/risk-vectors.js has come (useLearned)
    /* set by the page while the learnt part is on its way: what only cues or the meaning hear
       waits for it (it may quiet them), so a notice is never shown and then taken back */
    this.learnedComing = false;
    this.vectorOf = null;
  }

  /* A text's words as the meaning model is asked about them, one at a time. */
  function modelWords(text) {
    return String(text).toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  /*
   * Give the step the finder's meaning model and let it read its statements itself (the Node
   * tests' way; the page's statements come read by the build, useStatements): `vectorOf(text)` is
   * a unit vector, or null for a word the model does not read (a stop word). `everyday` adds
   * statements of the everyday kind (the other patterns' signs and heard_as phrases).
   */
  Recogniser.prototype.useModel = function (vectorOf, everyday) {
    var self = this, vocabulary = new Map(), vectors = [], examples = [], pending = [];
    Object.keys(this.statements).forEach(function (kind) {
      self.statements[kind].forEach(function (text) { pending.push([kind, text]); });
    });
    (everyday || []).forEach(function (text) { pending.push(["everyday", text]); });
    pending.forEach(function (statement) {
      var found = [];
      modelWords(statement[1]).forEach(function (word) {
        if (self.unheard.has(word)) return;
        if (!vocabulary.has(word)) {
          var vector = vectorOf(word);
          vocabulary.set(word, vector ? vectors.length : -1);
          if (vector) vectors.push(vector);
        }
        var row = vocabulary.get(word);
        if (row >= 0 && found.indexOf(row) < 0) found.push(row);
      });
      if (found.length) examples.push({ kind: statement[0], text: statement[1], words: found });
    });
    this.examples = examples;
    this.exampleVectors = vectors;
    this.vectorOf = vectorOf;
    this.similarities = new Map();
  };

  /* The statements as the build read them (hooks/cardkb/finder.py risk_vectors): `examples` are
     [kind's index in `kinds`, text, rows of `vectors`], `vectors` a unit vector a word; the
     report's words are read with `vectorOf`. */
  Recogniser.prototype.useStatements = function (kinds, examples, vectors, vectorOf) {
    this.examples = examples.map(function (e) { return { kind: kinds[e[0]], text: e[1], words: e[2] }; });
    this.exampleVectors = vectors;
    this.vectorOf = vectorOf;
    this.similarities = new Map();
  };

  /* A word's cosine with every word of the statements, remembered: typing adds one word. */
  Recogniser.prototype.similaritiesOf = function (word) {
    var cached = this.similarities.get(word);
    if (cached !== undefined) return cached;
    var vector = this.vectorOf(word), sims = null;
    if (vector) {
      var all = this.exampleVectors;
      sims = new Float32Array(all.length);
      for (var i = 0; i < all.length; i++) {
        var other = all[i], sum = 0;
        for (var d = 0; d < vector.length; d++) sum += vector[d] * other[d];
        sims[i] = sum;
      }
    }
    if (!vector) return null;  // not remembered: a model in shards may have its row later
    if (this.similarities.size >= CACHED_WORDS) this.similarities.clear();
    this.similarities.set(word, sims);
    return sims;
  };

  /* How close a sentence is to a statement, word by word: each statement word's closest word
     in the sentence (how much of the statement it says) and each sentence word's closest word
     in the statement (how much of it the statement explains), combined as an F-score. */
  function closeness(example, sentence) {
    var recall = 0, precision = 0, i, j, best;
    for (i = 0; i < example.words.length; i++) {
      best = -1;
      for (j = 0; j < sentence.length; j++) if (sentence[j][example.words[i]] > best) best = sentence[j][example.words[i]];
      recall += best;
    }
    for (j = 0; j < sentence.length; j++) {
      best = -1;
      for (i = 0; i < example.words.length; i++) if (sentence[j][example.words[i]] > best) best = sentence[j][example.words[i]];
      precision += best;
    }
    recall /= example.words.length;
    precision /= sentence.length;
    return recall > 0 && precision > 0 ? 2 * recall * precision / (recall + precision) : 0;
  }

  /* The `size` closest statements, best first: their mean decides, for one statement alone may
     share a single striking word with the report, where several close ones share its meaning. */
  function Closest(size) {
    this.size = size;
    this.scores = [];
    this.examples = [];
  }

  Closest.prototype.add = function (score, example) {
    var at = this.scores.length;
    if (at === this.size && score <= this.scores[at - 1]) return;
    while (at > 0 && this.scores[at - 1] < score) at--;
    this.scores.splice(at, 0, score);
    this.examples.splice(at, 0, example);
    if (this.scores.length > this.size) { this.scores.pop(); this.examples.pop(); }
  };

  Closest.prototype.mean = function () {
    var n = this.scores.length;
    return n ? this.scores.reduce(function (sum, x) { return sum + x; }, 0) / n : -1;
  };

  /* What the words say: the kinds their rules raise (strongest first), and the words. */
  Recogniser.prototype.byWords = function (list) {
    var harmless = new Set();
    this.harmless.forEach(function (rule) {
      matches(rule, list).forEach(function (at) { at.forEach(function (i) { harmless.add(i); }); });
    });
    // a kind's strength: how many of its phrases are heard, then how long the longest is (a gun
    // "held to her head" says more than a bare "gun" of another kind)
    var counts = {}, longest = {}, evidence = [], seen = new Set(), firm = false;
    this.rules.forEach(function (rule) {
      var counted = false;  // a phrase said twice ("bruises ... a bruise") counts once
      matches(rule, list).forEach(function (at) {
        if (at.some(function (i) { return harmless.has(i); })) return;
        if (!counted) counts[rule.kind] = (counts[rule.kind] || 0) + 1;
        counted = true;
        firm = true;
        longest[rule.kind] = Math.max(longest[rule.kind] || 0, rule.slots.length);
        var said = list.slice(at[0], at[at.length - 1] + 1).map(function (w) { return w.raw; }).join(" ");
        if (!seen.has(said)) { seen.add(said); evidence.push({ kind: rule.kind, words: said }); }
      });
    });
    // cues: weak words, each one alone too common in everyday reports; different ones together
    // (a will written and a debt paid off and accounts closed) say what one cannot
    var cues = {}, cueEvidence = {};
    this.cues.forEach(function (cue) {
      matches(cue, list).forEach(function (at) {
        if (at.some(function (i) { return harmless.has(i); })) return;
        var said = list.slice(at[0], at[at.length - 1] + 1).map(function (w) { return w.raw; }).join(" ");
        var heard = cues[cue.kind] || (cues[cue.kind] = []);
        if (heard.indexOf(cue.text) < 0) {
          heard.push(cue.text);
          (cueEvidence[cue.kind] || (cueEvidence[cue.kind] = [])).push({ kind: cue.kind, words: said });
        }
      });
    });
    Object.keys(cues).forEach(function (kind) {
      if (cues[kind].length < TUNING.cuesAlone) return;
      counts[kind] = (counts[kind] || 0) + cues[kind].length / TUNING.cuesAlone;
      cueEvidence[kind].forEach(function (e) {
        if (!seen.has(e.words)) { seen.add(e.words); evidence.push(e); }
      });
    });
    var order = this.kinds;
    var kinds = Object.keys(counts).sort(function (a, b) {
      return counts[b] - counts[a] || (longest[b] || 0) - (longest[a] || 0) ||
        order.indexOf(a) - order.indexOf(b);
    });
    return { kinds: kinds, evidence: evidence, harmless: harmless, cues: cueEvidence, firm: firm };
  };

  /* What the meaning says: over the report's sentences, the closest risk statement and by how
     much the closest risk statements beat the closest everyday ones (its margin, which
     recognise() weighs); words inside harmless phrases are not read. */
  Recogniser.prototype.byMeaning = function (list, harmless) {
    if (!this.examples) return null;
    var sentences = [], current = [], last = -1;
    list.forEach(function (word, i) {
      if (word.sentence !== last && current.length >= TUNING.shortSentence) {
        sentences.push(current);
        current = [];
      }
      last = word.sentence;
      if (!harmless.has(i)) current.push(word.folded);
    });
    if (current.length) sentences.push(current);
    var best = null;
    for (var s = 0; s < sentences.length; s++) {
      var self = this, sentence = [];
      modelWords(sentences[s].join(" ")).forEach(function (word) {
        if (self.unheard.has(word)) return;
        var sims = self.similaritiesOf(word);
        if (sims) sentence.push(sims);
      });
      if (!sentence.length) continue;
      var risky = new Closest(TUNING.neighbours), everyday = new Closest(TUNING.neighbours);
      for (var e = 0; e < this.examples.length; e++) {
        var example = this.examples[e];
        (example.kind === "everyday" ? everyday : risky).add(closeness(example, sentence), example);
      }
      var riskScore = risky.mean(), margin = riskScore - everyday.mean();
      var closest = risky.examples[0];
      if (closest && risky.scores[0] >= TUNING.meaningFloor && (!best || margin > best.margin)) {
        best = { kind: closest.kind, text: closest.text, score: riskScore, margin: margin };
      }
    }
    return best;
  };

  /*
   * The risk a report speaks of, or null: {kinds (strongest first), by ("words" or "meaning"),
   * evidence (the words that raised it), statement (the risk statement it is closest to),
   * joke (said as a joke: still worth a question)}.
   */
  Recogniser.prototype.recognise = function (text) {
    var list = words(text);
    if (!list.length) return null;
    var said = this.byWords(list);
    if (!said.firm && !this.learned && this.learnedComing) return null;
    var lean = this.byMeaning(list, said.harmless);  // the closest risk statement, however close
    var meaning = lean && lean.margin >= TUNING.meaningMargin ? lean : null;
    var kinds = said.kinds.slice(), evidence = said.evidence.slice();
    // one cue alone, and the meaning leaning to risk: the two weak signals together
    if (lean && lean.margin >= TUNING.cueMeaningMargin) {
      Object.keys(said.cues).forEach(function (kind) {
        if (kinds.indexOf(kind) >= 0) return;
        kinds.push(kind);
        said.cues[kind].forEach(function (e) { evidence.push(e); });
        if (!meaning) meaning = lean;
      });
    }
    // the learnt part: heard on its own, it names the kind when nothing else did
    var learnt = this.byLearning(text);
    // no phrase heard, only cues or the meaning: the learnt part, sure the report is everyday,
    // quiets them (cues and meaning are weak signals each, and wrong in the same everyday way)
    if (!said.firm && learnt && learnt.quiet) return null;
    var byReports = learnt && learnt.heard && !kinds.length && !meaning;
    if (byReports) kinds.push(learnt.kind);
    // several kinds heard: which comes first (and so which safety pattern) is the learnt kind
    // model's call among them, which reads the whole report where a phrase reads a few words
    if (learnt && kinds.length > 1) {
      kinds = kinds.map(function (kind, i) { return { kind: kind, i: i }; }).sort(function (a, b) {
        return (learnt.kindScores[b.kind] || 0) - (learnt.kindScores[a.kind] || 0) || a.i - b.i;
      }).map(function (e) { return e.kind; });
    }
    if (!kinds.length && !meaning) return null;
    if (meaning && kinds.indexOf(meaning.kind) < 0) kinds.push(meaning.kind);
    var joke = this.jokes.some(function (rule) { return matches(rule, list).length > 0; });
    return { kinds: kinds, by: evidence.length ? "words" : byReports ? "reports" : "meaning",
             evidence: evidence, statement: meaning ? meaning.text : null, joke: joke,
             learnt: byReports ? learnt.words : [] };
  };

  // ---------------------------------------------------------------------------------------------
  // The learnt part (tools/risk_model/train.py, whose docstring specifies the features): a
  // logistic regression on hashed words and word pairs of the project's labelled reports, and a
  // second one that names the kind. It hears what no phrase names yet; its words say why.

  var LEARNT_WORD = /[\p{L}\p{N}_]+/gu;
  var utf8 = new TextEncoder();

  /* 32-bit FNV-1a over the UTF-8 bytes, as the trainer hashes. */
  function fnv1a(text) {
    var bytes = utf8.encode(text);
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }

  /* The report's words and neighbouring pairs, as the trainer reads them. */
  function learntGrams(text) {
    var clipped = Array.from(String(text)).slice(0, RISK_TEXT).join("");
    var found = clipped.toLowerCase().replace(/['\u2019]/g, "").match(LEARNT_WORD) || [];
    var grams = found.slice();
    for (var i = 0; i + 1 < found.length; i++) grams.push(found[i] + " " + found[i + 1]);
    return grams;
  }

  function bytesOf(base64, Type) {
    var raw = atob(base64);
    var out = new Type(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  /* The unit-length tf-idf vector of a report over `buckets`: {bucket: value}, and each bucket's
     n-grams (to say which words weighed). */
  function learntVector(grams, buckets, idf, idfScale) {
    var tf = new Map(), seen = new Map();
    grams.forEach(function (gram) {
      var b = fnv1a(gram) % buckets;
      tf.set(b, (tf.get(b) || 0) + 1);
      if (!seen.has(b)) seen.set(b, gram);
    });
    var x = new Map(), norm = 0;
    tf.forEach(function (n, b) {
      var v = (1 + Math.log(n)) * idf[b] * idfScale;
      x.set(b, v);
      norm += v * v;
    });
    norm = Math.sqrt(norm) || 1;
    x.forEach(function (v, b) { x.set(b, v / norm); });
    return { x: x, grams: seen };
  }

  /* Give the step its learnt part (find/risk-vectors.js, `learned`); `quiet`: words too common to
     name as the reason (the finder's stop words), beside the verbs of reporting (`unheard`). */
  Recogniser.prototype.useLearned = function (data, quiet) {
    if (!data || data.format !== 1) return;
    var common = new Set(quiet || []);
    this.unheard.forEach(function (word) { common.add(word); });
    this.learned = {
      common: common,
      buckets: data.buckets, idf: bytesOf(data.idf, Uint8Array), idfScale: data.idfScale,
      weights: bytesOf(data.weights, Int8Array), weightScale: data.weightScale,
      bias: data.bias, threshold: data.threshold, kinds: data.kinds,
      quiet: typeof data.quiet === "number" ? data.quiet : null,  // older files: never quiet
      kindBuckets: data.kindBuckets, kindIdf: bytesOf(data.kindIdf, Uint8Array),
      kindIdfScale: data.kindIdfScale, kindWeights: bytesOf(data.kindWeights, Int8Array),
      kindWeightScale: data.kindWeightScale, kindBias: data.kindBias,
    };
  };

  /* What the learnt part says of a report: {score (a logit; heard at or above `threshold`),
     kind, words (the words and pairs that weighed most towards risk, but for common ones)}, or
     null without it. */
  Recogniser.prototype.byLearning = function (text) {
    var m = this.learned;
    if (!m) return null;
    var grams = learntGrams(text);
    if (!grams.length) return null;
    var v = learntVector(grams, m.buckets, m.idf, m.idfScale);
    var score = m.bias, pushes = [];
    v.x.forEach(function (value, b) {
      var part = m.weights[b] * m.weightScale * value;
      score += part;
      var said = v.grams.get(b);
      if (part > 0 && said.split(" ").some(function (w) { return !m.common.has(w); })) {
        pushes.push({ part: part, words: said });
      }
    });
    pushes.sort(function (a, b) { return b.part - a.part; });
    var k = learntVector(grams, m.kindBuckets, m.kindIdf, m.kindIdfScale), best = -Infinity, kind = m.kinds[0];
    var kindScores = {};
    for (var c = 0; c < m.kinds.length; c++) {
      var z = m.kindBias[c];
      k.x.forEach(function (value, b) { z += m.kindWeights[c * m.kindBuckets + b] * m.kindWeightScale * value; });
      kindScores[m.kinds[c]] = z;
      if (z > best) { best = z; kind = m.kinds[c]; }
    }
    // the words that weighed most, but none too common to say anything alone ("has", "told me")
    return { score: score, heard: score >= m.threshold, kind: kind, kindScores: kindScores,
             quiet: m.quiet !== null && score < m.quiet,
             words: pushes.slice(0, 3).map(function (p) { return p.words; }) };
  };

  var api = { Recogniser: Recogniser, compile: compile, words: words, TUNING: TUNING,
              learntGrams: learntGrams, fnv1a: fnv1a };
  root.CardkbRisk = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof window !== "undefined" ? window : globalThis);
