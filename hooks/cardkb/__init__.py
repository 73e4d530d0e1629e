"""cardkb: intervention cards for therapists, as a static knowledge base.

The package is engine-agnostic: it loads, validates, links and renders the cards into page
documents, and never imports MkDocs. A thin adapter (``hooks/mkdocs_hooks.py``) hands those pages
to MkDocs, so the cards can outlive any one site engine.
"""

__version__ = "0.1.0"
