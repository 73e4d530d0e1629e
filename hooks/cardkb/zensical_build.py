"""``make build-zensical``: the same site from the same mkdocs.yml, built by Zensical.

Zensical runs no MkDocs plugins, so cardkb does its part ahead of the build: the same check as
``mkdocs build`` (stopping on the same ``path:line:col: message`` lines, with nothing built), the
same pages and navigation through the engine seam (:mod:`cardkb.engine_files`), and a Zensical
configuration derived from mkdocs.yml. Zensical builds only inside its own project folder, so the
pages, that configuration and the staged site live in ``.cardkb-zensical/``; the staged site
replaces ``site/`` only when the build succeeded. As under MkDocs, the finder is the one search
(Zensical's own is switched off), and with mkdocs.yml's offline plugin on (``OFFLINE=true``) the
copy links to files and works opened from disk. This is the only module that knows Zensical,
and it never imports MkDocs.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from .engine_files import OutputRefusedError, RenderedSite, render_site, write_site
from .mkdocs_config import SiteConfig, default_config_file, read_config_mapping, site_config
from .navigation import config_nav
from .problems import Location, Problems
from .site_files import OVERRIDES_DIR, is_retired, site_assets
from .staging import StagedSite
from .theme import REQUIRED_EXTENSIONS, VERDICT_STATUS, refuse_analytics
from .urls import UrlLayout

#: Zensical's project folder beside mkdocs.yml: the rendered pages, the configuration, its cache
#: and the staged site.
WORK_FOLDER = ".cardkb-zensical"
CONFIG_FILE = "zensical.yml"
#: Outside files Zensical's own script names, loaded only for what cardkb pages never hold
#: (Mermaid diagrams, runnable Python, code editors, image lightboxes). Excluded by their exact
#: addresses, so a Zensical upgrade that changes one fails the strict build until someone looks.
BUNDLE_OUTSIDE_FILES = (
    "unpkg.com/mermaid@12/dist/mermaid.min.js",
    "unpkg.com/pyodide@314.0.2/pyodide.js",
    "unpkg.com/ace-builds@1.44.0/src-noconflict/ace.js",
    "unpkg.com/glightbox@3/dist/js/glightbox.min.js",
    "unpkg.com/glightbox@3/dist/css/glightbox.min.css",
)
#: mkdocs.yml keys Zensical gets from cardkb instead (or must not get: MkDocs' own hooks, plugins
#: and watch list)
_REPLACED_KEYS = ("docs_dir", "site_dir", "nav", "plugins", "hooks", "watch", "INHERIT")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cardkb.zensical_build",
                                     description="Check the cards and build the site with "
                                                 "Zensical into the site folder.")
    parser.add_argument("-f", "--config-file", type=Path,
                        help="the site's configuration (default: properdocs.yml if there is "
                             "one, else mkdocs.yml)")
    args = parser.parse_args(argv)
    return build(args.config_file or default_config_file())


def build(config_file: Path) -> int:
    """Check, render and build; 0 when the site was replaced, 1 when the last one was kept."""
    problems = Problems()
    raw = read_config_mapping(config_file, problems)
    site = None if raw is None else site_config(config_file, raw, problems)
    if site is not None and raw is not None and offline_copy(raw.get("plugins")):
        site = dataclasses.replace(site, directory_urls=False)
    if raw is not None:
        refuse_analytics(raw.get("extra"), Location(config_file.name), problems)
    rendered = None
    if site is not None and not problems.errors:
        rendered = render_site(site, UrlLayout(site.directory_urls), problems)
    for problem in problems.sorted():
        print(problem)
    if site is None or raw is None or rendered is None or problems.errors:
        errors = len(problems.errors)
        print(f"cardkb: {errors} problem{'s' * (errors != 1)} in the cards or their links; "
              "nothing was built and the last site is unchanged")
        return 1
    work = site.root / WORK_FOLDER
    try:
        write_site(rendered, site, work)
    except OutputRefusedError as error:
        print(f"cardkb: {error}")
        return 1
    _merge_overrides(raw, site.root, work / "overrides")
    config = zensical_config(raw, site, rendered)
    (work / CONFIG_FILE).write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
                                    "utf-8")
    staged = StagedSite(site.root / site.site_dir, staging_dir=work / "site")
    staged.begin()
    try:
        _run_zensical(work / CONFIG_FILE)
    except Exception as error:  # Zensical reports a failed build as an exception of its own
        staged.abandon()
        print(f"zensical: {error}")
        print("cardkb: the build failed, so the last good site was left as it was")
        return 1
    staged.commit()
    print(f"cardkb: built the site with Zensical into {site.site_dir}/")
    return 0


def zensical_config(raw: dict[str, Any], site: SiteConfig, rendered: RenderedSite
                    ) -> dict[str, Any]:
    """mkdocs.yml as Zensical should read it, relative to the work folder: cardkb's pages and
    navigation, classic look, strict, the privacy plugin on, and cardkb's files in every page."""
    config = {key: value for key, value in raw.items() if key not in _REPLACED_KEYS}
    config |= {"docs_dir": "docs", "site_dir": "site", "strict": True,
               "use_directory_urls": site.directory_urls}
    theme = raw.get("theme")
    theme = {"name": theme} if isinstance(theme, str) else dict(theme or {})
    # Zensical's default "modern" look is not the one the site's styles were written for.
    theme.setdefault("variant", "classic")
    theme["custom_dir"] = "overrides"
    config["theme"] = theme
    # One search, the finder (the header's box hands its words to find/), as under MkDocs: no
    # index of Zensical's own and no second box. Its offline plugin is not used either: all it
    # does besides file links (use_directory_urls, set above) is load a shim for that search's
    # worker from unpkg.com.
    config["plugins"] = [{"privacy": _privacy(raw.get("plugins"))},
                         {"search": {"enabled": False}}]
    extensions = list(raw.get("markdown_extensions") or [])
    named = {next(iter(e)) if isinstance(e, dict) else e for e in extensions}
    config["markdown_extensions"] = extensions + [e for e in REQUIRED_EXTENSIONS
                                                  if e not in named]
    docs = site.root / site.docs_dir
    styles = [str(s) for s in raw.get("extra_css") or [] if not is_retired(str(s), docs)]
    scripts = [s for s in raw.get("extra_javascript") or []
               if not is_retired(str(s.get("path") if isinstance(s, dict) else s), docs)]
    listed = {str(s.get("path") if isinstance(s, dict) else s) for s in scripts}
    config["extra_css"] = styles + [a.src_uri for a in site_assets()
                                    if a.page_style and a.src_uri not in styles]
    config["extra_javascript"] = scripts + [a.src_uri for a in site_assets()
                                            if a.page_script and a.src_uri not in listed]
    extra = dict(raw.get("extra") or {})
    extra["cardkb"] = {**(extra.get("cardkb") or {}), "disclaimer": site.settings.disclaimer}
    extra["status"] = {**VERDICT_STATUS, **(extra.get("status") or {})}
    config["extra"] = extra
    config["nav"] = config_nav(rendered.navigation)
    return config


def offline_copy(plugins: Any) -> bool:
    """mkdocs.yml's offline plugin is on (``OFFLINE=true`` with the shipped configuration): a
    copy that works opened from disk, every link naming its file."""
    for entry in plugins or []:
        if entry == "offline":
            return True
        if isinstance(entry, dict) and "offline" in entry:
            settings = entry["offline"]
            return not isinstance(settings, dict) or settings.get("enabled", True) is True
    return False


def _privacy(plugins: Any) -> dict[str, Any]:
    """The privacy plugin's settings from mkdocs.yml, always on and never fetching, with the
    outside files of Zensical's own script excluded."""
    settings: dict[str, Any] = {}
    for entry in plugins or []:
        if isinstance(entry, dict) and isinstance(entry.get("privacy"), dict):
            settings = dict(entry["privacy"])
    excluded = [str(a) for a in settings.get("assets_exclude") or []]
    return settings | {"enabled": True, "assets_fetch": False, "assets_exclude": excluded + [
        a for a in BUNDLE_OUTSIDE_FILES if a not in excluded]}


#: cardkb's copy of Material for MkDocs' base.html (its markup fixed for the Nu Html Checker):
#: Zensical ships a base.html of its own, which this copy of Material's would replace.
MATERIAL_ONLY_OVERRIDE = OVERRIDES_DIR / "base.html"


def _leave_out_material_only(folder: str, names: list[str]) -> list[str]:
    """``shutil.copytree``'s filter: cardkb's Material-only template, found in its own folder or
    through a ``custom_dir`` that is that folder (this repository's mkdocs.yml)."""
    material_only = MATERIAL_ONLY_OVERRIDE.resolve()
    return [name for name in names if (Path(folder) / name).resolve() == material_only]


def _merge_overrides(raw: dict[str, Any], root: Path, target: Path) -> None:
    """One theme folder for Zensical (it takes one): cardkb's overrides, then the site's own
    ``custom_dir`` on top, so the site's files still win."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(OVERRIDES_DIR, target, ignore=_leave_out_material_only)
    theme = raw.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    if custom and (root / str(custom)).is_dir():
        shutil.copytree(root / str(custom), target, dirs_exist_ok=True,
                        ignore=_leave_out_material_only)


def _run_zensical(config: Path) -> None:
    """One strict Zensical build, in this process (its work is done in native code)."""
    import zensical

    zensical.build(str(config.resolve()), {"clean": False, "strict": True})


if __name__ == "__main__":
    sys.exit(main())
