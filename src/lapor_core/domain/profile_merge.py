"""
Extending a profile: the deep merge of a child over its parent, and where values came from.

A profile may extend another (``[profile] parent = "national"``) and state only what
differs. :func:`merge_profile_data` deep-merges the child's mapping over the parent's
resolved mapping; :func:`value_origins` says which profile set each leaf, and
:func:`leaves` and :func:`toml_value` write the resolved mapping back out, as
:meth:`Profile.describe() <lapor_core.domain.profile.Profile.describe>` prints it.

Pure: plain mappings in and out.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Final

__all__ = ["BASIS_NOT_GIVEN", "leaves", "merge_profile_data", "toml_value", "value_origins"]

BASIS_NOT_GIVEN: Final = "local choice, basis not given"
"""
The start of the basis a rule gets when a child changes its value but cites no basis.

The parent's basis spoke of the parent's value, so it cannot stand for the child's: the
merged rule says ``local choice, basis not given (changed: amount; the parent's basis:
...)`` with confidence ``L``, and :func:`~lapor_core.domain.check.check` warns about it.

.. versionadded:: 0.2.0
"""
_NOT_VALUES: Final = ("basis", "confidence", "valid_from", "valid_until")
"""Keys that say where a rule comes from and when it holds, not what it is."""

_NOT_INHERITED: Final = ("name", "description", "parent")


def merge_profile_data(
    parent: Mapping[str, object], child: Mapping[str, object]
) -> dict[str, object]:
    """
    Deep-merge a child profile's mapping over its parent's (resolved) mapping.

    Tables merge key by key, the child winning; lists and scalars replace the parent's
    value whole (a child's ``local`` names or ``[[calendar.override]]`` list replaces the
    parent's). A rule (a table with a ``basis``) whose value the child changes without
    citing a basis of its own is marked :data:`BASIS_NOT_GIVEN`, confidence ``L``: a
    parent's confirmed source never vouches for a number it does not state. The parent's
    ``profile.name``, ``profile.description`` and ``profile.parent`` are not inherited: a
    child names and describes itself. Neither input is changed.

    .. versionadded:: 0.1.0
    """
    base = _copy_tables(parent)
    head = base.get("profile")
    if isinstance(head, dict):
        for key in _NOT_INHERITED:
            head.pop(key, None)
    merged = _merge(base, child)
    _mark_unsourced(parent, child, merged)
    return merged


def _sourced_apart(value: object) -> bool:
    """A table, or a list of tables (``history``), which cites its own basis."""
    if isinstance(value, Mapping):
        return True
    return isinstance(value, list) and any(isinstance(item, Mapping) for item in value)


def _mark_unsourced(
    parent: Mapping[str, object], child: Mapping[str, object], merged: dict[str, object]
) -> None:
    """Mark the rules of *merged* whose value *child* changed without a basis of its own."""
    for key, value in child.items():
        was, into = parent.get(key), merged.get(key)
        if not (isinstance(value, Mapping) and isinstance(was, Mapping) and isinstance(into, dict)):
            continue
        if "basis" in was and "basis" not in value:
            changed = [
                k
                for k, v in value.items()
                if k not in _NOT_VALUES and not _sourced_apart(v) and was.get(k) != v
            ]
            if changed:
                into["basis"] = (
                    f"{BASIS_NOT_GIVEN} (changed: {', '.join(changed)}; the parent's basis: "
                    f"{was['basis']})"
                )
                into["confidence"] = "L"
        _mark_unsourced(was, value, into)


def _copy_tables(value: Mapping[str, object]) -> dict[str, object]:
    return {k: _copy_tables(v) if isinstance(v, Mapping) else v for k, v in value.items()}


def _merge(base: dict[str, object], over: Mapping[str, object]) -> dict[str, object]:
    for key, value in over.items():
        current = base.get(key)
        if isinstance(value, Mapping) and isinstance(current, dict):
            base[key] = _merge(current, value)
        elif isinstance(value, Mapping):
            base[key] = _copy_tables(value)
        else:
            base[key] = value
    return base


def leaves(data: Mapping[str, object], prefix: str = "") -> Iterator[tuple[str, object]]:
    """
    Every leaf of a nested mapping as ``(dotted key, value)``, in the mapping's order.

    A list (``calendar.override``) and an empty table are leaves.

    .. versionadded:: 0.1.0
    """
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            yield from leaves(value, path)
        else:
            yield path, value


def value_origins(
    merged: Mapping[str, object],
    own: Mapping[str, object],
    name: str,
    inherited: Mapping[str, str],
) -> dict[str, str]:
    """
    Leaf key -> origin: *name* where *own* sets the leaf, else the parent's origin.

    Args:
        merged: The resolved mapping.
        own: What the profile itself states.
        name: The profile's name.
        inherited: The parent's origins (empty for a profile without a parent).

    .. versionadded:: 0.1.0
    """
    mine = {key for key, _ in leaves(own)}
    return {
        key: name if key in mine or key not in inherited else inherited[key]
        for key, _ in leaves(merged)
    }


def toml_value(value: object) -> str:
    """
    A value written the TOML way (``true``, ``"text"``, ``2026-01-09``, ``[1, 2]``).

    .. versionadded:: 0.1.0
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        inner = ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return str(value)
