/*
 * cardkb's finder: from a supervisee's words to the pattern behind them, in the browser, offline.
 *
 * Two halves. The ranking (`CardkbRanking`) is pure: words in, ranked patterns out, testable in
 * Node (tests/finder/). It is a hybrid of
 *   - lexical matching with MiniSearch (BM25 over weighted fields): Porter2 stemming, stop words
 *     that are never searched, prefix matching only for the word still being typed, typo
 *     tolerance by word length; and
 *   - meaning: a static word-embedding model shipped with the site (find/model.js), averaged over
 *     the words of the query and compared with vectors the build computed for every pattern and
 *     card (find/vectors.js), loaded only once someone searches.
 * The two are combined per pattern as described in README.md ("How the finder ranks").
 *
 * Beside the ranking, the risk step (assets/finder/risk.js, `CardkbRisk`) hears risk to life in
 * the words; when it does, the safety pattern for its kind is first and find/ shows the notice.
 *
 * The page half (`find/` and the box in every page's header) only draws: every piece of author
 * text is set as text, never as HTML.
 */
(function (root) {
  "use strict";

  // ---------------------------------------------------------------------------------------------
  // Words

  // Words that say nothing about a client: never searched, so they never match every page.
  var STOP_WORDS = new Set();

  /* The stop words come with the data (hooks/cardkb/finder_stopwords.txt): one list for both ends. */
  function setStopWords(words) {
    STOP_WORDS = new Set(words);
    stemCache = new Map();
  }

  var stemCache = new Map();
  var WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

  function tokenize(text) {
    return String(text).toLowerCase().match(WORD) || [];
  }


  /* A word's search term: lower case, British -ise spelt -ize, stemmed; null for a stop word. */
  function normalize(word) {
    var w = String(word).toLowerCase().replace(/['’]s$/, "").replace(/['’]/g, "");
    if (!w || STOP_WORDS.has(w) || STOP_WORDS.has(word)) return null;
    var cached = stemCache.get(w);
    if (cached !== undefined) return cached;
    var spelled = w.replace(/is(e|es|ed|ing|ation|ations)$/, "iz$1")
      .replace(/our(s|ed|ing)?$/, "or$1");
    var stem = root.cardkbStem ? root.cardkbStem(spelled) : spelled;
    stemCache.set(w, stem);
    return stem;
  }

  /* Typo tolerance by word length: none for short words, one edit from 5 letters, two from 9. */
  function allowedEdits(term) {
    return term.length >= 9 ? 2 : term.length >= 5 ? 1 : 0;
  }

  /* Levenshtein distance, capped: enough to say which typed word matched which text word. */
  function editDistance(a, b, cap) {
    if (Math.abs(a.length - b.length) > cap) return cap + 1;
    var previous = [], current = [], i, j;
    for (j = 0; j <= b.length; j++) previous[j] = j;
    for (i = 1; i <= a.length; i++) {
      current = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
        if (current[j] < best) best = current[j];
      }
      if (best > cap) return cap + 1;
      previous = current;
    }
    return previous[b.length];
  }

  /* The query's search terms, with the last one marked as being typed (prefix search). */
  function queryTerms(query) {
    var words = tokenize(query);
    var terms = [];
    words.forEach(function (word) {
      var term = normalize(word);
      if (term && terms.indexOf(term) < 0) terms.push(term);
    });
    // Only a word the query ends in is still being typed, and only if it is a term (after
    // "hope and", "hope" is finished): it goes last, where the search reads it as a prefix.
    var typed = /[\p{L}\p{N}]$/u.test(query) && words.length ? normalize(words[words.length - 1]) : null;
    if (typed) terms.push(terms.splice(terms.indexOf(typed), 1)[0]);
    return { terms: terms, typing: Boolean(typed), typed: typed || null };
  }

  // ---------------------------------------------------------------------------------------------
  // Documents

  var PATTERN_BOOSTS = { title: 3, heard: 4, signs: 3, summary: 2, body: 1 };
  var CARD_BOOSTS = { title: 2, sign: 2.5, wording: 1.5, move: 1, why: 0.7 };
  var FIELDS = ["title", "heard", "signs", "summary", "body", "sign", "wording", "move", "why"];

  function records(data, kind) {
    var names = data.fields[kind];
    return data[kind + "s"].map(function (row, index) {
      var record = { kind: kind, index: index };
      names.forEach(function (name, i) { record[name] = row[i]; });
      record.url = data.urls[kind].replace("{id}", record.id);
      return record;
    });
  }

  function joined(value) {
    return Array.isArray(value) ? value.join(" \n ") : value || "";
  }

  /* The searchable documents of the first part: one per pattern, one per card (title, cue). */
  function documents(data) {
    var patterns = records(data, "pattern");
    var cards = records(data, "card");
    var docs = patterns.map(function (p) {
      return { key: "p" + p.index, title: p.title, heard: joined(p.heard),
               signs: joined(p.signs), summary: p.summary, body: p.body };
    }).concat(cards.map(function (c) {
      return { key: "c" + c.index, title: c.title, sign: c.sign };
    }));
    return { patterns: patterns, cards: cards, docs: docs };
  }

  /* The rest of each card (wording, move, why): its record gains them, and one more document. */
  function moreDocuments(more, cards) {
    return more.cards.map(function (row, index) {
      var doc = { key: "m" + index };
      more.fields.forEach(function (name, i) {
        cards[index][name] = row[i];
        doc[name] = joined(row[i]);
      });
      return doc;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Meaning: a static word-embedding model

  /* A text's words as the model reads them: lower case, accents dropped, stop words left out. */
  function modelWords(text) {
    var folded = String(text).toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    return (folded.match(/[\p{L}\p{N}]+/gu) || []).filter(function (w) { return !STOP_WORDS.has(w); });
  }

  /* The table rows that spell a word: itself, or its longest pieces left to right (WordPiece). */
  function pieces(model, word) {
    var cached = model.pieces.get(word);
    if (cached) return cached;
    var rows = [], start = 0;
    while (start < word.length) {
      var end = word.length, row;
      while (end > start) {
        row = model.rows.get(start === 0 ? word.slice(start, end) : "##" + word.slice(start, end));
        if (row !== undefined) break;
        end--;
      }
      if (end === start) { rows = []; break; }
      rows.push(row);
      start = end;
    }
    model.pieces.set(word, rows);
    return rows;
  }

  /* The mean of the vectors of a text's tokens, normalised; null when no word is known. */
  function textVector(model, text) {
    var sum = new Float32Array(model.dims), count = 0;
    modelWords(text).forEach(function (word) {
      pieces(model, word).forEach(function (row) {
        var offset = row * model.dims;
        for (var i = 0; i < model.dims; i++) sum[i] += model.vectors[offset + i];
        count++;
      });
    });
    return count ? unit(sum) : null;
  }

  function unit(vector) {
    var norm = 0, i;
    for (i = 0; i < vector.length; i++) norm += vector[i] * vector[i];
    norm = Math.sqrt(norm) || 1;
    for (i = 0; i < vector.length; i++) vector[i] /= norm;
    return vector;
  }

  function dot(a, b) {
    var sum = 0;
    for (var i = 0; i < a.length; i++) sum += a[i] * b[i];
    return sum;
  }

  /* The build's vectors of cards (find/vectors.js): eight bits a number, a scale for all. */
  function decodeInt8(base64, scale) {
    var bytes = typeof atob === "function" ? atob(base64)
      : Buffer.from(base64, "base64").toString("binary");
    var out = new Float32Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) {
      var b = bytes.charCodeAt(i);
      out[i] = (b > 127 ? b - 256 : b) * scale;
    }
    return out;
  }

  /* The build's vectors of phrases (find/vectors.js): four bits a number, each row made a unit
     vector again, as the build's were before they were packed. */
  function decodeVectors(part) {
    var out = decodeNibbles(part.vectors, part.rows, part.scales), dims = part.scales.length;
    for (var r = 0; r < part.rows; r++) unit(out.subarray(r * dims, (r + 1) * dims));
    return out;
  }

  /* Four bits a number, two a byte, high half first, each its level plus 8, a scale per dimension. */
  function decodeNibbles(base64, rows, scales) {
    var bytes = typeof atob === "function" ? atob(base64)
      : Buffer.from(base64, "base64").toString("binary");
    var dims = scales.length, out = new Float32Array(rows * dims);
    for (var i = 0; i < out.length; i++) {
      var b = bytes.charCodeAt(i >> 1);
      out[i] = (((i & 1) ? (b & 15) : (b >> 4)) - 8) * scales[i % dims];
    }
    return out;
  }

  /* The model as shipped in find/model.js (from hooks/cardkb/finder_model.json). */
  function loadModel(raw) {
    var model = { dims: raw.dims, rows: new Map(), pieces: new Map(),
                  vectors: decodeNibbles(raw.vectors, raw.tokens.length, raw.scales) };
    raw.tokens.forEach(function (token, index) { model.rows.set(token, index); });
    return model;
  }

  // ---------------------------------------------------------------------------------------------
  // The model in shards (find/model/): the vocabulary first, then only the rows a query needs

  /* A model that knows every token (find/model/vocab.js) and no vector yet: row r arrives in
     shard r % shards. A query is ranked by meaning once the shards of its words are in. */
  function shardedModel(vocab) {
    var tokens = frontDecoded(vocab.tokens);
    var model = { dims: vocab.dims, rows: new Map(), pieces: new Map(), scales: vocab.scales,
                  vectors: new Float32Array(tokens.length * vocab.dims),
                  shards: vocab.shards, loaded: new Uint8Array(vocab.shards) };
    tokens.forEach(function (token, index) { model.rows.set(token, index); });
    return model;
  }

  /* The words of vocab.js, a line each: how many first letters it shares with the word before
     (one digit), then the rest of it (hooks/cardkb/finder.py, front_coded). */
  function frontDecoded(text) {
    var words = [], before = "";
    text.split("\n").forEach(function (line) {
      before = before.slice(0, Number(line.charAt(0))) + line.slice(1);
      words.push(before);
    });
    return words;
  }

  /* One shard's rows (four bits a number, as in the whole table) into their places. */
  function addShard(model, shard, base64) {
    var rows = Math.ceil((model.rows.size - shard) / model.shards);
    var decoded = decodeNibbles(base64, rows, model.scales), dims = model.dims;
    for (var j = 0; j < rows; j++) {
      model.vectors.set(decoded.subarray(j * dims, (j + 1) * dims), (shard + j * model.shards) * dims);
    }
    model.loaded[shard] = 1;
  }

  /* The shards a text's words need that are not in yet (none for a whole model). */
  function missingShards(model, text) {
    if (!model.shards) return [];
    var missing = [];
    modelWords(text).forEach(function (word) {
      pieces(model, word).forEach(function (row) {
        var shard = row % model.shards;
        if (!model.loaded[shard] && missing.indexOf(shard) < 0) missing.push(shard);
      });
    });
    return missing;
  }

  // ---------------------------------------------------------------------------------------------
  // Ranking

  /* What the ranking reads of a query; the risk step reads more (a pasted paragraph whole). */
  var RANKED_CHARS = 500;
  var RISK_CHARS = 2000;

  var TUNING = {
    /* How much of a pattern's lexical score its best card adds (its own text counts in full). */
    cardShare: 0.6,
    /* The lexical score's share of the combined score; the meaning score has the rest. */
    lexicalWeight: 0.5,
    /* How many of a pattern's phrases closest to the query make its meaning score. */
    phrasesPerPattern: 2,
    /* Past the third, a pattern is listed only if it scores this share of the best one. */
    keepShare: 0.4,
    /* A safety pattern whose words match, or that scores this share of the best, fits. */
    safetyShare: 0.5,
  };

  function Ranking(data, MiniSearch) {
    setStopWords(data.stopWords);
    this.stopWords = data.stopWords;
    /* The risk step (assets/finder/risk.js), beside the ranking: its verdict puts safety first. */
    this.risk = root.CardkbRisk ? new root.CardkbRisk.Recogniser(data.risk) : null;
    var built = documents(data);
    this.patterns = built.patterns;
    this.cards = built.cards;
    this.search = new MiniSearch({
      idField: "key",
      fields: FIELDS,
      storeFields: [],
      tokenize: tokenize,
      processTerm: normalize,
      searchOptions: { processTerm: function (term) { return term; } },
    });
    this.search.addAll(built.docs);
    var own = this.patterns.map(function () { return []; });
    this.cards.forEach(function (card, index) {
      card.patterns.forEach(function (p) { own[p].push(index); });
    });
    this.cardsOf = own;
    this.termCache = new Map();
    this.model = null;
    this.vectors = null;
  }

  /* Add the second part of the data; a promise, since indexing yields between chunks so that
     typing stays quick while it runs. */
  Ranking.prototype.addMore = function (more) {
    var docs = moreDocuments(more, this.cards), cache = this.termCache;
    return this.search.addAllAsync(docs, { chunkSize: 50 }).then(function () {
      cache.clear();  // every document counts in the scores now
    });
  };

  Ranking.prototype.useModel = function (rawModel, rawVectors) {
    this.useMeaning(loadModel(rawModel), rawVectors);
  };

  /* The model, whole (loadModel) or in shards (shardedModel), and the build's vectors. */
  Ranking.prototype.useMeaning = function (model, rawVectors) {
    this.model = model;
    this.vectors = {
      phrases: decodeVectors(rawVectors.phrases),
      owners: rawVectors.owners,
      // a large knowledge base's cards have no vectors of their own: their cues order them
      cards: rawVectors.cards ? decodeInt8(rawVectors.cards.int8, rawVectors.cards.scale) : null,
      cueRows: rawVectors.cards ? null : this.cueRows(rawVectors.owners),
      dims: rawVectors.dims,
    };
    // The risk step's statements: with the vectors (tests), from find/risk-vectors.js (the
    // page, after its first results), or read from a whole model (an older build).
    if (this.risk && rawVectors.risk) this.useRiskVectors(rawVectors.risk);
    else if (this.risk && !model.shards) this.risk.useModel(this.vectorOf(), this.everydayStatements());
  };

  /* The risk step's statements as the build read them (find/vectors.js, `risk`): their words'
     vectors come with the data, so only the report's own words need the model. */
  Ranking.prototype.useRiskVectors = function (data) {
    var vectors = decodeNibbles(data.vectors, data.rows, data.scales), dims = data.scales.length;
    var rows = [];
    for (var i = 0; i < data.rows; i++) rows.push(unit(vectors.subarray(i * dims, (i + 1) * dims)));
    this.risk.useStatements(data.kinds, data.examples, rows, this.vectorOf());
    if (data.learned && this.risk.useLearned) this.risk.useLearned(data.learned, this.stopWords);
  };

  /* A text's vector by the meaning model, for the risk step; null while a model in shards lacks
     a shard the text needs (the page fetches the query's shards, then ranks it again). */
  Ranking.prototype.vectorOf = function () {
    var model = this.model;
    return function (text) {
      return missingShards(model, text).length ? null : textVector(model, text);
    };
  };

  /* What the risk step compares with as everyday: the other patterns' signs and heard_as. */
  Ranking.prototype.everydayStatements = function () {
    var everyday = [];
    this.patterns.forEach(function (p) { if (!p.isSafety) everyday = everyday.concat(p.signs, p.heard || []); });
    return everyday;
  };

  var SEARCH_OPTIONS = {
    boost: Object.assign({}, PATTERN_BOOSTS, CARD_BOOSTS),
    weights: { fuzzy: 0.45, prefix: 0.4 },
  };
  var CACHED_TERMS = 200;

  /* One term's BM25 scores per document key, remembered: between keystrokes only the word being
     typed changes, so the finished words are not searched again. */
  Ranking.prototype.termScores = function (term, prefix) {
    var key = term + (prefix ? "*" : "");
    var scores = this.termCache.get(key);
    if (!scores) {
      scores = new Map();
      var options = Object.assign({ prefix: prefix, fuzzy: allowedEdits(term) }, SEARCH_OPTIONS);
      this.search.search(term, options).forEach(function (r) { scores.set(r.id, r.score); });
      if (this.termCache.size >= CACHED_TERMS) this.termCache.clear();
      this.termCache.set(key, scores);
    }
    return scores;
  };

  /*
   * Lexical scores per document key, combined as MiniSearch combines an OR query (the sum of the
   * terms' scores, times the number of terms that matched), from each term's own scores.
   */
  Ranking.prototype.lexical = function (query) {
    var parsed = queryTerms(query);
    var self = this, sums = new Map(), counts = new Map(), last = parsed.terms.length - 1;
    parsed.terms.forEach(function (term, i) {
      var prefix = parsed.typing && i === last && term.length >= 3;
      self.termScores(term, prefix).forEach(function (score, key) {
        sums.set(key, (sums.get(key) || 0) + score);
        counts.set(key, (counts.get(key) || 0) + 1);
      });
    });
    var hits = new Map();
    sums.forEach(function (sum, key) { hits.set(key, { score: sum * counts.get(key) }); });
    return { terms: parsed.terms, typed: parsed.typed, hits: hits };
  };

  /*
   * Meaning scores: for each pattern, the mean cosine of the query with its TUNING.phrasesPerPattern
   * closest phrases (signs, heard-as phrases, card cues); for each card, with the card itself (on
   * a large knowledge base, with its cue).
   */
  Ranking.prototype.meaning = function (query) {
    if (!this.model || missingShards(this.model, query).length) return null;
    var q = textVector(this.model, query);
    if (!q) return null;
    var v = this.vectors, dims = v.dims, n = this.patterns.length;
    var best = this.patterns.map(function () { return []; });
    var closest = new Int32Array(n).fill(-1), closestScore = new Float32Array(n).fill(-2);
    var start = new Int32Array(n).fill(-1);
    for (var i = 0; i < v.owners.length; i++) {
      var owner = v.owners[i], score = dot(q, v.phrases.subarray(i * dims, (i + 1) * dims));
      if (start[owner] < 0) start[owner] = i;
      best[owner].push(score);
      if (score > closestScore[owner]) { closestScore[owner] = score; closest[owner] = i - start[owner]; }
    }
    var patterns = new Float32Array(n);
    best.forEach(function (scores, p) {
      scores.sort(function (a, b) { return b - a; });
      var top = scores.slice(0, TUNING.phrasesPerPattern);
      patterns[p] = top.length ? top.reduce(function (a, b) { return a + b; }, 0) / top.length : 0;
    });
    var cards = new Float32Array(this.cards.length);
    for (i = 0; i < cards.length; i++) {
      if (v.cards) { cards[i] = dot(q, v.cards.subarray(i * dims, (i + 1) * dims)); continue; }
      var row = v.cueRows[i];
      cards[i] = row < 0 ? -1 : dot(q, v.phrases.subarray(row * dims, (row + 1) * dims));
    }
    return { query: q, patterns: patterns, cards: cards, closest: closest };
  };

  /*
   * Patterns ranked for a query, each with its best-matching cards and why it is there.
   * Lexical: a pattern's own BM25 score plus CARD_SHARE of its best card's, divided by the best
   * pattern's, so 1 is the best lexical match. Meaning: cosine similarity rescaled so that the
   * best pattern is 1 and the average pattern 0. Combined: LEXICAL_WEIGHT of one plus the rest of
   * the other; a query no field matches is ranked by meaning alone, and the other way round.
   */
  Ranking.prototype.rank = function (text, limit) {
    var self = this;
    // The ranking reads what a person types; the risk step reads a pasted paragraph whole.
    var query = String(text).slice(0, RANKED_CHARS);
    var risk = this.risk ? this.risk.recognise(String(text).slice(0, RISK_CHARS)) : null;
    var lexical = this.lexical(query);
    var meaning = this.meaning(query);
    var n = this.patterns.length;
    var lex = new Float32Array(n), bestCards = this.patterns.map(function () { return []; });
    var cardScores = new Map();
    lexical.hits.forEach(function (hit, key) {
      var index = +key.slice(1);
      if (key[0] === "p") lex[index] += hit.score;
      else cardScores.set(index, (cardScores.get(index) || 0) + hit.score);
    });
    cardScores.forEach(function (score, index) {
      self.cards[index].patterns.forEach(function (p) {
        bestCards[p].push({ card: index, score: score });
      });
    });
    bestCards.forEach(function (list, p) {
      list.sort(function (a, b) { return b.score - a.score; });
      if (list.length) lex[p] += TUNING.cardShare * list[0].score;
    });
    var lexMax = Math.max.apply(null, Array.from(lex).concat([0]));
    var sem = new Float32Array(n);
    var haveMeaning = Boolean(meaning);
    if (haveMeaning) {
      var mean = 0, max = -1;
      for (var p = 0; p < n; p++) {
        var s = meaning.patterns[p];
        sem[p] = s;
        mean += s / n;
        if (s > max) max = s;
      }
      for (p = 0; p < n; p++) sem[p] = max > mean ? Math.max(0, (sem[p] - mean) / (max - mean)) : 0;
    }
    var lexWeight = lexMax > 0 ? (haveMeaning ? TUNING.lexicalWeight : 1) : 0;
    var semWeight = haveMeaning ? 1 - lexWeight : 0;
    var ranked = [];
    for (var i = 0; i < n; i++) {
      var score = lexWeight * (lexMax > 0 ? lex[i] / lexMax : 0) + semWeight * sem[i];
      if (score <= 0.05 && !(lex[i] > 0)) continue;
      ranked.push({ pattern: this.patterns[i], index: i, score: score, lexical: lex[i] > 0 });
    }
    ranked.sort(function (a, b) { return b.score - a.score || a.index - b.index; });
    // Weak matches far below the best are noise, but a short list always shows three, and a
    // safety pattern that fits is never left out (with its safety label, in its place).
    var top = ranked.length ? ranked[0].score : 0;
    var fitsSafety = function (r) {
      return Boolean(r.pattern.isSafety) && (r.lexical || r.score >= TUNING.safetyShare * top);
    };
    var kept = ranked.filter(function (r, i) {
      return i < 3 || r.score >= TUNING.keepShare * top || fitsSafety(r);
    });
    var results = kept.slice(0, limit || 8);
    var cutSafety = kept.slice(results.length).filter(fitsSafety);
    if (cutSafety.length) results = results.slice(0, results.length - cutSafety.length).concat(cutSafety);
    var safety = results.filter(fitsSafety)[0] || null;
    if (!risk && results.length > 1 && results[0].pattern.isSafety) {
      // No risk heard: a safety pattern that fits stays among the first results with its label,
      // but does not stand first, where it would say "risk" louder than the risk step did.
      var firstOther = results.findIndex(function (r) { return !r.pattern.isSafety; });
      if (firstOther > 0) results = [results[firstOther]].concat(results.filter(function (r, i) { return i !== firstOther; }));
      else if (firstOther < 0) {
        // only safety patterns fit: the best other pattern, however weak, goes first
        var other = ranked.find(function (r) { return !r.pattern.isSafety; });
        if (other) results = [other].concat(results).slice(0, limit || 8);
      }
    }
    if (risk) {
      // Risk recognised: the safety pattern that covers its kind is first, whatever the scores.
      var chosen = this.safetyFor(risk.kinds, function (i) {
        return lexWeight * (lexMax > 0 ? lex[i] / lexMax : 0) + semWeight * sem[i];
      });
      if (chosen) {
        var others = results.filter(function (r) { return r.index !== chosen.index; });
        results = [chosen].concat(others).slice(0, limit || 8);
        safety = risk.pattern = chosen;
      }
    }
    results.forEach(function (r) { r.cards = self.cardsFor(r.index, bestCards[r.index], meaning); });
    return { terms: lexical.terms, typed: lexical.typed, results: results, meaning: meaning,
             safety: safety, risk: risk };
  };

  /*
   * The safety pattern (tag `safety`) for recognised kinds of risk, strongest kind first: of those
   * whose tags cover the kind, the one that covers most of the other kinds heard too (a report of
   * self-poisoning "without wanting to die" is self-harm and suicide both), then the one that fits
   * the query best; when none covers any of the kinds, the safety pattern that fits best. Which
   * kinds a pattern covers is data (its tags).
   */
  Ranking.prototype.safetyFor = function (kinds, scoreOf) {
    var safe = [], patterns = this.patterns;
    patterns.forEach(function (p, i) { if (p.isSafety) safe.push(i); });
    var covers = function (i) {
      return kinds.filter(function (kind) { return (patterns[i].kinds || []).indexOf(kind) >= 0; }).length;
    };
    for (var k = 0; k <= kinds.length; k++) {
      var kind = kinds[k];
      var covering = k < kinds.length ? safe.filter(function (i) {
        return (patterns[i].kinds || []).indexOf(kind) >= 0;
      }) : safe;
      if (!covering.length) continue;
      covering.sort(function (a, b) { return covers(b) - covers(a) || scoreOf(b) - scoreOf(a) || a - b; });
      var index = covering[0];
      return { pattern: this.patterns[index], index: index, score: scoreOf(index),
               lexical: false, risk: true };
    }
    return null;
  };

  /* A pattern's cards that fit the query best: lexical matches first, then closest in meaning. */
  Ranking.prototype.cardsFor = function (pattern, lexicalCards, meaning) {
    var chosen = lexicalCards.slice(0, 3).map(function (c) { return c.card; });
    if (meaning && chosen.length < 3) {
      var rest = this.cardsOf[pattern].filter(function (index) { return chosen.indexOf(index) < 0; });
      rest.sort(function (a, b) { return meaning.cards[b] - meaning.cards[a]; });
      chosen = chosen.concat(rest.slice(0, 3 - chosen.length));
    }
    var cards = this.cards;
    return chosen.map(function (index) { return cards[index]; });
  };

  /* Each card's row among the phrases: its cue ("title. sign"), among the last phrases of the
     pattern it belongs to first, in its cards' order (phrases() below); -1 if it has none. */
  Ranking.prototype.cueRows = function (owners) {
    var rows = new Int32Array(this.cards.length).fill(-1), start = [], self = this;
    owners.forEach(function (owner, i) { if (start[owner] === undefined) start[owner] = i; });
    this.patterns.forEach(function (p, index) {
      if (start[index] === undefined) return;
      var own = self.cardsOf[index].filter(function (i) { return self.cards[i].patterns[0] === index; });
      var first = start[index] + 2 + p.signs.length + (p.heard || []).length;
      own.forEach(function (card, j) { if (owners[first + j] === index) rows[card] = first + j; });
    });
    return rows;
  };

  /*
   * The short texts the build gave a vector each, for one pattern, in the same order as
   * hooks/cardkb/finder.py meaning_phrases(): names, signs, heard-as phrases, its own cards' cues.
   */
  Ranking.prototype.phrases = function (pattern) {
    var p = this.patterns[pattern], cards = this.cards;
    var ownCards = this.cardsOf[pattern].filter(function (i) { return cards[i].patterns[0] === pattern; });
    return [p.title, p.summary].concat(p.signs, p.heard || [], ownCards.map(function (i) {
      return cards[i].title + ". " + cards[i].sign;
    }));
  };

  /* The phrases of a pattern that explain a match: signs and heard_as holding a query term. */
  function matchedPhrases(pattern, terms, limit, typed) {
    var phrases = (pattern.heard || []).concat(pattern.signs || []);
    var found = [];
    phrases.forEach(function (phrase) {
      if (found.length >= (limit || 3)) return;
      if (tokenize(phrase).some(function (word) { return termMatches(word, terms, typed); })) {
        found.push(phrase);
      }
    });
    return found;
  }

  /* Whether a word of the text matches one of the query terms: by stem, by an allowed typo, or,
     for the word still being typed (`typed`), as its beginning, as the search matched it. */
  function termMatches(word, terms, typed) {
    var stem = normalize(word);
    if (!stem) return false;
    return terms.some(function (term) {
      if (stem === term) return true;
      if (term === typed && term.length >= 3 && stem.indexOf(term) === 0) return true;
      var cap = allowedEdits(term);
      return cap > 0 && editDistance(stem, term, cap) <= cap;
    });
  }

  /* The phrase of a pattern closest in meaning to the query, when no word matched. */
  Ranking.prototype.closestPhrase = function (meaning, pattern) {
    if (!meaning || meaning.closest[pattern] < 0) return null;
    return this.phrases(pattern)[meaning.closest[pattern]] || null;
  };

  var api = {
    stopWords: function () { return STOP_WORDS; }, setStopWords: setStopWords, tokenize: tokenize, normalize: normalize, queryTerms: queryTerms,
    allowedEdits: allowedEdits, editDistance: editDistance, documents: documents,
    loadModel: loadModel, shardedModel: shardedModel, addShard: addShard,
    missingShards: missingShards, textVector: textVector, modelWords: modelWords, pieces: pieces, termMatches: termMatches,
    matchedPhrases: matchedPhrases, Ranking: Ranking,
    moreDocuments: moreDocuments,
    TUNING: TUNING,
  };
  root.CardkbRanking = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof window !== "undefined" ? window : globalThis);

/* ----------------------------------------------------------------------------------------------
 * The page: the header box on every page, and find/ itself.
 */
(function () {
  "use strict";
  if (typeof document === "undefined") return;

  var script = document.currentScript;
  var assets = script ? script.src.replace(/[^/]*$/, "") : "";
  var siteRoot = assets.replace(/assets\/$/, "");
  // Opened from disk, pages are files (find/index.html); on a server, folders (find/).
  var filePages = /\.html$/.test(location.pathname) || location.protocol === "file:";
  var findUrl = siteRoot + (filePages ? "find/index.html" : "find/");

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var tag = element("script", { src: src });
      tag.onload = resolve;
      tag.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(tag);
    });
  }

  // -- the header box: every page's search hands the words to find/ ------------------------------

  function addHeaderBox() {
    var header = document.querySelector(".md-header__inner");
    if (!header || document.querySelector(".cardkb-header-find")) return;
    var onFinder = document.querySelector("[data-cardkb-results]");
    var form = element("form", { class: "cardkb-header-find", role: "search",
                                 action: findUrl, method: "get" });
    var label = element("label", { class: "cardkb-header-find__label", for: "cardkb-header-q" },
                        "Find a pattern");
    var input = element("input", { id: "cardkb-header-q", name: "q", type: "search",
                                   class: "cardkb-header-find__input", autocomplete: "off",
                                   placeholder: "Find a pattern…" });
    form.appendChild(label);
    form.appendChild(input);
    if (onFinder) {
      // On find/ itself the big box is the search: the header box types into it.
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var big = document.getElementById("cardkb-find-q");
        big.value = input.value;
        big.dispatchEvent(new Event("input"));
        big.focus();
      });
    }
    var source = header.querySelector(".md-header__source");
    header.insertBefore(form, source);
    // "/" goes to the box from anywhere on the page, as it went to Material's search before
    // (the home page says so); never while typing into a field.
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey ||
          (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)))) return;
      event.preventDefault();
      (document.getElementById("cardkb-find-q") || input).focus();
    });
  }

  // -- find/ --------------------------------------------------------------------------------------

  function highlight(text, terms, typed) {
    var fragment = document.createDocumentFragment();
    var last = 0;
    String(text).replace(/[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu, function (word, offset) {
      if (CardkbRanking.termMatches(word, terms, typed)) {
        fragment.appendChild(document.createTextNode(text.slice(last, offset)));
        fragment.appendChild(element("mark", {}, word));
        last = offset + word.length;
      }
      return word;
    });
    fragment.appendChild(document.createTextNode(text.slice(last)));
    return fragment;
  }

  function startFinder() {
    var box = document.getElementById("cardkb-find-q");
    var list = document.querySelector("[data-cardkb-results]");
    if (!box || !list) return;
    var status = document.getElementById("cardkb-find-status");
    var safetyNotice = document.getElementById("cardkb-find-safety");
    var meaningFirst = list.hasAttribute("data-cardkb-meaning-first");
    var ranking = null, model = null, loading = null, modelLoading = null, meaningFailed = false;
    var wordsModel = null;  /* the model with its vocabulary, before the ranking has it */
    var restReady = false;  /* the cards' other text and the risk step's statements are in */
    /* Settled once a query's first results are on the screen: a moment after the frame that
       draws them has been shown (a hidden tab, which draws no frames, a moment later). */
    var markPainted = null;
    var painted = new Promise(function (resolve) { markPainted = resolve; });
    function afterThisPaint(resolve) {
      var later = function () { setTimeout(resolve, 100); };
      if (typeof requestAnimationFrame === "function") {
        requestAnimationFrame(function () { requestAnimationFrame(later); });
      }
      setTimeout(resolve, 400);
    }

    /* Each script once, however many steps ask for it. */
    var scripts = {};
    function script(src) {
      if (!scripts[src]) scripts[src] = loadScript(src);
      return scripts[src];
    }

    function load() {
      if (!loading) {
        loading = Promise.all([
          script(assets + "vendor/minisearch/minisearch.js"),
          script(assets + "vendor/wink-porter2-stemmer/stemmer.js"),
          script(assets + "finder/risk.js"),
          script(siteRoot + "find/index.js"),
        ]).then(function () {
          ranking = new CardkbRanking.Ranking(window.cardkbFinder, window.MiniSearch);
          // the risk step's learnt part comes after the first results (find/risk-vectors.js)
          if (ranking.risk) ranking.risk.learnedComing = true;
        });
      }
      return loading;
    }

    /* The build's vectors and the model's vocabulary: fetched beside the first part, once there
       are words or the box has the focus. After the first results are painted come the cards'
       other text (find/more.js) and the risk step's statements (find/risk-vectors.js): neither
       changed a first result of the quality set, that paint does not wait for them nor share the
       network with them, and the final mark (data-cardkb-meaning) waits for both; the results
       are shown again with them, redrawn only where they differ. */
    function loadMeaning() {
      if (!modelLoading) {
        // the model knows its words as soon as its vocabulary and the stop words are in, so a
        // query's shards are asked for then, beside the rest of the first part (meaningFor)
        wordsModel = Promise.all([script(siteRoot + "find/model/vocab.js"),
                                  script(siteRoot + "find/index.js")]).then(function () {
          CardkbRanking.setStopWords(window.cardkbFinder.stopWords);
          return CardkbRanking.shardedModel(window.cardkbFinderVocab);
        });
        var meaning = Promise.all([load(), wordsModel, script(siteRoot + "find/vectors.js")])
          .then(function (parts) {
            ranking.useMeaning(parts[1], window.cardkbFinderVectors);
            model = ranking.model;
          });
        modelLoading = meaning.catch(function () {
          meaningFailed = true;  /* the words of the first part still rank */
        });
        var more = Promise.all([load(), painted]).then(function () {
          return script(siteRoot + "find/more.js");
        }).then(function () { ranking.addMore(window.cardkbFinderMore); });
        var statements = Promise.all([meaning, painted]).then(function () {
          if (!ranking.risk) return null;
          return script(siteRoot + "find/risk-vectors.js").then(function () {
            ranking.useRiskVectors(window.cardkbFinderRisk);
          });
        });
        Promise.all([more, statements]).catch(function () { meaningFailed = true; }).then(function () {
          restReady = true;
          if (ranking.risk) ranking.risk.learnedComing = false;  // come, or never coming
          if (box.value.trim()) show(box.value);
        });
      }
      return modelLoading;
    }

    /* Everything a query's final ranking needs: the above and the shards of its words' vectors
       (find/model/<k>.js, a few kilobytes each). */
    function meaningFor(query) {
      var meaning = loadMeaning();
      var shards = wordsModel.then(function (words) {
        return Promise.all(CardkbRanking.missingShards(words, query).map(function (shard) {
          return script(siteRoot + "find/model/" + shard + ".js").then(function () {
            if (!words.loaded[shard]) CardkbRanking.addShard(words, shard, window.cardkbFinderShards[shard]);
          });
        }));
      });
      return Promise.all([meaning, shards]).catch(function () { meaningFailed = true; });
    }

    /* Whether the results for a query are final: its meaning is in, or cannot come. */
    function meaningState(query) {
      if (meaningFailed) return "failed";
      return restReady && meaningIn(query) ? "ready" : null;
    }

    /* Whether a query's ranking has its meaning half: the vectors of its words are in. */
    function meaningIn(query) {
      return Boolean(model) && !CardkbRanking.missingShards(model, query).length;
    }

    /* Results now, and again once the query's meaning is in, if it was not yet. */
    function showAndRefine(query) {
      show(query);
      if (!query.trim() || meaningIn(query) || meaningFailed) return;
      meaningFor(query).then(function () {
        if (box.value === query) show(query);
      });
    }

    function wait(ms) {
      return new Promise(function (resolve) { setTimeout(resolve, ms); });
    }

    function resultItem(result, terms, meaning, typed) {
      var p = result.pattern;
      var item = element("li", { "data-cardkb-result": "", class: "cardkb-result" +
                                 (p.isSafety ? " cardkb-result--safety" : "") });
      var title = element("a", { href: p.url, class: "cardkb-result__title" });
      title.appendChild(highlight(p.title, terms, typed));
      item.appendChild(title);
      if (p.safety) {
        var safety = element("p", { class: "cardkb-result__safety" });
        safety.appendChild(element("strong", {}, "Safety: "));
        safety.appendChild(document.createTextNode(p.safety));
        item.appendChild(safety);
      }
      var phrases = CardkbRanking.matchedPhrases(p, terms, 3, typed);
      var why = element("p", { class: "cardkb-result__why" });
      if (phrases.length) {
        why.appendChild(element("span", { class: "cardkb-label" }, "Matches: "));
        phrases.forEach(function (phrase, i) {
          var q = element("q");
          q.appendChild(highlight(phrase, terms, typed));
          why.appendChild(q);
          if (i < phrases.length - 1) why.appendChild(document.createTextNode(" · "));
        });
      } else {
        var close = ranking.closestPhrase(meaning, result.index);
        why.appendChild(element("span", { class: "cardkb-label" },
                                close ? "Close in meaning to: " : "About: "));
        why.appendChild(element("q", {}, close || p.summary));
      }
      item.appendChild(why);
      if (result.cards.length) {
        var cards = element("ul", { class: "cardkb-result__cards" });
        result.cards.forEach(function (card) {
          var li = element("li", { class: "cardkb-result__card cardkb-result__card--" + card.verdict });
          li.appendChild(element("span", { class: "cardkb-result__verdict" },
                                 card.verdict === "works" ? "Try" : "Tends to backfire"));
          var a = element("a", { href: card.url });
          a.appendChild(highlight(card.title, terms, typed));
          li.appendChild(a);
          li.appendChild(document.createTextNode(": "));
          li.appendChild(highlight(card.sign, terms, typed));
          cards.appendChild(li);
        });
        item.appendChild(cards);
      }
      return item;
    }

    var KIND_NAMES = { "suicide": "suicide", "self-harm": "self-harm",
                       "harm-to-others": "harm to others", "abuse": "abuse or harm from others" };

    /* The notice when the risk step hears risk: why (the words, or the meaning), the first
       steps from the chosen safety pattern's note, and links to it and to its first card. */
    function fillNotice(risk) {
      var heading = element("p", { class: "cardkb-find__risk-why" });
      heading.appendChild(element("strong", {}, "Check for risk of " +
        risk.kinds.map(function (k) { return KIND_NAMES[k] || k; }).join(" and ") + " now. "));
      if (risk.by === "words") {
        heading.appendChild(document.createTextNode("These words raised it: "));
        risk.evidence.slice(0, 3).forEach(function (e, i) {
          if (i) heading.appendChild(document.createTextNode(" · "));
          heading.appendChild(element("q", {}, e.words));
        });
        heading.appendChild(document.createTextNode("."));
      } else if (risk.by === "reports") {
        heading.appendChild(document.createTextNode(
          "It reads like reports of risk the finder has learnt from; these words weighed most: "));
        risk.learnt.forEach(function (words, i) {
          if (i) heading.appendChild(document.createTextNode(" · "));
          heading.appendChild(element("q", {}, words));
        });
        heading.appendChild(document.createTextNode("."));
      } else {
        heading.appendChild(document.createTextNode("The meaning raised it: close to "));
        heading.appendChild(element("q", {}, risk.statement));
        heading.appendChild(document.createTextNode("."));
      }
      if (risk.joke) {
        heading.appendChild(document.createTextNode(
          " Said as a joke? Ask anyway: a joke about dying or harm is still worth a direct question."));
      }
      safetyNotice.appendChild(heading);
      if (!risk.pattern) return;  // a knowledge base without a safety pattern: the words only
      var s = risk.pattern.pattern;
      if (s.steps && s.steps.length) {
        var steps = element("ol", { class: "cardkb-find__risk-steps" });
        s.steps.forEach(function (step) { steps.appendChild(element("li", {}, step)); });
        safetyNotice.appendChild(steps);
      }
      var links = element("p", { class: "cardkb-find__risk-links" });
      links.appendChild(document.createTextNode("Read the safety pattern: "));
      links.appendChild(element("a", { href: s.url }, s.title));
      var card = s.safetyCard >= 0 ? ranking.cards[s.safetyCard] : null;
      if (card) {
        links.appendChild(document.createTextNode(" · first card: "));
        links.appendChild(element("a", { href: card.url }, card.title));
      }
      safetyNotice.appendChild(links);
    }

    var shown = null;
    function show(query) {
      if (!ranking) return;
      var trimmed = query.slice(0, 2000);
      var ranked = ranking.rank(trimmed, 8);
      safetyNotice.hidden = true;
      safetyNotice.removeAttribute("data-cardkb-risk");
      safetyNotice.textContent = "";
      // Each result is drawn again only where it differs: what the meaning's later parts left as
      // it was (the first result, most often) is not repainted under the reader.
      var items = ranked.results.map(function (result) {
        return resultItem(result, ranked.terms, ranked.meaning, ranked.typed);
      });
      items.forEach(function (item, i) {
        var old = list.children[i];
        if (!old) list.appendChild(item);
        else if (old.outerHTML !== item.outerHTML) list.replaceChild(item, old);
      });
      while (list.children.length > items.length) list.removeChild(list.lastElementChild);
      // Risk recognised: the notice above every result, and its safety pattern first.
      if (ranked.risk) {
        fillNotice(ranked.risk);
        safetyNotice.setAttribute("data-cardkb-risk", ranked.risk.kinds.join(" "));
        safetyNotice.hidden = false;
      }
      if (!trimmed.trim()) {
        status.textContent = "Type what the supervisee says about the client: a few words or a whole sentence.";
      } else if (!ranked.results.length) {
        status.textContent = ranked.terms.length
          ? "Nothing fits these words. Try other words, or browse the sign finder."
          : CardkbRanking.tokenize(trimmed).length
            ? "These words are too common to search for. Add a word about the client or the session."
            : "There are no words here to search for. Type a few words about the client or the session.";
      } else {
        status.textContent = ranked.results.length + (ranked.results.length === 1 ? " pattern fits" : " patterns fit") +
          ", best first." + (meaningIn(trimmed) || meaningFailed ? "" : " (Matching words; meaning is still loading.)");
      }
      list.setAttribute("data-cardkb-query", query);
      if (markPainted && trimmed.trim()) { afterThisPaint(markPainted); markPainted = null; }
      var state = trimmed.trim() ? meaningState(trimmed) : "ready";
      if (state) list.setAttribute("data-cardkb-meaning", state);
      else list.removeAttribute("data-cardkb-meaning");
      shown = query;
      try {
        var url = new URL(location.href);
        if (trimmed.trim()) url.searchParams.set("q", query); else url.searchParams.delete("q");
        history.replaceState(null, "", url.toString());
      } catch (error) { /* file:// pages may refuse; the results still show */ }
    }

    function onInput() {
      load().then(function () { showAndRefine(box.value); });
    }

    box.addEventListener("input", onInput);
    // The box has the focus: someone is about to type, so the data start on their way now (on a
    // large knowledge base, the meaning's once the first results are shown).
    box.addEventListener("focus", function () {
      load();
      if (meaningFirst || shown !== null) loadMeaning();
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        var first = list.querySelector("a[href]");
        if (first) { event.preventDefault(); first.focus(); }
      } else if (event.key === "Enter") {
        event.preventDefault();
        var top = list.querySelector("a[href]");
        if (top && shown === box.value) top.click();
      }
    });
    list.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      var links = Array.prototype.slice.call(list.querySelectorAll("a[href]"));
      var at = links.indexOf(document.activeElement);
      if (at < 0) return;
      event.preventDefault();
      if (event.key === "ArrowDown" && at < links.length - 1) links[at + 1].focus();
      else if (event.key === "ArrowUp") (at > 0 ? links[at - 1] : box).focus();
    });
    box.form.addEventListener("submit", function (event) { event.preventDefault(); });

    var initial = new URLSearchParams(location.search).get("q");
    if (initial) box.value = initial;
    // On find/ with words in its address, the first results wait for the meaning half, so that
    // what is painted first is the final ranking; at most as long again as the words' half took
    // to be ready (from the page's start), so the first paint comes no later than twice what the
    // words alone would have given. Only where the page says so (data-cardkb-meaning-first: a
    // knowledge base small enough that the meaning's files are too); on a large one the words'
    // ranking is painted first and refined, and the meaning's files are fetched after it.
    var first = meaningFirst && initial && initial.trim() ? meaningFor(initial.slice(0, 500)) : null;
    box.focus();
    load().then(function () {
      return first && Promise.race([first, wait(performance.now())]);
    }).then(function () {
      showAndRefine(box.value);
    }).catch(function () {
      status.textContent = "The finder could not load its index. Use the sign finder or the list of patterns.";
    });
  }

  // The finder starts as soon as its page is parsed up to this script (its box and list come
  // before it), so its data are on their way before the theme sets up the rest of the page at
  // DOMContentLoaded; the header's box waits for that.
  startFinder();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", addHeaderBox);
  else addHeaderBox();
})();
