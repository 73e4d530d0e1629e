"""Stage 4, render: the knowledge base as page documents, from the templates in ``templates/``.

Pages are Markdown documents whose headings are Markdown (so any engine builds its table of
contents and search sections from them) and whose card text is pre-rendered, escaped HTML. Each
Markdown field is converted once per build: pattern and card pages sit at the same depth, so the
same relative links serve both.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, cached_property, partial
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
from markupsafe import Markup

from .config import Settings
from .drift import LinkDrift, page_drift, rank
from .drift_sources import KnowledgeBaseSources
from .export import export_json
from .finder import (
    DATA_FILE,
    FIND_FOLDER,
    MODEL_VOCAB_FILE,
    MORE_FILE,
    RISK_VECTORS_FILE,
    VECTORS_FILE,
    MeaningModel,
    finder_data,
    finder_risk_vectors,
    finder_vectors,
    model_shard_names,
    model_vocab_script,
    plain_text,
    shipped_model_shards,
)
from .markdown_text import MarkdownRenderer, escape_markdown
from .model import LEVELS, SEEN_IN, Card, Entity, KnowledgeBase, Pattern, Status
from .pins import Pin
from .practice import (
    LEVEL_NAMES,
    PRACTICE_DATA_FILE,
    PRACTICE_FOLDER,
    SHEETS,
    PracticeItem,
    pattern_items,
    practice_data,
    practice_href,
    practice_items,
    practised_patterns,
    sheet_folder,
)
from .problems import Problem
from .review import overdue_reviews
from .schemas import SCHEMA_FILES
from .urls import UrlLayout, relative_href
from .wikilinks import WikiLink, find_wikilinks, mask_code, replace_wikilinks

TEMPLATES = Path(__file__).parent / "templates"
#: pattern and card pages both live two folders deep, so links in Markdown fields, converted once
#: per build for both, climb to the site root and down again
_FIELD_LINK_ROOT = "../../"
PATTERN_LIST_MARKER = "<!-- cardkb:patterns -->"
_MARKER_LINE = re.compile(rf"^[ \t]*{re.escape(PATTERN_LIST_MARKER)}[ \t]*$", re.MULTILINE)

SEEN_IN_HEADINGS = {
    "client": "In the client",
    "therapist": "In yourself, the therapist",
    "process": "In the process",
    "measure": "In the measures",
    None: "General signs",
}


@dataclass(frozen=True)
class GeneratedPage:
    """A page for the engine to build: Markdown (``.md``) or a finished HTML file."""

    src_uri: str
    content: str


#: up to this many cards, find/?q= paints the final ranking first (words and meaning); beyond,
#: the words' ranking first, refined by the meaning when it arrives, so that the first paint
#: does not wait for megabytes of vectors and text (make bench: 3,000 cards)
MEANING_FIRST_MAX_CARDS = 500
#: what find/ fetches before its first results whatever is typed, named in its page so the
#: browser fetches it beside the page's own scripts instead of after them, at low priority so
#: the page itself is drawn first (the vectors of the query's words come next); past
#: MEANING_FIRST_MAX_CARDS only the first four, the words' half. The cards' other text
#: (MORE_FILE) and the risk step's statements come after the first results.
FINDER_PRELOADED = ("assets/vendor/minisearch/minisearch.js",
                    "assets/vendor/wink-porter2-stemmer/stemmer.js", "assets/finder/risk.js",
                    DATA_FILE, VECTORS_FILE, MODEL_VOCAB_FILE)


def _model_shard(src_uri: str) -> GeneratedPage:
    """One shard of the meaning model's vectors (``find/model/<k>.js``)."""
    return GeneratedPage(src_uri, shipped_model_shards()[src_uri])


class SiteRenderer:
    def __init__(self, kb: KnowledgeBase, layout: UrlLayout, settings: Settings,
                 today: datetime.date | None = None,
                 pins: Mapping[str, Pin] | None = None) -> None:
        self.kb, self.layout, self.settings = kb, layout, settings
        self.today = today or datetime.date.today()
        #: the pins of the hand-written pages, by ``src_uri``: a page whose linked cards
        #: changed in substance since its review carries a banner
        self.pins: Mapping[str, Pin] = pins or {}
        self.env = _template_environment()
        self._field_markdown = MarkdownRenderer(self._field_link)
        self._html_cache: dict[tuple[int, str], Markup] = {}

    # -- pages ------------------------------------------------------------------------------

    def pages(self) -> Iterator[GeneratedPage]:
        """Every page the cards produce: patterns, cards, redirects, the signs and list pages."""
        return (render() for render in self.page_plan().values())

    def page_plan(self) -> dict[str, Callable[[], GeneratedPage]]:
        """How to render each page, by its ``src_uri``, rendering none of them yet: a live
        preview renders only the pages a save may have changed."""
        plan: dict[str, Callable[[], GeneratedPage]] = {}

        def add(src_uri: str, render: Callable[[], GeneratedPage]) -> None:
            plan[src_uri] = render

        for pattern in self.kb.visible_patterns():
            add(self.layout.folder("pattern", pattern.id) + "index.md",
                partial(self._pattern_page, pattern))
        for card in self.kb.visible_cards():
            add(self.layout.folder("card", card.id) + "index.md",
                partial(self._page, "card", card, "card.md.j2", card=card))
        for alias, card in self.kb.aliases.items():
            if self.kb.is_visible(card):
                add(self.layout.folder("card", alias) + "index.html",
                    partial(self._redirect, alias, card))
        add("signs/index.md", lambda: self._render_page(
            "signs/", "signs.md.j2", groups=self._sign_groups(), cues=self._cues()))
        add("patterns/index.md", lambda: self._render_page(
            "patterns/", "patterns.md.j2", pattern_list=self.pattern_list("patterns/")))
        add(FIND_FOLDER + "index.md", lambda: self._render_page(
            FIND_FOLDER, "find.md.j2",
            signs_href=relative_href(self.layout.page_url(FIND_FOLDER),
                                     self.layout.page_url("signs/")),
            patterns_href=relative_href(self.layout.page_url(FIND_FOLDER),
                                        self.layout.page_url("patterns/")),
            meaning_first=self._meaning_first(),
            preloaded=[relative_href(self.layout.page_url(FIND_FOLDER), script)
                       for script in (FINDER_PRELOADED if self._meaning_first()
                                      else FINDER_PRELOADED[:4])]))
        data = cache(lambda: finder_data(self.kb, self.layout))
        add(DATA_FILE, lambda: GeneratedPage(DATA_FILE, data().first))
        add(MORE_FILE, lambda: GeneratedPage(MORE_FILE, data().more))
        add(MODEL_VOCAB_FILE, lambda: GeneratedPage(
            MODEL_VOCAB_FILE, model_vocab_script(MeaningModel.shipped())))
        for shard in model_shard_names():
            add(shard, partial(_model_shard, shard))
        add(VECTORS_FILE, lambda: GeneratedPage(
            VECTORS_FILE, finder_vectors(self.kb, MeaningModel.shipped())))
        add(RISK_VECTORS_FILE, lambda: GeneratedPage(
            RISK_VECTORS_FILE, finder_risk_vectors(self.kb, MeaningModel.shipped())))
        add("editors/index.md", lambda: self._render_page(
            "editors/", "editors.md.j2", today=self.today,
            overdue=overdue_reviews(self.kb, self.today)))
        add("cards.json", lambda: GeneratedPage(
            "cards.json", export_json(self.kb, self.layout, self.today)))
        for file_name in SCHEMA_FILES.values():
            add(f"schema/{file_name}", partial(self._schema_page, file_name))
        self._plan_practice(add)
        return plan

    def _plan_practice(self, add: Callable[[str, Callable[[], GeneratedPage]], None]) -> None:
        """``practice/``, its data, and the two print sheets of each pattern with prompts."""
        items = cache(lambda: practice_items(self.kb))
        patterns = practised_patterns(self.kb, items())
        page_url = self.layout.page_url(PRACTICE_FOLDER)

        def sheet_href(pattern_id: str, sheet: str) -> str:
            return relative_href(page_url, self.layout.page_url(sheet_folder(pattern_id, sheet)))

        add(PRACTICE_FOLDER + "index.md", lambda: self._render_page(
            PRACTICE_FOLDER, "practice.md.j2", patterns=patterns, levels=LEVELS,
            level_names=LEVEL_NAMES, sheet_href=sheet_href))
        add(PRACTICE_DATA_FILE, lambda: GeneratedPage(
            PRACTICE_DATA_FILE, practice_data(self.kb, self.layout, self._plain)))
        for pattern in patterns:
            for sheet in SHEETS:
                add(sheet_folder(pattern.id, sheet) + "index.md",
                    partial(self._practice_sheet, pattern, sheet, items))

    def _practice_sheet(self, pattern: Pattern, sheet: str,
                        items: Callable[[], list[PracticeItem]]) -> GeneratedPage:
        mine = pattern_items(pattern, items())
        levels = [(level, [i for i in mine if i.prompt.level == level]) for level in LEVELS]
        return self._render_page(
            sheet_folder(pattern.id, sheet), "practice_sheet.md.j2", pattern=pattern,
            sheet=sheet, levels=[(level, found) for level, found in levels if found],
            level_names=LEVEL_NAMES, today=self.today, plain=self._plain)

    def _plain(self, markdown: str) -> str:
        return plain_text(markdown, self.kb)

    def practice_href(self, page_url: str, card: Card) -> str:
        return practice_href(self.layout, page_url, card)

    def _meaning_first(self) -> bool:
        """Whether find/?q= waits for the meaning half before its first paint: only while the
        files it needs are small (they grow with the cards: about 1.4 KB a card)."""
        return len(self.kb.visible_cards()) <= MEANING_FIRST_MAX_CARDS

    def _pattern_page(self, pattern: Pattern) -> GeneratedPage:
        page = self._page("pattern", pattern, "pattern.md.j2", pattern=pattern,
                          listed=self.kb.listed_cards(pattern))
        return self._with_draft_banner(page, pattern) if self.kb.is_draft(pattern) else page

    @staticmethod
    def _schema_page(file_name: str) -> GeneratedPage:
        schema = resources.files(__package__).joinpath("schema", file_name)
        return GeneratedPage(f"schema/{file_name}", schema.read_text("utf-8"))

    def _page(self, kind: str, entity: Entity, template: str, **context: Any) -> GeneratedPage:
        return self._render_page(self.layout.folder(kind, entity.id), template, **context)

    def _render_page(self, folder: str, template: str, **context: Any) -> GeneratedPage:
        page_url = self.layout.page_url(folder)
        content = self.env.get_template(template).render(
            **context, kb=self.kb, page_url=page_url,
            href=lambda entity, anchor="": self.href(page_url, entity, anchor),
            content_href=lambda src: relative_href(page_url, self.layout.content_url(src)),
            practice_href=lambda card: self.practice_href(page_url, card),
            html=self.field_html, visible=self._visible)
        return GeneratedPage(folder + "index.md", content)

    def broken_pages(self) -> Iterator[GeneratedPage]:
        """For a live preview: a page at the address of each file with shape problems.

        An author who opens the new card's address should find the problems notice there, not a
        bare "404 - Not found".
        """
        paths = {(kind, _file_id(kind, document.path)): document.path
                 for kind, document in self.kb.invalid_documents}
        for id_, kind in self.kb.invalid_ids.items():
            yield self._render_page(self.layout.folder(kind, id_), "broken.md.j2", id=id_,
                                    kind=kind, path=paths.get((kind, id_)))

    def _with_draft_banner(self, page: GeneratedPage, entity: Entity) -> GeneratedPage:
        """The page with the Draft banner under its title.

        Added here rather than in the page's template so that the template stays about layout;
        a shown draft is a state of the page, like the preview's problems notice.
        """
        banner = self.env.get_template("_draft.html.j2").render(entity=entity)
        title = page.content.find("\n# ")
        end = page.content.find("\n", title + 1) if title >= 0 else -1
        if end < 0:
            return page
        content = page.content[:end + 1] + "\n" + banner.strip() + "\n" + page.content[end + 1:]
        return GeneratedPage(page.src_uri, content)

    def _redirect(self, alias: str, card: Card) -> GeneratedPage:
        folder = self.layout.folder("card", alias)
        target = self.href(self.layout.page_url(folder), card)
        content = self.env.get_template("redirect.html.j2").render(card=card, target=target)
        return GeneratedPage(folder + "index.html", content)

    # -- pieces shared with hand-written pages ----------------------------------------------

    def pattern_list(self, page_url: str) -> Markup:
        """The list of patterns with their summaries, as HTML for the page at ``page_url``."""
        return Markup(self.env.get_template("pattern_list.html.j2").render(
            patterns=self.kb.visible_patterns(),
            href=lambda entity, anchor="": self.href(page_url, entity, anchor)))

    def embed(self, entity: Entity, page_url: str, every_wording: bool = False) -> Markup:
        """A compact summary of a card or pattern, for ``![[id]]`` in a hand-written page;
        ``![[id#wording]]`` (``every_wording``) shows all of a card's wordings, not the first."""
        template = "embed_card.html.j2" if isinstance(entity, Card) else "embed_pattern.html.j2"
        return Markup(self.env.get_template(template).render(
            entity=entity, every_wording=every_wording, visible=self._visible,
            href=lambda e, anchor="": self.href(page_url, e, anchor)))

    def content_page(self, markdown: str, page_url: str, src_uri: str | None = None) -> str:
        """A hand-written page with its links, embeds and pattern list filled in, and, when
        ``src_uri`` names a pinned page whose cards changed in substance, the drift banner."""
        banner = self.drift_banner(markdown, page_url, src_uri) if src_uri in self.pins else ""

        def replace(link: WikiLink) -> str:
            target = self.kb.resolve(link.target)
            if target is None:  # reported by the check; leave the text as written
                return link.raw
            if link.embed:
                return f"\n{self.embed(target, page_url, link.section == 'wording')}\n"
            text = escape_markdown(link.text or target.title)  # HTML and Markdown: text only
            return f'<a class="cardkb-link" href="{self.href(page_url, target)}">{text}</a>'

        markdown = replace_wikilinks(markdown, replace)
        if PATTERN_LIST_MARKER in markdown:
            markdown = self._fill_pattern_lists(markdown, page_url)
        return _under_title(markdown, banner) if banner else markdown

    def drift_banner(self, markdown: str, page_url: str, src_uri: str | None) -> str:
        """The banner of a pinned page with a linked card changed at ``major`` or above: how
        many changed since the review, how many critically, each linked, with its level.
        Editorial and minor changes show none: a banner always there is one nobody reads."""
        pin = self.pins.get(src_uri or "")
        if pin is None:
            return ""
        targets = [link.target for link in find_wikilinks(markdown)]
        drift = page_drift(pin.page, targets, pin, self._drift_sources)
        changed = drift.at_least("major")
        if not changed:
            return ""
        items = [{"link": link, "href": self._drift_href(page_url, link)}
                 for link in sorted(changed, key=lambda link: -rank(link.level))]
        return self.env.get_template("_drift.html.j2").render(
            changed=items, total=len(drift.links), reviewed=pin.reviewed,
            critical=len(drift.at_least("critical"))).strip()

    @cached_property
    def _drift_sources(self) -> KnowledgeBaseSources:
        return KnowledgeBaseSources(self.kb)

    def _drift_href(self, page_url: str, link: LinkDrift) -> str | None:
        """A link to the card or pattern as it is now, where the site has a page for it."""
        if link.found is None or link.found.broken:
            return None
        entity = (self.kb.patterns if link.kind == "pattern" else self.kb.cards).get(link.id)
        return self.href(page_url, entity) if entity and self.kb.is_visible(entity) else None

    def _fill_pattern_lists(self, markdown: str, page_url: str) -> str:
        """Each marker standing on a line of its own, outside code, becomes the pattern list;
        one written inside code (as the Authoring page documents it) stays as written."""
        masked = mask_code(markdown)
        parts, last = [], 0
        for match in _MARKER_LINE.finditer(masked):
            parts += [markdown[last:match.start()], f"\n{self.pattern_list(page_url)}\n"]
            last = match.end()
        parts.append(markdown[last:])
        return "".join(parts)

    def problems_notice(self, problems: list[Problem]) -> Markup:
        """The problems, as a notice at the top of every page of a live preview.

        An author who previews the site in a browser may never look at the terminal, so the
        preview shows what is wrong where they are looking, while a real build still stops.
        """
        if not problems:
            return Markup("")
        return Markup(self.env.get_template("problems_notice.html.j2").render(problems=problems))

    # -- helpers ----------------------------------------------------------------------------

    def href(self, page_url: str, entity: Entity, anchor: str = "") -> str:
        href = relative_href(page_url, self.layout.entity_url(entity))
        return f"{href}#{anchor}" if anchor else href

    def field_html(self, entity: Entity, text: str | None) -> Markup:
        """A Markdown field of ``entity`` as safe HTML, converted once per build."""
        if not text:
            return Markup("")
        key = (id(entity), text)
        if key not in self._html_cache:
            self._html_cache[key] = Markup(self._field_markdown(text))
        return self._html_cache[key]

    def _field_link(self, link: WikiLink) -> tuple[str, str]:
        target = self.kb.resolve(link.target)
        if target is None:
            return "", link.raw
        return _FIELD_LINK_ROOT + self.layout.entity_url(target), target.title

    def _visible(self, entities: list[Any]) -> list[Any]:
        return [e for e in entities if self.kb.is_visible(getattr(e, "target", e))]

    def _sign_groups(self) -> list[tuple[str, list[tuple[str, Pattern]]]]:
        groups: dict[str | None, list[tuple[str, Pattern]]] = {k: [] for k in (*SEEN_IN, None)}
        for pattern in self.kb.visible_patterns():
            for sign in pattern.signs:
                groups[sign.seen_in].append((sign.text, pattern))
        return [(SEEN_IN_HEADINGS[k], sorted(v, key=lambda s: s[0].casefold()))
                for k, v in groups.items() if v]

    def _cues(self) -> list[tuple[Pattern, list[Card]]]:
        """Each pattern's cues under a heading of its own: one list of every card's cue would
        be one search section of hundreds of thousands of characters on a large site (more
        than Zensical's search can index, and one useless hit in any engine's search)."""
        groups: dict[str, list[Card]] = {}
        for card in self.kb.visible_cards():
            if card.status is not Status.RETIRED and card.pattern is not None:
                groups.setdefault(card.pattern.id, []).append(card)
        patterns = sorted((p for p in self.kb.visible_patterns() if p.id in groups),
                          key=lambda p: p.title.casefold())
        return [(p, sorted(groups[p.id], key=lambda c: c.sign.casefold())) for p in patterns]


@cache
def _template_environment() -> jinja2.Environment:
    """The templates, compiled once per process: a live preview renders with a new renderer
    after every save, and compiling them took longer than rendering its pages."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True,
        lstrip_blocks=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
        # Markdown heading ids are written {#id}: keep Jinja's comments out of their way
        comment_start_string="<#", comment_end_string="#>")
    env.filters["md"] = lambda text: Markup(escape_markdown(text))
    env.filters["steps_and_rest"] = steps_and_rest
    env.globals.update(seen_in_headings=SEEN_IN_HEADINGS, Status=Status)
    return env


def steps_and_rest(note: Markup) -> tuple[Markup, Markup]:
    """A safety note as HTML, split after the numbered steps it opens with (the contract of the
    safety format): the steps stay in view, the explanation may fold away on a phone."""
    text = str(note).lstrip()
    end = text.find("</ol>") + len("</ol>") if text.startswith("<ol>") else 0
    return Markup(text[:end]), Markup(text[end:].strip())


_HEADING_1 = re.compile(r"^#[ \t]+\S.*$", re.MULTILINE)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?:.*\n)*?---[ \t]*\n")


def _under_title(markdown: str, block: str) -> str:
    """``block`` under the page's title: after its first level-1 heading outside code, or, for a
    page whose title is in its front matter (the theme shows it above the text), first."""
    heading = _HEADING_1.search(mask_code(markdown))
    front = _FRONT_MATTER.match(markdown)
    at = heading.end() if heading else front.end() if front else 0
    return f"{markdown[:at]}\n\n{block}\n\n{markdown[at:]}"


def _file_id(kind: str, path: str) -> str:
    """The id a file stands for: its folder's name for a pattern, its stem for a card."""
    file = PurePosixPath(path)
    return file.parent.name if kind == "pattern" else file.stem
