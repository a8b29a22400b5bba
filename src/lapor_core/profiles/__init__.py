"""
Bundled profiles and agency registries, and loading them from files.

This is the I/O edge of profiles: :class:`~lapor_core.domain.profile.Profile` parses
text; these helpers read it from the package or from a path.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.profile import Profile
from lapor_core.errors import NotFound

__all__ = ["bundled_profiles", "load_profile", "load_registry"]


def _bundled(name: str) -> str | None:
    resource = resources.files(__name__).joinpath(name)
    return resource.read_text(encoding="utf-8") if resource.is_file() else None


def bundled_profiles() -> tuple[str, ...]:
    """
    Names of the profiles shipped with the library (``national``, ...).

    .. versionadded:: 0.1.0
    """
    names = (
        p.name.removesuffix(".toml")
        for p in resources.files(__name__).iterdir()
        if p.name.endswith(".toml") and not p.name.endswith("_agencies.toml")
    )
    return tuple(sorted(names))


def load_profile(name_or_path: str | Path = "national") -> Profile:
    """
    Load a bundled profile by name, or a profile file by path.

    Raises:
        NotFound: No such bundled profile or file.
        ProfileError: The profile is invalid.

    .. versionadded:: 0.1.0
    """
    text = _read(name_or_path, ".toml", "profile")
    return Profile.from_toml(text)


def load_registry(name_or_path: str | Path = "kaltim") -> AgencyRegistry:
    """
    Load a bundled agency registry (``kaltim``) by name, or a registry file by path.

    Raises:
        NotFound: No such bundled registry or file.
        ProfileError: The registry file is invalid.

    .. versionadded:: 0.1.0
    """
    text = _read(name_or_path, "_agencies.toml", "agency registry")
    return AgencyRegistry.from_toml(text)


def _read(name_or_path: str | Path, suffix: str, what: str) -> str:
    if isinstance(name_or_path, str) and "/" not in name_or_path and "." not in name_or_path:
        text = _bundled(name_or_path + suffix)
        if text is None:
            raise NotFound(f"no bundled {what} named {name_or_path!r}")
        return text
    path = Path(name_or_path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"{what} file {str(path)!r} does not exist") from None
