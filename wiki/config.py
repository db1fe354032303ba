"""Settings: defaults, then ``instance/config.toml``, then ``TICKETWIKI_*`` variables.

The instance folder is ``./instance`` unless ``TICKETWIKI_INSTANCE`` (or the command
line's ``--instance``) names another.  A value given to ``load_settings`` directly wins
over all of these; tests use that.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

ENV_PREFIX = "TICKETWIKI_"


class ConfigError(ValueError):
    """A setting has a value of the wrong kind."""


@dataclass
class Settings:
    instance_path: Path
    database_url: str = ""
    secret_key: str = ""
    site_name: str = "ticketwiki"
    smtp_url: str = ""
    mail_from: str = "ticketwiki@localhost"
    base_url: str = "http://127.0.0.1:5000"
    search_path: str = ""
    default_language: str = "en"
    time_zone: str = "UTC"
    testing: bool = False
    #: Extra settings that plugins read (``[plugins.NAME]`` tables of config.toml).
    plugins: dict[str, Any] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def disabled_plugins(self) -> frozenset[str]:
        """``[plugins] disabled = ["billing", ...]``: plugins switched off whatever admins switch."""
        return _plugin_names(self.plugins.get("disabled", []))


def _plugin_names(names: Any) -> frozenset[str]:
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ConfigError(f'setting plugins.disabled must be a list of plugin names such as ["billing"], not {names!r}')
    return frozenset(names)


def _coerce(name: str, value: Any, kind: Any) -> Any:
    if kind in (bool, "bool"):
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("1", "true", "yes", "on"):
            return True
        if str(value).lower() in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"setting {name} must be true or false, not {value!r}")
    if kind in (Path, "Path"):
        return Path(value)
    if kind in (dict, "dict[str, Any]"):
        if not isinstance(value, dict):
            raise ConfigError(f"setting {name} must be a table")
        return value
    return str(value)


def _secret_key(instance: Path) -> str:
    """A per-instance random key, made once and kept in the instance folder."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_settings(instance: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Settings:
    overrides = dict(overrides or {})
    instance = overrides.pop("instance_path", None) or instance or os.environ.get(f"{ENV_PREFIX}INSTANCE") or "instance"
    instance_path = Path(instance).resolve()
    values: dict[str, Any] = {}
    config_file = instance_path / "config.toml"
    if config_file.exists():
        with open(config_file, "rb") as fh:
            values.update(tomllib.load(fh))
    known = {f.name: f.type for f in fields(Settings) if f.name != "instance_path"}
    for name in known:
        env = os.environ.get(f"{ENV_PREFIX}{name.upper()}")
        if env is not None:
            values[name] = env
    values.update(overrides)
    unknown = set(values) - set(known)
    if unknown:
        raise ConfigError(f"unknown settings: {', '.join(sorted(unknown))}")
    settings = Settings(instance_path=instance_path, **{k: _coerce(k, v, known[k]) for k, v in values.items()})
    _plugin_names(settings.plugins.get("disabled", []))  # a wrong list stops here, not when a site is built
    if not settings.database_url:
        settings.database_url = f"sqlite:///{instance_path / 'ticketwiki.sqlite'}"
    if not settings.search_path:
        settings.search_path = str(instance_path / "search")
    if not settings.secret_key:
        settings.secret_key = _secret_key(instance_path)
    return settings
