"""The repository's ``mkdocs.yml``, read and written again for each generated project.

Every side of the benchmark uses the repository's own configuration (theme, plugins, extensions),
whatever a colleague has added to it; only what a side is about changes.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Tagged:
    """A YAML value with a tag a safe loader refuses (``!!python/name:``, ``!ENV``): kept as is."""

    tag: str
    value: Any


class ConfigLoader(yaml.SafeLoader):
    """A safe loader that keeps unknown tags (:class:`Tagged`) instead of refusing them."""


class ConfigDumper(yaml.SafeDumper):
    """Writes :class:`Tagged` values back with their tags, and text over lines as blocks."""


def _construct_tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Tagged:
    if isinstance(node, yaml.ScalarNode):
        return Tagged(node.tag, loader.construct_scalar(node))
    if isinstance(node, yaml.SequenceNode):
        return Tagged(node.tag, loader.construct_sequence(node, deep=True))
    assert isinstance(node, yaml.MappingNode)
    return Tagged(node.tag, loader.construct_mapping(node, deep=True))


def _represent_tagged(dumper: yaml.SafeDumper, data: Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


ConfigLoader.add_multi_constructor("!", _construct_tagged)
ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _construct_tagged)
ConfigDumper.add_representer(Tagged, _represent_tagged)
ConfigDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.dump(data, Dumper=ConfigDumper, sort_keys=False, allow_unicode=True,
                              width=100), "utf-8")


def load_yaml(path: Path) -> Any:
    return yaml.load(path.read_text("utf-8"), Loader=ConfigLoader)  # a SafeLoader subclass


def repo_config() -> dict[str, Any]:
    """The repository's mkdocs.yml, whatever plugins and extensions a colleague has added."""
    config = load_yaml(REPO / "mkdocs.yml")
    assert isinstance(config, dict)
    return config


def plugin_names(plugins: list[Any]) -> list[str]:
    return [str(next(iter(p))) if isinstance(p, dict) else str(p) for p in plugins]


def site_config(base: dict[str, Any], docs_dir: str, *, nav: list[Any],
                cardkb: bool) -> dict[str, Any]:
    """The repository's configuration for a generated project: same theme, plugins, extensions.

    The theme's ``custom_dir`` becomes absolute; ``watch`` keeps only what the project has
    itself (the cardkb plugin watches ``cards/`` on its own); without ``cardkb`` the plugin goes
    and nothing else.
    """
    config = {k: v for k, v in base.items() if k not in ("hooks", "watch", "nav")}
    config.update(docs_dir=docs_dir, site_dir="site", strict=True, nav=nav)
    theme = config.get("theme")
    if isinstance(theme, dict) and isinstance(theme.get("custom_dir"), str):
        config["theme"] = {**theme, "custom_dir": str(REPO / theme["custom_dir"])}
    if cardkb and base.get("hooks"):
        config["hooks"] = [str(REPO / hook) for hook in base["hooks"]]
    if not cardkb:
        plugins = config.get("plugins") or []
        config["plugins"] = [p for p, name in zip(plugins, plugin_names(plugins), strict=True)
                             if name != "cardkb"]
    return config


def with_material_search(plugins: list[Any]) -> list[Any]:
    """The plugins with Material's ``search`` on: what a plain Material site searches with (cardkb
    has its own finder instead, find/)."""
    return plugins if "search" in plugin_names(plugins) else ["search", *plugins]


def copy_static_content(docs: Path, base: dict[str, Any]) -> None:
    """The repository's stylesheets, scripts and images (not its pages) into a docs folder."""
    source = REPO / str(base.get("docs_dir", "docs"))
    for file in source.rglob("*"):
        if file.is_file() and file.suffix != ".md":
            target = docs / file.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)
