"""
Bundled profiles and agency registries, and loading them from files.

This is the I/O edge of profiles: :class:`~lapor_core.domain.profile.Profile` parses
text; these helpers read it from the package or from a path.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import os
import tomllib
from importlib import resources
from pathlib import Path

from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.profile import Profile
from lapor_core.domain.regions import RegionList
from lapor_core.errors import N_, NotFound, ProfileError, Term, ValidationError

__all__ = ["bundled_profiles", "load_profile", "load_regions", "load_registry"]


_REGIONS_FILE = "regions.toml"
"""The shipped list of Kemendagri province, regency and city codes."""


def _bundled(name: str) -> str | None:
    resource = resources.files(__name__).joinpath(name)
    return resource.read_text(encoding="utf-8") if resource.is_file() else None


def _bundled_names(suffix: str) -> tuple[str, ...]:
    """The bundled names of one kind: profiles (``.toml``) or registries (``_agencies.toml``)."""
    if suffix == ".toml":
        return bundled_profiles()
    return tuple(
        sorted(
            p.name.removesuffix(suffix)
            for p in resources.files(__name__).iterdir()
            if p.name.endswith(suffix)
        )
    )


def bundled_profiles() -> tuple[str, ...]:
    """
    Names of the profiles shipped with the library (``national``, ...).

    .. versionadded:: 0.1.0
    """
    names = (
        p.name.removesuffix(".toml")
        for p in resources.files(__name__).iterdir()
        if p.name.endswith(".toml")
        and not p.name.endswith("_agencies.toml")
        and p.name != _REGIONS_FILE
    )
    return tuple(sorted(names))


def load_profile(name_or_path: str | Path = "national") -> Profile:
    """
    Load a bundled profile by name, or a profile file by path, resolving its parents.

    A profile that says ``[profile] parent = "national"`` is merged over its parent
    (see :meth:`~lapor_core.domain.profile.Profile.from_mapping`), which is loaded
    first, and so on up the chain. A parent is a bundled profile name, or a path
    (containing ``/`` or ending in ``.toml``) relative to the child's file.

    Raises:
        NotFound: No such bundled profile or file.
        ValidationError: *name_or_path* is neither text nor a path (``None``, say).
        ProfileError: The profile (or a parent) is invalid, its parent does not exist,
            or the parents form a cycle.

    .. versionadded:: 0.1.0
    """
    return _load_profile(name_or_path, ())


def _profile_source(name_or_path: str | Path, base: Path | None) -> tuple[str, str, Path | None]:
    """``(identity, text, directory)`` of a profile given by bundled name or by path."""
    if _is_name(name_or_path):
        if str(name_or_path).endswith("_agencies"):
            # kaltim_agencies.toml is the registry that goes with kaltim.toml.
            raise NotFound(
                N_("no bundled profile named {name!r} (that is a registry)"), name=name_or_path
            )
        if f"{name_or_path}.toml" == _REGIONS_FILE:
            raise NotFound(
                N_("no bundled profile named {name!r} (that is the region list)"),
                name=name_or_path,
            )
    return _source(name_or_path, base, ".toml", N_("profile"))


def _source(
    name_or_path: str | Path, base: Path | None, suffix: str, what: str
) -> tuple[str, str, Path | None]:
    """
    ``(identity, text, directory)`` of a file given by bundled name or by path.

    A relative path is taken from *base* (the directory of the file naming it as its
    parent); *directory* is where the file's own relative parents are taken from.

    Raises:
        ValidationError: *name_or_path* is neither text nor a path (``None``, say).
    """
    if not isinstance(name_or_path, str | os.PathLike):
        raise ValidationError(
            N_("expected the name or the path of the {what}, got {got}"),
            what=Term(what),
            got=type(name_or_path).__name__,
        )
    if _is_name(name_or_path):
        return f"bundled:{name_or_path}", _read(name_or_path, suffix, what), None
    path = Path(name_or_path)
    if base is not None and not path.is_absolute():
        path = base / path
    text = _read(path, suffix, what)
    return f"file:{path.resolve()}", text, path.parent


def _refuse_a_cycle(identity: str, chain: tuple[str, ...], key: str) -> None:
    """Raise ``ProfileError`` when *identity* is already one of the parents in *chain*."""
    if identity in chain:
        cycle = " -> ".join(i.partition(":")[2] for i in (*chain, identity))
        raise ProfileError(N_("the parents form a cycle: {cycle}"), key=key, cycle=cycle)


def _load_profile(
    name_or_path: str | Path, chain: tuple[str, ...], base: Path | None = None
) -> Profile:
    identity, text, directory = _profile_source(name_or_path, base)
    _refuse_a_cycle(identity, chain, "profile.parent")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(N_("profile is not valid TOML: {reason}"), reason=str(exc)) from exc
    head = data.get("profile")
    declared = head.get("parent") if isinstance(head, dict) else None
    if declared is None or declared == "":
        return Profile.from_mapping(data)
    if not isinstance(declared, str):
        raise ProfileError(
            N_("expected str, got {got}"), key="profile.parent", got=type(declared).__name__
        )
    try:
        parent = _load_profile(declared, (*chain, identity), directory)
    except NotFound as exc:
        # Nothing to translate but the reason: the template is not in the catalogs.
        raise ProfileError("{reason}", key="profile.parent", reason=exc) from exc
    if _is_name(declared) and parent.name != declared:
        raise ProfileError(
            N_("the bundled profile {declared!r} is named {name!r}"),
            key="profile.parent",
            declared=declared,
            name=parent.name,
        )
    # A parent given by path is matched by the name it declares.
    data["profile"]["parent"] = parent.name
    return Profile.from_mapping(data, parent=parent)


def load_registry(name_or_path: str | Path = "kaltim") -> AgencyRegistry:
    """
    Load a bundled agency registry (``kaltim``) by name, or a registry file by path.

    A file may extend another registry (``[registry] parent = "kaltim"``, a bundled name
    or a path relative to the file) and add its own agencies under the parent's: a
    regency's offices under ``berau``, say. The registry is held to the shipped list of
    Kemendagri region codes (:func:`load_regions`; see
    :func:`~lapor_core.domain.agencies.region_problems`).

    Raises:
        NotFound: No such bundled registry or file.
        ValidationError: *name_or_path* is neither text nor a path (``None``, say).
        ProfileError: The registry file (or a parent) is invalid, its parent does not
            exist, the parents form a cycle, or its region codes contradict the tree or
            the shipped list (``agency[3].region: ...``).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 ``[registry] parent``.
    """
    return _load_registry(name_or_path, (), None)


def _load_registry(
    name_or_path: str | Path, chain: tuple[str, ...], base: Path | None
) -> AgencyRegistry:
    identity, text, directory = _source(name_or_path, base, "_agencies.toml", N_("agency registry"))
    _refuse_a_cycle(identity, chain, "registry.parent")
    try:
        head = tomllib.loads(text).get("registry")
    except tomllib.TOMLDecodeError:
        head = None  # from_toml reports it
    declared = head.get("parent") if isinstance(head, dict) else None
    if not isinstance(declared, str) or declared == "":
        return AgencyRegistry.from_toml(text, load_regions())
    try:
        parent = _load_registry(declared, (*chain, identity), directory)
    except NotFound as exc:
        raise ProfileError("{reason}", key="registry.parent", reason=exc) from exc
    return AgencyRegistry.from_toml(text, load_regions(), parent=parent)


def load_regions() -> RegionList:
    """
    The shipped list of Kemendagri province, regency and city codes (``regions.toml``).

    It covers the regions the bundled profiles and registries use; its header cites the
    Kemendagri decree it is taken from.

    .. versionadded:: 0.1.0
    """
    text = _bundled(_REGIONS_FILE)
    if text is None:  # pragma: no cover - shipped with the package
        raise NotFound(N_("the bundled region list {name!r} is missing"), name=_REGIONS_FILE)
    return RegionList.from_toml(text)


def _is_name(name_or_path: str | Path) -> bool:
    """A bundled name (``kaltim``) rather than a path (``./kaltim.toml``)."""
    return isinstance(name_or_path, str) and "/" not in name_or_path and "." not in name_or_path


def _read(name_or_path: str | Path, suffix: str, kind: str) -> str:
    what = Term(kind)
    if _is_name(name_or_path):
        assert isinstance(name_or_path, str)  # noqa: S101 - _is_name checked it
        text = _bundled(name_or_path + suffix)
        if text is None:
            choices = ", ".join(_bundled_names(suffix)) or Term(N_("none"))
            raise NotFound(
                N_(
                    "no bundled {what} named {name!r} (bundled: {choices}; "
                    "or give the path of a .toml file)"
                ),
                what=what,
                name=name_or_path,
                choices=choices,
            )
        return text
    path = Path(name_or_path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(
            N_("{what} file {path!r} does not exist"), what=what, path=str(path)
        ) from None
    except UnicodeDecodeError as exc:
        raise ProfileError(
            N_("{what} file {path!r} is not UTF-8 text: {reason}"),
            what=what,
            path=str(path),
            reason=exc.reason,
        ) from None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ProfileError(
            N_("cannot read {what} file {path!r}: {reason}"),
            what=what,
            path=str(path),
            reason=reason,
        ) from None
