"""``make bench``: cardkb against the best plain Material for MkDocs setup, on the same content.

Why this exists: a training institute holds thousands of cards, and plain Material gets slow and
large when its navigation grows. cardkb must cost no more than the best plain Material setup on
the same content and must grow linearly; its reader must find a pattern sooner than Material's
search finds it; and an author's save must show in the live preview in a small share of a build.
This generates synthetic knowledge bases (deterministic, valid against the card contract) and,
for each size, in one run:

1. builds three sites from the one knowledge base (sites.py): cardkb with its plugin; plain
   Material, which builds the pages cardkb's own core renders ahead of the build (as
   ``cardkb render`` writes them), with every pattern and card in its navigation and Material's
   search instead of the finder; and the floor, the same rendered output with cardkb's navigation,
   built by Material alone. Since every side builds the very same pages, the comparison measures
   the engine around them, not two renderers: against plain Material, what cardkb's bounded
   navigation and its finder save over Material's full navigation and search; against the floor,
   what the cardkb plugin costs beyond MkDocs and Material (loading, checking, linking and
   rendering the cards inside the build);
2. times each build and ``cardkb check`` (measure.py);
3. opens the cardkb and plain Material sites cold in headless Chromium (browser.py);
4. times the live preview: a card saved, until its page shows the change, against the full build
   (preview.py);
5. at the largest size, runs Lighthouse on a phone on the starter site and the cardkb site, each
   behind the real nginx configuration, medians of three runs (lighthouse.py);
6. prints the tables for the README with PASS/FAIL per target (report.py).

It is a report, not a test: it exits 0 even when a target fails. generate.py writes the cards.

    make bench                                   # 1,000 and 3,000 cards, each build twice
    .venv/bin/python tools/bench --sizes 1000 --repeat 1 --keep /tmp/kb --profile
    .venv/bin/python tools/bench --sizes 1000 --preview-command cardkb
    .venv/bin/python tools/bench --sizes 3000 --repeat 1 --no-browser --no-preview  # Lighthouse
"""
