/*
 * cardkb's practice page (practice/): deliberate practice from client statements.
 *
 * A statement appears at the chosen level; the trainee answers out loud or types; "Show" reveals
 * one step at a time what a good reply does, how the move can sound and why, and what tends to
 * backfire here; a rating (too hard, about right, too easy) moves the level down, keeps it or
 * moves it up, and the next statement follows. The data is practice/index.js, written by the
 * build. What the trainee types never leaves the browser, and is kept (in localStorage) only
 * when they tick the box; unticking it forgets every kept reply. Every piece of author text is
 * set as text, never as HTML. assets/cardkb.js loads it on a page with practice, and only there.
 */
(function () {
  "use strict";
  if (typeof document === "undefined") return;

  var script = document.currentScript;
  // this script is assets/practice/practice.js: the site's root is two folders up
  var siteRoot = script ? script.src.replace(/assets\/practice\/[^/]*$/, "") : "";
  var STORE = "cardkb-practice-replies";
  var STEPS = ["criteria", "example", "contrast"];
  var STEP_LABELS = ["Show what a good reply does", "Show how it can sound, and why",
                     "Show what tends to backfire here", "Everything is shown"];

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

  function storage() {
    try { return window.localStorage; } catch (error) { return null; }
  }

  function keptReplies() {
    var store = storage();
    if (!store) return null;
    try { return JSON.parse(store.getItem(STORE) || "null"); } catch (error) { return null; }
  }

  function start() {
    var section = document.querySelector(".cardkb-practice");
    var prompt = section && section.querySelector("[data-cardkb-prompt]");
    if (!prompt || prompt.hasAttribute("data-cardkb-ready")) return;
    prompt.setAttribute("data-cardkb-ready", "");
    var status = document.getElementById("cardkb-practice-status");
    status.textContent = "Loading the statements…";
    loadScript(siteRoot + "practice/index.js").then(function () {
      run(window.cardkbPractice, section, prompt, status);
    }, function () {
      status.textContent = "The statements could not be loaded. Use the printed sheets below.";
    });
  }

  function run(data, section, prompt, status) {
    if (!data.prompts.length) {
      status.textContent = "No card has practice prompts yet.";
      return;
    }
    var form = document.querySelector("[data-cardkb-practice-choose]");
    var patternBox = document.getElementById("cardkb-practice-pattern");
    var levelBox = document.getElementById("cardkb-practice-level");
    var reply = document.getElementById("cardkb-practice-reply");
    var keep = document.getElementById("cardkb-practice-keep");
    var reveal = prompt.querySelector("[data-cardkb-reveal]");
    var answers = STEPS.map(function (step) {
      return prompt.querySelector('[data-cardkb-answer="' + step + '"]');
    });
    var params = new URLSearchParams(location.search);
    var onlyCard = data.cards[params.get("card")] ? params.get("card") : null;
    var level = data.levels[0];
    var current = null, shown = 0, turn = 0;
    var replies = keptReplies();

    if (onlyCard) {
      var first = data.prompts.filter(function (p) { return p.card === onlyCard; })[0];
      level = first.level;
      var own = data.cards[onlyCard].patterns[0];
      if (own !== undefined) patternBox.value = data.patterns[own].id;
      var note = element("p", { class: "cardkb-practice__only" });
      note.appendChild(document.createTextNode("Statements for one move: " +
                                               data.cards[onlyCard].title + ". "));
      var all = element("a", { href: location.pathname }, "Practise every move");
      note.appendChild(all);
      form.parentNode.insertBefore(note, form.nextSibling);
    }
    levelBox.value = level;
    keep.checked = replies !== null;
    form.hidden = false;
    section.hidden = false;

    function candidates(wanted) {
      var pattern = patternBox.value;
      var index = data.patterns.findIndex(function (p) { return p.id === pattern; });
      return data.prompts.filter(function (p) {
        return p.level === wanted && (!onlyCard || p.card === onlyCard) &&
          (onlyCard || !pattern || data.cards[p.card].patterns.indexOf(index) >= 0);
      });
    }

    /* The level's statements, or, when it has none here, the nearest level's that has some. */
    function pool() {
      var at = data.levels.indexOf(level);
      for (var distance = 0; distance < data.levels.length; distance++) {
        var tries = distance ? [at - distance, at + distance] : [at];
        for (var i = 0; i < tries.length; i++) {
          var other = data.levels[tries[i]];
          var found = other ? candidates(other) : [];
          if (found.length) return { level: other, prompts: found };
        }
      }
      return { level: level, prompts: [] };
    }

    function setText(selector, text) {
      prompt.querySelector(selector).textContent = text;
    }

    function quotes(container, wording) {
      wording.forEach(function (text) {
        var quote = element("blockquote", { class: "cardkb-practice__quote" });
        quote.appendChild(element("p", {}, "“" + text + "”"));
        container.appendChild(quote);
      });
    }

    function fill(item) {
      var card = data.cards[item.card];
      setText(".cardkb-practice__context", item.context);
      prompt.querySelector(".cardkb-practice__context").hidden = !item.context;
      setText(".cardkb-practice__says p", "“" + item.says + "”");
      setText(".cardkb-practice__criteria", card.criteria);
      var wording = prompt.querySelector(".cardkb-practice__wording");
      wording.textContent = "";
      quotes(wording, card.wording);
      setText(".cardkb-practice__why", card.why);
      var link = prompt.querySelector(".cardkb-practice__card");
      link.textContent = "";
      link.appendChild(document.createTextNode("The card: "));
      link.appendChild(element("a", { href: card.url }, card.title));
      var contrast = prompt.querySelector(".cardkb-practice__contrast");
      contrast.textContent = "";
      if (!card.contrast.length) {
        contrast.appendChild(element("p", {}, "No card that tends to backfire names this move yet."));
      }
      card.contrast.forEach(function (id) {
        var other = data.contrasts[id];
        var heading = element("h4");
        heading.appendChild(element("a", { href: other.url }, other.title));
        contrast.appendChild(heading);
        quotes(contrast, other.wording);
        contrast.appendChild(element("p", {}, other.why));
      });
    }

    function show() {
      var found = pool();
      if (found.level !== level) {
        status.textContent = "No " + level + " statements here yet: these are " + found.level + ".";
        level = found.level;
        levelBox.value = level;
      } else {
        status.textContent = "";
      }
      prompt.setAttribute("data-cardkb-level", level);
      shown = 0;
      answers.forEach(function (answer) { answer.hidden = true; });
      updateReveal();
      if (!found.prompts.length) {
        current = null;
        prompt.setAttribute("data-cardkb-prompt", "");
        status.textContent = "No statements to practise here yet.";
        prompt.hidden = true;
        return;
      }
      prompt.hidden = false;
      current = found.prompts[turn % found.prompts.length];
      prompt.setAttribute("data-cardkb-prompt", current.card + "/" + current.id);
      fill(current);
      reply.value = (replies && replies[current.card + "/" + current.id]) || "";
    }

    function updateReveal() {
      reveal.textContent = STEP_LABELS[shown];
      reveal.disabled = shown >= STEPS.length;
      reveal.setAttribute("aria-expanded", shown > 0 ? "true" : "false");
    }

    reveal.addEventListener("click", function () {
      if (shown >= STEPS.length) return;
      answers[shown].hidden = false;
      shown += 1;
      updateReveal();
    });

    prompt.querySelectorAll("[data-cardkb-rate]").forEach(function (button) {
      button.addEventListener("click", function () {
        var move = Number(button.getAttribute("data-cardkb-rate"));
        var at = data.levels.indexOf(level);
        var next = data.levels[Math.max(0, Math.min(data.levels.length - 1, at + move))];
        turn += 1;
        level = next;
        levelBox.value = level;
        show();
        var said = move < 0 ? "Too hard" : move > 0 ? "Too easy" : "About right";
        if (!status.textContent) status.textContent = said + ": the next statement is " + level + ".";
        reply.focus();
      });
    });

    patternBox.addEventListener("change", function () { turn = 0; show(); });
    levelBox.addEventListener("change", function () { level = levelBox.value; turn = 0; show(); });

    reply.addEventListener("input", function () {
      if (!replies || !current) return;
      replies[current.card + "/" + current.id] = reply.value;
      var store = storage();
      if (store) store.setItem(STORE, JSON.stringify(replies));
    });

    keep.addEventListener("change", function () {
      var store = storage();
      if (!store) return;
      if (keep.checked) {
        replies = {};
        if (current && reply.value) replies[current.card + "/" + current.id] = reply.value;
        store.setItem(STORE, JSON.stringify(replies));
      } else {
        replies = null;
        store.removeItem(STORE);
      }
    });

    show();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  // Material's instant navigation, where a site turns it on
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(start);
})();
