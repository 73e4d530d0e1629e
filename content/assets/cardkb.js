/* cardkb: the sign finder's filter box, for use mid-supervision.
 *
 * Progressive enhancement: the signs page works as a plain list without this script, and the
 * filter box stays hidden. With it, the box appears and the list narrows as you type: a sign is
 * kept when every word typed occurs in it or in its pattern's name ("cancel" finds
 * "Cancellations"), and a heading whose signs are all filtered out is hidden with its list.
 * Nothing is loaded from anywhere; no inline script is needed (the site's CSP forbids them).
 * Works with Material's instant navigation on or off, and opened from disk (file://).
 */
(function () {
  "use strict";

  /** Lower case, accents and punctuation removed, so "Self-harm" matches "self harm". */
  function normalise(text) {
    return text
      .toLocaleLowerCase()
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
  }

  /** The heading a sign list belongs to: the nearest heading before it. */
  function headingOf(list) {
    var node = list.previousElementSibling;
    while (node && !/^H[1-6]$/.test(node.tagName)) {
      node = node.previousElementSibling;
    }
    return node && node.tagName !== "H1" ? node : null;
  }

  /** The heading a heading sits under (the cues' "Cues that prompt a move" over each
      pattern's), or null: a heading with no list of its own hides with the lists under it. */
  function parentOf(heading) {
    var level = Number(heading.tagName.charAt(1));
    var node = heading.previousElementSibling;
    while (node && !(/^H[2-6]$/.test(node.tagName) && Number(node.tagName.charAt(1)) < level)) {
      if (node.tagName === "H1") {
        return null;
      }
      node = node.previousElementSibling;
    }
    return node;
  }

  // Inputs already wired up. Kept here rather than in an attribute of the page, because
  // instant navigation may swap in a page whose markup still carries such an attribute.
  var wired = new WeakSet();

  function setUp() {
    var box = document.querySelector(".cardkb-filter");
    var input = box && box.querySelector("#cardkb-filter-input");
    if (!input || wired.has(input)) {
      return;
    }
    wired.add(input);
    var empty = box.querySelector(".cardkb-filter-empty");
    var groups = Array.prototype.map.call(
      document.querySelectorAll(".cardkb-sign-list"),
      function (list) {
        return {
          list: list,
          heading: headingOf(list),
          items: Array.prototype.map.call(list.querySelectorAll("li"), function (item) {
            return { item: item, text: " " + normalise(item.textContent) + " " };
          })
        };
      }
    );
    var parents = [];
    groups.forEach(function (group) {
      var parent = group.heading && parentOf(group.heading);
      if (!parent) {
        return;
      }
      var known = parents.find(function (entry) { return entry.heading === parent; });
      if (known) {
        known.groups.push(group);
      } else {
        parents.push({ heading: parent, groups: [group] });
      }
    });

    function apply() {
      var words = normalise(input.value).split(" ").filter(Boolean);
      var shown = 0;
      groups.forEach(function (group) {
        var shownHere = 0;
        group.items.forEach(function (entry) {
          var match = words.every(function (word) {
            return entry.text.indexOf(word) !== -1;
          });
          entry.item.hidden = !match;
          shownHere += match ? 1 : 0;
        });
        group.list.hidden = shownHere === 0;
        if (group.heading) {
          group.heading.hidden = shownHere === 0;
        }
        shown += shownHere;
      });
      parents.forEach(function (parent) {
        parent.heading.hidden = parent.groups.every(function (group) { return group.list.hidden; });
      });
      if (empty) {
        empty.hidden = shown > 0;
      }
      box.setAttribute("data-cardkb-shown", String(shown));
    }

    input.addEventListener("input", apply);
    // Enter opens the first sign still shown, as a search box would
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") {
        return;
      }
      var first = Array.prototype.find.call(
        document.querySelectorAll(".cardkb-sign-list li a"),
        function (link) { return !link.closest("[hidden]"); }
      );
      if (first) {
        event.preventDefault();
        first.click();
      }
    });
    // Escape clears the box, as in Material's own search field
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && input.value) {
        input.value = "";
        apply();
        event.stopPropagation();
      }
    });
    box.hidden = false;
    box.setAttribute("data-cardkb-ready", "true");
    // A value the browser kept (back button, reload) applies at once
    if (input.value) {
      apply();
    }
  }

  // "/" on the sign finder goes to its filter box, the page's own search (as on many sites),
  // wherever the focus is, except while typing. Caught before Material's own search keys.
  window.addEventListener("keydown", function (event) {
    var input = document.getElementById("cardkb-filter-input");
    var target = event.target;
    if (event.key !== "/" || !input || input.closest("[hidden]") || event.ctrlKey ||
        event.metaKey || event.altKey || (target && (target.isContentEditable ||
        /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)))) {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    input.focus();
    input.select();
  }, true);

  /** Text as a CSS string: quoted, with quotes and backslashes escaped and spacing collapsed. */
  function cssString(text) {
    return '"' + text.replace(/\s+/g, " ").trim().replace(/[\\"]/g, "\\$&") + '"';
  }

  // A style sheet of the script's own (constructed, so readable from disk as well, where the
  // site's own sheets are closed to scripts), replaced on every page
  var printSheet = null;

  /**
   * A printed page is a handout: each sheet carries the page's title, the site's name, the date
   * it was printed and the disclaimer, in the page margins (CSS margin boxes); each link to
   * another page of the site prints as a numbered reference (see the print styles).
   */
  function setUpPrint() {
    var heading = document.querySelector("article h1");
    if (!heading) {
      return;
    }
    var title = Array.prototype.filter.call(heading.childNodes, function (node) {
      return !(node.classList && node.classList.contains("headerlink"));
    }).map(function (node) { return node.textContent; }).join("");
    var siteName = document.querySelector(".md-header__topic .md-ellipsis");
    var disclaimer = document.querySelector(".cardkb-disclaimer");
    var now = new Date();
    var date = now.getFullYear() + "-" + String(now.getMonth() + 1).padStart(2, "0") + "-" +
      String(now.getDate()).padStart(2, "0");
    var rule = "@page { " +
      "@top-left { content: " + cssString(title) + "; } " +
      "@top-right { content: " + cssString((siteName ? siteName.textContent + " · " : "") +
        "printed " + date) + "; } " +
      (disclaimer ? "@bottom-left { content: " + cssString(disclaimer.textContent) + "; } " : "") +
      "@bottom-right { content: counter(page) \" / \" counter(pages); } }";
    try {
      if (!printSheet) {
        printSheet = new CSSStyleSheet({ media: "print" });
        document.adoptedStyleSheets = document.adoptedStyleSheets.concat([printSheet]);
      }
      printSheet.replaceSync(rule);
    } catch (error) {
      // an older browser: the handout prints without its running head and foot
    }

    // Links to other pages of the site print as numbered references, listed with their full
    // addresses at the end of the handout ("Links in this handout"), each address once.
    var article = heading.closest("article");
    var addresses = [];
    var titles = [];
    article.querySelectorAll("a[href]").forEach(function (link) {
      var href = link.getAttribute("href");
      if (/^(#|[a-z][a-z0-9+.-]*:)/i.test(href) || link.closest(".cardkb-print-links") ||
          link.classList.contains("headerlink")) {
        return;
      }
      var address = link.href.split("#")[0].replace(/index\.html$/, "");
      // a card shown further down this same page is referred to there, not by its address
      var card = /\/cards\/([a-z0-9-]+)\/$/.exec(address);
      var here = card && document.getElementById(card[1]);
      if (here && here.nextElementSibling &&
          here.nextElementSibling.classList.contains("cardkb-card")) {
        link.setAttribute("data-cardkb-below", "");
        return;
      }
      if (link.closest(".cardkb-open")) {
        return;
      }
      if (addresses.indexOf(address) === -1) {
        addresses.push(address);
        titles.push(link.textContent.replace(/\s+/g, " ").trim());
      }
      link.setAttribute("data-cardkb-ref", String(addresses.indexOf(address) + 1));
    });
    var old = article.querySelector(".cardkb-print-links");
    if (old) {
      old.remove();
    }
    if (addresses.length) {
      var list = document.createElement("div");
      list.className = "cardkb-print-links";
      var caption = document.createElement("p");
      caption.className = "cardkb-label";
      caption.textContent = "Links in this handout";
      var items = document.createElement("ol");
      addresses.forEach(function (address, index) {
        var item = document.createElement("li");
        item.textContent = (titles[index] ? titles[index] + ": " : "") + address;
        items.appendChild(item);
      });
      list.appendChild(caption);
      list.appendChild(items);
      var last = article.querySelector(":scope > .cardkb-disclaimer");
      article.insertBefore(list, last);
    }
  }

  // -- practice: its script only where a page has practice ---------------------------------

  var ownScript = document.currentScript;
  var assets = ownScript ? ownScript.src.replace(/[^/]*$/, "") : "";

  /* practice/'s script, loaded the first time a page has practice (the practice page, as opened
     or reached by instant navigation): every other page is spared a request before it paints. */
  function loadPractice() {
    if (!assets || document.querySelector("script[data-cardkb-practice]") ||
        !document.querySelector("[data-cardkb-practice-choose], .cardkb-practice")) {
      return;
    }
    var script = document.createElement("script");
    script.src = assets + "practice/practice.js";
    script.setAttribute("data-cardkb-practice", "");
    document.head.appendChild(script);
  }

  function setUpPage() {
    setUp();
    setUpPrint();
    loadPractice();
  }

  // Material's document$ emits on the first load and after every instant navigation; without
  // Material's script (or before it runs) the page's own load event does the same job once.
  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setUpPage);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpPage);
  } else {
    setUpPage();
  }
})();
