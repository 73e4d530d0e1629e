"""Read the few settings the ``cardkb`` command needs from mkdocs.yml, without importing MkDocs.

mkdocs.yml may carry tags such as ``!!python/name:`` that a safe loader refuses; they are read as
nothing here, since only ``docs_dir``, ``extra: cardkb:`` and (for ``cardkb render``) ``nav`` and
``use_directory_urls`` matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml_env_tag import construct_env_tag

from .config import Settings
from .problems import Location, Problems


class _TolerantLoader(yaml.SafeLoader):
    """A safe loader that reads unknown tags as None instead of failing."""


# `!ENV [NAME, default]` as MkDocs reads it (pyyaml-env-tag comes with MkDocs and ProperDocs):
# `enabled: !ENV [OFFLINE, false]` must mean the same to cardkb's own builds.
_TolerantLoader.add_constructor("!ENV", construct_env_tag)
_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_TolerantLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/",
                                      lambda loader, suffix, node: None)


#: the configuration files an engine looks for, in its order: ProperDocs' own name first
CONFIG_FILES = ("properdocs.yml", "mkdocs.yml")


def default_config_file(folder: Path = Path()) -> Path:
    """``properdocs.yml`` where a site has one, else ``mkdocs.yml`` (as ProperDocs looks)."""
    for name in CONFIG_FILES:
        if (folder / name).is_file():
            return folder / name
    return folder / CONFIG_FILES[-1]


@dataclass(frozen=True)
class SiteConfig:
    root: Path
    docs_dir: str
    settings: Settings
    #: the configured navigation, in mkdocs.yml's shape; None when there is none
    nav: list[Any] | None = None
    directory_urls: bool = True
    site_dir: str = "site"


def read_site_config(config_file: Path, problems: Problems) -> SiteConfig | None:
    raw = read_config_mapping(config_file, problems)
    return None if raw is None else site_config(config_file, raw, problems)


def read_config_mapping(config_file: Path, problems: Problems) -> dict[str, Any] | None:
    """mkdocs.yml as plain data, tags it cannot read as None; None (and a problem) when the
    file cannot be read or parsed."""
    where = Location(config_file.name)
    try:
        raw: Any = yaml.load(config_file.read_text("utf-8"), Loader=_TolerantLoader)
    except OSError:
        problems.error(where, f"cannot read {config_file}: run cardkb in the folder of mkdocs.yml, "
                       "or name the file with -f")
        return None
    except yaml.YAMLError as error:
        problems.error(where, f"mkdocs.yml does not parse: {error}")
        return None
    return raw if isinstance(raw, dict) else {}


def site_config(config_file: Path, raw: dict[str, Any], problems: Problems) -> SiteConfig:
    """The settings cardkb reads from a configuration already loaded."""
    extra = raw.get("extra")
    extra = extra if isinstance(extra, dict) else {}
    settings = Settings.from_mapping(extra.get("cardkb"), problems, Location(config_file.name))
    nav = raw.get("nav") if isinstance(raw.get("nav"), list) else None
    return SiteConfig(config_file.resolve().parent, str(raw.get("docs_dir", "docs")), settings,
                      nav, raw.get("use_directory_urls") is not False,
                      str(raw.get("site_dir", "site")))
