"""cardkb: intervention cards for therapists, as a static knowledge base.

The core is engine-agnostic: it loads, validates, links and renders the cards into page
documents and a navigation tree, and never imports MkDocs. One module, ``mkdocs_plugin``, is the
MkDocs plugin that hands those pages to MkDocs; ``cardkb render`` writes them out for any other
engine, so the cards can outlive any one site engine.
"""

__version__ = "0.1.0"
