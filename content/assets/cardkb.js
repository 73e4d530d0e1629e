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
      if (empty) {
        empty.hidden = shown > 0;
      }
      box.setAttribute("data-cardkb-shown", String(shown));
    }

    input.addEventListener("input", apply);
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

  // Material's document$ emits on the first load and after every instant navigation; without
  // Material's script (or before it runs) the page's own load event does the same job once.
  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setUp);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
