/* cardkb's editor: a form over a card or pattern, in the live preview only.
 *
 * The preview adds this script to each page it serves while it listens on loopback; a built
 * site never has it. The form is built from the JSON Schema's description of the fields (the
 * server sends it with the card), every check is the build's own (the server runs it and
 * sends its words), and the server writes only what changed. This file only shows and asks.
 */
(() => {
  "use strict";
  const me = document.currentScript;
  const TOKEN = me.dataset.cardkbToken;
  const API = me.dataset.cardkbApi;
  const LAST_SAVE = "cardkb-editor-last-save";
  let openForm = null; // the form on this page, if one is open

  // -- talking to the preview ------------------------------------------------------------------

  async function call(endpoint, payload) {
    const answer = await fetch(API + endpoint, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-Cardkb-Token": TOKEN},
      body: JSON.stringify(payload || {}),
      cache: "no-store",
    });
    const body = await answer.json().catch(() => ({error: "the preview gave no answer"}));
    if (!answer.ok) {
      const error = new Error(body.error || `the preview answered ${answer.status}`);
      error.diff = body.diff || ""; // a change the writer refused, as it would have been
      throw error;
    }
    return body;
  }

  // The preview's reload waits while a form holds unsaved changes, and happens when it closes.
  let reloadWaiting = false;
  let creating = false; // a new card or pattern is being made: the page moves on by itself
  window.cardkbHoldReload = () => {
    if (creating) return true;
    // an open form stays until it is saved (then the page shows the save) or closed
    if (openForm && (openForm.dirty() || !openForm.saved)) {
      reloadWaiting = true;
      if (openForm.dirty()) openForm.say("The site changed on disk; this page shows the new "
        + "version once you save or close the form.");
      return true;
    }
    return false;
  };
  window.addEventListener("beforeunload", (event) => {
    if (openForm && openForm.dirty()) event.preventDefault();
  });

  // -- small helpers ---------------------------------------------------------------------------

  let counter = 0;
  const uid = (prefix) => `cardkb-${prefix}-${++counter}`;

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  const button = (text, onclick, attributes) =>
    el("button", {type: "button", class: "cardkb-editor__button", onclick, ...attributes}, text);

  const suggestId = (title) => title.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64);

  const label = (name) => name.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());

  // -- where the page is -----------------------------------------------------------------------

  function currentPage() {
    const path = decodeURIComponent(location.pathname).replace(/index\.html$/, "");
    let match = path.match(/\/(cards|patterns)\/([a-z0-9]+(?:-[a-z0-9]+)*)\/$/);
    if (match) return {kind: match[1] === "cards" ? "card" : "pattern", id: match[2]};
    match = path.match(/\/patterns\/$/);
    return match ? {kind: "patterns"} : null;
  }

  function siteRoot() {
    const path = location.pathname.replace(/index\.html$/, "");
    const match = path.match(/^(.*\/)(cards|patterns)\/(?:[^/]+\/)?$/);
    return match ? match[1] : "/";
  }

  // -- the bar with the edit and new controls --------------------------------------------------

  function bar() {
    const article = document.querySelector("article") || document.querySelector("main")
      || document.body;
    const heading = article.querySelector("h1");
    const node = el("div", {class: "cardkb-editor-bar", role: "group",
                            "aria-label": "Editing (preview only)"});
    if (heading) heading.after(node); else article.prepend(node);
    return node;
  }

  async function start() {
    const page = currentPage();
    const entities = await call("entities").catch(() => null);
    if (!page && !(entities && entities.unfinished.length)) return;
    const place = bar();
    if (page && (page.kind === "card" || page.kind === "pattern")) {
      const edit = button(`Edit this ${page.kind}`, () => openEditor(page.id, place, entities),
                          {"data-cardkb-edit": page.id});
      place.append(edit);
      if (page.kind === "pattern") {
        place.append(button("New card", () => newThing("card", place, page.id),
                            {"data-cardkb-new": "card"}));
      }
      if (location.hash === "#edit") openEditor(page.id, place, entities);
    } else if (page && page.kind === "patterns") {
      place.append(button("New pattern", () => newThing("pattern", place),
                          {"data-cardkb-new": "pattern"}));
    }
    if (entities && entities.unfinished.length) {
      const list = el("ul", {class: "cardkb-editor__unfinished"});
      for (const item of entities.unfinished) {
        const href = `${siteRoot()}${item.kind === "card" ? "cards" : "patterns"}/${item.id}/#edit`;
        list.append(el("li", {}, el("a", {href, text: item.id})));
      }
      place.append(el("div", {class: "cardkb-editor__unfinished-box"},
        el("p", {text: "Unfinished work, kept aside until it passes the check (not on the site "
                      + "yet):"}), list));
    }
    showLastSave(place);
  }

  function showLastSave(place) {
    // shown on this page for a minute after the save: the preview may reload it more than
    // once while it rebuilds
    const saved = JSON.parse(sessionStorage.getItem(LAST_SAVE) || "null");
    if (!saved || saved.page !== location.pathname || Date.now() > saved.until) return;
    const {file, diff} = saved;
    place.append(el("details", {class: "cardkb-editor__saved", open: true},
      el("summary", {text: `Saved: what changed in ${file}`}),
      el("pre", {class: "cardkb-editor__diff", tabindex: "0", "aria-label": `Changes to ${file}`,
                 text: diff || "(nothing)"})));
  }

  // -- new cards and patterns ------------------------------------------------------------------

  function newThing(kind, place, patternId) {
    if (place.querySelector(".cardkb-editor__new")) return;
    const titleId = uid("title"), idId = uid("id"), verdictId = uid("verdict"), noteId = uid("note");
    const title = el("input", {id: titleId, type: "text", name: "title", required: true,
                               autocomplete: "off"});
    const idInput = el("input", {id: idId, type: "text", name: "id", required: true,
                                 autocomplete: "off", "aria-describedby": noteId,
                                 pattern: "[a-z0-9]+(-[a-z0-9]+)*"});
    let idTouched = false;
    title.addEventListener("input", () => { if (!idTouched) idInput.value = suggestId(title.value); });
    idInput.addEventListener("input", () => { idTouched = true; });
    const verdict = el("select", {id: verdictId, name: "verdict"},
      el("option", {value: "works", text: "works"}),
      el("option", {value: "backfires", text: "backfires"}));
    const status = el("p", {class: "cardkb-editor__status", role: "status"});
    const form = el("form", {class: "cardkb-editor__new", "aria-label": `New ${kind}`},
      el("h2", {text: kind === "card" ? "A new card in this pattern" : "A new pattern"}),
      el("div", {class: "cardkb-editor__field"}, el("label", {for: titleId, text: "Title"}), title),
      el("div", {class: "cardkb-editor__field"}, el("label", {for: idId, text: "Id (its address)"}),
         el("p", {id: noteId, class: "cardkb-editor__help", text: "Lower-case words joined by "
                  + "hyphens; made from the title, and never changed afterwards."}), idInput),
      kind === "card" ? el("div", {class: "cardkb-editor__field"},
                           el("label", {for: verdictId, text: "Verdict"}), verdict) : null,
      el("div", {class: "cardkb-editor__actions"},
         el("button", {type: "submit", class: "cardkb-editor__button cardkb-editor__primary",
                       "data-cardkb-create": kind}, `Create the ${kind} as a draft`),
         button("Cancel", () => form.remove())),
      status);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      status.textContent = "Creating…";
      creating = true;
      try {
        const made = await call(`new-${kind}`, kind === "card"
          ? {pattern: patternId, id: idInput.value, verdict: verdict.value}
          : {id: idInput.value});
        if (title.value.trim()) {
          const opened = await call("read", {id: made.id});
          await call("save", {id: made.id, hash: opened.hash,
                              data: {...opened.data, title: title.value.trim()}});
        }
        status.textContent = `Created ${made.file}; opening it…`;
        const address = `${siteRoot()}${kind === "card" ? "cards" : "patterns"}/${made.id}/`;
        await waitFor(kind, made.id);
        location.assign(address + "#edit");
      } catch (error) {
        creating = false;
        status.textContent = error.message;
      }
    });
    place.append(form);
    title.focus();
  }

  async function waitFor(kind, id) {
    // until the preview has built the new page (a new page means a whole new build)
    for (let tries = 0; tries < 600; tries++) {
      const answer = await call("ready", {kind, id}).catch(() => ({ready: false}));
      if (answer.ready) return;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  // -- the form --------------------------------------------------------------------------------

  async function openEditor(id, place, entities) {
    if (openForm) { openForm.focus(); return; }
    let card;
    try {
      card = await call("read", {id});
    } catch (error) {
      place.append(el("p", {class: "cardkb-editor__status", role: "alert", text: error.message}));
      return;
    }
    openForm = new Editor(card, (entities && entities.entities) || [], place);
  }

  class Editor {
    constructor(card, entities, place) {
      this.card = card;
      this.entities = entities;
      this.hash = card.hash;
      this.saved = false; // saved into cards/ from this form: the next change reloads the page
      this.problemSlots = new Map();
      this.form = el("form", {class: "cardkb-editor", novalidate: true,
                              "aria-labelledby": uid("heading")});
      const headingId = this.form.getAttribute("aria-labelledby");
      this.status = el("div", {class: "cardkb-editor__status", role: "status",
                               "aria-live": "polite"});
      this.general = el("ul", {class: "cardkb-editor__problems", "aria-live": "polite"});
      this.form.append(...[
        el("h2", {id: headingId, text: `Editing ${card.kind} ${card.id}`}),
        el("p", {class: "cardkb-editor__help", text: `Saved into ${card.file}, changing only `
          + "the lines of the fields you change. Clear an optional field to remove it."}),
        card.unfinished ? el("p", {class: "cardkb-editor__note"}, "This is your unfinished "
          + "version, kept aside until it passes the check; the site still shows the last "
          + "version that did. ", button("Discard the unfinished version", async () => {
            if (!confirm("Discard the unfinished version, and edit the saved one?")) return;
            await call("discard", {id: card.id});
            this.form.remove(); openForm = null;
            location.assign(location.pathname + "#edit"); location.reload();
          }, {"data-cardkb-discard": ""})) : null,
        this.general].filter(Boolean));
      this.fields = el("div", {class: "cardkb-editor__fields"});
      for (const field of card.fields) this.fields.append(this.field(field, field.name,
                                                                     card.data[field.name]));
      this.form.append(this.fields, this.linksHere(), this.status, el("div",
        {class: "cardkb-editor__actions"},
        el("button", {type: "submit", class: "cardkb-editor__button cardkb-editor__primary",
                      "data-cardkb-save": ""}, "Save"),
        button("Close", () => this.close(), {"data-cardkb-close": ""})));
      this.form.addEventListener("submit", (event) => { event.preventDefault(); this.save(); });
      this.form.addEventListener("input", () => this.changed());
      this.form.addEventListener("change", () => this.changed());
      this.form.addEventListener("keydown", (event) => {
        if (event.key === "s" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault(); this.save();
        }
      });
      place.append(this.form);
      this.initial = JSON.stringify(this.data());
      if (card.problems && card.problems.length) this.show(card.problems);
      this.focus();
    }

    focus() {
      const first = this.form.querySelector("input, select, textarea");
      if (first) first.focus();
    }

    dirty() { return JSON.stringify(this.data()) !== this.initial; }

    say(text) { this.status.textContent = text; }

    close() {
      if (this.dirty() && !confirm("Close the form and lose the changes that are not saved?")) {
        return;
      }
      this.form.remove();
      openForm = null;
      if (reloadWaiting) location.reload();
    }

    // -- building fields -----------------------------------------------------------------------

    field(spec, path, value) {
      const wrap = el("div", {class: "cardkb-editor__field", "data-field": path});
      const inputId = uid("input");
      const help = el("p", {class: "cardkb-editor__help", id: uid("help"),
                            text: spec.description || ""});
      const problem = el("p", {class: "cardkb-editor__problem", id: uid("problem"),
                               "aria-live": "polite"});
      this.problemSlots.set(path, {slot: problem, wrap});
      const described = `${help.id} ${problem.id}`;
      const name = path.split(".").pop();
      const caption = `${label(/^\d+$/.test(name) ? path.split(".").slice(-2, -1)[0] : name)}`
        + (spec.required ? "" : " (optional)");
      if (spec.type === "list") {
        const legendId = uid("legend");
        const fieldset = el("fieldset", {class: "cardkb-editor__list", "data-list": path,
                                         "aria-describedby": described},
          el("legend", {id: legendId, text: caption}));
        fieldset.append(help, problem);
        const items = el("ol", {class: "cardkb-editor__items"});
        fieldset.append(items);
        const add = (itemValue, focus) => {
          const index = items.children.length;
          if (itemValue === undefined && spec.item.type === "either" && Array.isArray(value)
              && value.length && typeof value[0] === "object") {
            itemValue = {}; // a new item takes the shape of the list's first one
          }
          const row = el("li", {class: "cardkb-editor__item"});
          row.append(this.field({...spec.item, description: "", required: true},
                                `${path}.${index}`, itemValue));
          row.append(button("Remove", () => { row.remove(); this.renumber(items, path);
                                               this.changed(); },
                            {"aria-label": `Remove ${label(name)} item ${index + 1}`,
                             class: "cardkb-editor__button cardkb-editor__remove"}));
          items.append(row);
          if (focus) { const input = row.querySelector("input, textarea, select"); if (input) input.focus(); }
        };
        for (const item of Array.isArray(value) ? value : []) add(item, false);
        fieldset.append(button(`Add ${spec.type === "list" && name === "wording" ? "a wording line"
                                      : "an item"}`, () => { add(undefined, true); this.changed(); },
                               {"data-cardkb-add": path}));
        wrap.append(fieldset);
        return wrap;
      }
      if (spec.type === "mapping" || spec.type === "either") {
        const fieldset = el("fieldset", {class: "cardkb-editor__mapping", "data-mapping": path,
                                         // a text, or a mapping: as the file had this item
                                         "data-either": spec.type === "either"
                                           ? (value && typeof value === "object" ? "mapping"
                                                                                  : "text") : null},
          el("legend", {text: caption}));
        if (spec.description) fieldset.append(help);
        fieldset.append(problem);
        const given = typeof value === "string" ? {[spec.fields[0].name]: value} : (value || {});
        for (const sub of spec.fields) {
          fieldset.append(this.field(sub, `${path}.${sub.name}`, given[sub.name]));
        }
        wrap.append(fieldset);
        return wrap;
      }
      const labelNode = el("label", {for: inputId, text: caption});
      let input;
      if (spec.type === "choice") {
        const unset = value === undefined || value === null;
        // an empty choice for an optional field, or a required one not chosen yet (the check
        // then says it is missing): the form never picks a value the file does not have
        input = el("select", {id: inputId, name: path, "aria-describedby": described},
          !spec.required || unset ? el("option", {value: "", text: spec.required
            ? "(choose one)" : "(not set)"}) : null,
          ...spec.choices.map((choice) => el("option", {value: choice, text: choice})));
        input.value = unset ? "" : String(value);
      } else if (spec.type === "markdown") {
        input = el("textarea", {id: inputId, name: path, rows: "6",
                                "aria-describedby": described, spellcheck: "true"});
        input.value = value === undefined || value === null ? "" : String(value);
      } else if (spec.type === "date") {
        input = el("input", {id: inputId, name: path, type: "date", "aria-describedby": described});
        input.value = value || "";
      } else if (["card-ref", "pattern-ref", "ref"].includes(spec.type)) {
        wrap.append(labelNode, help, problem);
        wrap.append(this.picker(spec, path, value, inputId, described));
        return wrap;
      } else {
        input = el("input", {id: inputId, name: path, type: "text", autocomplete: "off",
                             "aria-describedby": described});
        input.value = value === undefined || value === null ? "" : String(value);
      }
      wrap.append(labelNode, help, input, problem);
      if (spec.type === "markdown") wrap.append(this.markdownPreview(input));
      return wrap;
    }

    renumber(items, path) {
      // names follow the items' order: wording.0, wording.1, ...
      [...items.children].forEach((row, index) => {
        for (const node of row.querySelectorAll("[name], [data-field], [data-list], [data-mapping]")) {
          for (const attribute of ["name", "data-field", "data-list", "data-mapping"]) {
            const current = node.getAttribute(attribute);
            if (current && current.startsWith(path + ".")) {
              node.setAttribute(attribute, current.replace(
                new RegExp(`^${path.replace(/\./g, "\\.")}\\.\\d+`), `${path}.${index}`));
            }
          }
        }
      });
    }

    markdownPreview(textarea) {
      const shown = el("div", {class: "cardkb-editor__rendered md-typeset", hidden: true,
                               "aria-live": "polite"});
      const toggle = button("Show how it reads", async () => {
        if (!shown.hidden) { shown.hidden = true; toggle.textContent = "Show how it reads";
                             toggle.setAttribute("aria-expanded", "false"); return; }
        try {
          const {html} = await call("render", {text: textarea.value});
          shown.innerHTML = html; // the build's own renderer, as the saved page will show it
        } catch (error) { shown.textContent = error.message; }
        shown.hidden = false;
        toggle.textContent = "Hide how it reads";
        toggle.setAttribute("aria-expanded", "true");
      }, {"aria-expanded": "false"});
      return el("div", {class: "cardkb-editor__preview"}, toggle, shown);
    }

    candidates(spec, path) {
      const field = path.split(".")[0];
      const own = this.card.id;
      return this.entities.filter((entity) => {
        if (entity.id === own || entity.kind === "invalid") return false;
        if (spec.type === "card-ref" && entity.kind !== "card") return false;
        if (spec.type === "pattern-ref" && entity.kind !== "pattern") return false;
        if (field === "instead" && entity.verdict !== "works") return false; // the check's rule
        if (field === "replaced_by" && entity.status === "retired") return false;
        return true;
      });
    }

    picker(spec, path, value, inputId, described) {
      // A combobox (ARIA 1.2): type part of a title or id; arrows choose, Enter picks.
      const listId = uid("options");
      const input = el("input", {id: inputId, name: path, type: "text", role: "combobox",
                                 autocomplete: "off", "aria-autocomplete": "list",
                                 "aria-expanded": "false", "aria-controls": listId,
                                 "aria-describedby": described, "data-cardkb-picker": spec.type});
      input.value = value || "";
      const list = el("ul", {id: listId, role: "listbox", class: "cardkb-editor__options",
                             hidden: true, "aria-label": "Matching ids"});
      const shown = el("p", {class: "cardkb-editor__picked", "aria-live": "polite"});
      let active = -1, options = [];
      const describe = () => {
        const entity = this.entities.find((each) => each.id === input.value);
        shown.textContent = entity ? `${entity.title}${entity.kind === "card"
          ? ` — a card in ${entity.pattern_title || entity.pattern}` : " — a pattern"}` : "";
      };
      const close = () => { list.hidden = true; input.setAttribute("aria-expanded", "false");
                            input.removeAttribute("aria-activedescendant"); active = -1; };
      const pick = (entity) => { input.value = entity.id; close(); describe(); this.changed(); };
      const render = () => {
        const query = input.value.trim().toLowerCase();
        options = this.candidates(spec, path).filter((entity) => !query
          || entity.id.includes(query) || entity.title.toLowerCase().includes(query)).slice(0, 12);
        list.replaceChildren(...options.map((entity, index) => {
          const option = el("li", {id: `${listId}-${index}`, role: "option",
                                   "aria-selected": index === active ? "true" : "false",
                                   "data-id": entity.id},
            el("span", {class: "cardkb-editor__option-title", text: entity.title}),
            el("span", {class: "cardkb-editor__option-id", text: ` ${entity.id}`
              + (entity.kind === "card" ? ` · ${entity.pattern_title || entity.pattern}` : " · pattern")}));
          option.addEventListener("mousedown", (event) => { event.preventDefault(); pick(entity); });
          return option;
        }));
        list.hidden = options.length === 0;
        input.setAttribute("aria-expanded", options.length ? "true" : "false");
        if (active >= 0 && options[active]) {
          input.setAttribute("aria-activedescendant", `${listId}-${active}`);
        } else input.removeAttribute("aria-activedescendant");
      };
      input.addEventListener("input", () => { active = -1; render(); describe(); });
      input.addEventListener("focus", () => render());
      input.addEventListener("blur", () => setTimeout(close, 100));
      input.addEventListener("keydown", (event) => {
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          event.preventDefault();
          if (list.hidden) render();
          const step = event.key === "ArrowDown" ? 1 : -1;
          active = options.length ? (active + step + options.length) % options.length : -1;
          render();
        } else if (event.key === "Enter" && !list.hidden && active >= 0 && options[active]) {
          event.preventDefault();
          pick(options[active]);
        } else if (event.key === "Escape" && !list.hidden) {
          event.preventDefault();
          close();
        }
      });
      describe();
      return el("div", {class: "cardkb-editor__picker"}, input, list, shown);
    }

    linksHere() {
      const links = this.card.links_here || [];
      const section = el("section", {class: "cardkb-editor__links", "aria-label": "What links here"},
        el("h3", {text: "What links here"}));
      if (!links.length) {
        section.append(el("p", {text: "Nothing links here yet."}));
        return section;
      }
      const list = el("ul");
      for (const link of links) {
        const href = `${siteRoot()}${link.kind === "card" ? "cards" : "patterns"}/${link.id}/`;
        list.append(el("li", {}, el("a", {href, text: link.title}),
                       ` (${link.kind}, in ${link.field === "text" ? "its text" : link.field})`));
      }
      section.append(list);
      return section;
    }

    // -- reading the form ----------------------------------------------------------------------

    value(spec, path) {
      if (spec.type === "list") {
        const fieldset = this.form.querySelector(`[data-list="${path}"]`);
        const count = fieldset ? fieldset.querySelector("ol").children.length : 0;
        const items = [];
        for (let index = 0; index < count; index++) {
          const item = this.value(spec.item, `${path}.${index}`);
          if (item !== undefined) items.push(item);
        }
        return items.length ? items : undefined;
      }
      if (spec.type === "mapping" || spec.type === "either") {
        const mapping = {};
        for (const sub of spec.fields) {
          const item = this.value(sub, `${path}.${sub.name}`);
          if (item !== undefined) mapping[sub.name] = item;
        }
        const keys = Object.keys(mapping);
        if (!keys.length) return undefined;
        // "either": a text alone is written as the text, as the file had it
        const fieldset = this.form.querySelector(`[data-mapping="${path}"]`);
        if (spec.type === "either" && keys.length === 1 && keys[0] === spec.fields[0].name
            && !(fieldset && fieldset.dataset.either === "mapping")) {
          return mapping[keys[0]];
        }
        return mapping;
      }
      const input = this.form.querySelector(`[name="${path}"]`);
      if (!input) return undefined;
      let text = input.value;
      if (text.trim() === "") return undefined; // cleared: the key goes
      const before = path.split(".").reduce((data, part) => (data == null ? data : data[part]),
                                            this.card.data);
      if (spec.type === "markdown" && typeof before === "string" && before.endsWith("\n")
          && !text.endsWith("\n")) text += "\n"; // as the file's block had it
      return text;
    }

    data() {
      const data = {...this.card.data};
      for (const field of this.card.fields) {
        const value = this.value(field, field.name);
        if (value === undefined) delete data[field.name]; else data[field.name] = value;
      }
      return data;
    }

    // -- checking and saving -------------------------------------------------------------------

    changed() {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.check(), 350);
    }

    async check() {
      const asked = JSON.stringify(this.data());
      try {
        const answer = await call("check", {id: this.card.id, data: this.data()});
        if (asked === JSON.stringify(this.data())) this.show(answer.problems);
      } catch (error) {
        this.show([{message: error.message, text: error.message, field: null,
                    severity: "error"}]);
      }
    }

    show(problems) {
      for (const {slot, wrap} of this.problemSlots.values()) {
        slot.textContent = "";
        wrap.classList.remove("cardkb-editor__field--problem");
        for (const input of wrap.querySelectorAll(":scope > input, :scope > select, "
                                                  + ":scope > textarea, :scope > div > input")) {
          input.removeAttribute("aria-invalid");
        }
      }
      this.general.replaceChildren();
      for (const problem of problems) {
        let path = problem.field;
        while (path && !this.problemSlots.has(path)) {
          path = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : null;
        }
        const target = path ? this.problemSlots.get(path) : null;
        const words = problem.text; // exactly as the build reports it
        if (target) {
          target.slot.textContent = target.slot.textContent
            ? `${target.slot.textContent}\n${words}` : words;
          target.wrap.classList.add("cardkb-editor__field--problem");
          const input = target.wrap.querySelector("input, select, textarea");
          if (input && problem.severity === "error") input.setAttribute("aria-invalid", "true");
        } else {
          this.general.append(el("li", {text: words}));
        }
      }
    }

    async save() {
      const data = this.data();
      this.say("Saving…");
      let answer;
      try {
        answer = await call("save", {id: this.card.id, hash: this.hash, data});
      } catch (error) {
        this.say(error.message);
        if (error.diff) {
          this.status.append(el("pre", {class: "cardkb-editor__diff", tabindex: "0",
                                        "aria-label": "The change that was not written",
                                        text: error.diff}));
        }
        return;
      }
      this.show(answer.problems || []);
      if (answer.saved === "unchanged") {
        this.say("Nothing changed, so nothing was written.");
        return;
      }
      this.initial = JSON.stringify(data);
      if (answer.saved === "unfinished") {
        this.say(`Not on the site yet: kept as unfinished work in ${answer.file} until the `
                 + "problems shown are fixed. The site still shows the last version that passed.");
        return;
      }
      this.hash = answer.hash;
      this.saved = true;
      sessionStorage.setItem(LAST_SAVE, JSON.stringify({file: answer.file, diff: answer.diff,
                                                        page: location.pathname,
                                                        until: Date.now() + 60000}));
      // the form stays, with nothing unsaved, until the preview has rebuilt the page and
      // reloads it; the diff is shown above the page then
      this.say(`Saved into ${answer.file}. The page shows it in a moment.`);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
