"""Internal: attrs validators that raise our ValidationError (never a bare builtin)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from lapor_core.errors import N_, Term, ValidationError

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def instance_of(*types: type) -> Validator:
    """Refuse a value that is not an instance of *types* (``bool`` is no ``int`` here)."""
    names = " or ".join(t.__name__ for t in types)
    allow_bool = bool in types

    def check(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, types) or (isinstance(value, bool) and not allow_bool):
            raise ValidationError(
                N_("{attr_name} must be {names}, got {type_name} {value!r}"),
                attr_name=attr.name,
                names=names,
                type_name=type(value).__name__,
                value=value,
            )

    return check


def optional_instance_of(*types: type) -> Validator:
    """Like :func:`instance_of`, but ``None`` is allowed."""
    inner = instance_of(*types)

    def check(inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            inner(inst, attr, value)

    return check


# --------------------------------------------------------------------------- text rules
#
# One set of rules for every text and id field of the values, commands and actors, so
# that what the domain accepts every store can hold (PostgreSQL's jsonb refuses NUL and
# lone surrogates; SQLite's UTF-8 cannot encode a lone surrogate) and what one store
# accepts, every store accepts. docs/storage.md ("Text rules") lists them.

ID_MAX_LENGTH = 128
"""Longest actor id or clock name."""

AGENCY_ID_MAX_LENGTH = 64
"""Longest agency id (the agency registry's own limit)."""

SHORT_ID_MAX_LENGTH = 64
"""Longest reporter id or regional-app id."""

KEY_MAX_LENGTH = 200
"""Longest idempotency key."""

TAG_MAX_LENGTH = 64
"""Longest tag."""

CHANNEL_NAME_MAX_LENGTH = 80
"""Longest channel name (a regional app's name)."""

NAME_MAX_LENGTH = 200
"""Longest reporter name or contact."""

TITLE_MAX_LENGTH = 300
"""Longest title (*judul*)."""

LOCATION_MAX_LENGTH = 500
"""Longest free-text location."""

NOTE_MAX_LENGTH = 5_000
"""Longest question, reason, note or comment."""

BODY_MAX_LENGTH = 20_000
"""Longest body, follow-up, reply or information provided."""

# Free text keeps line breaks (LF, and the CR of a web form's CRLF) and tabs; single-line
# text (ids, codes, tags) keeps no control character and no Unicode line separator.
# Both refuse lone surrogates (U+D800-U+DFFF), which are not text.
_FREE_TEXT_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SINGLE_LINE_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def check_text(value: object, what: str, *, max_length: int, single_line: bool) -> str:
    """
    Return *value* if it is acceptable text for a field; raise otherwise.

    Args:
        value: The value to check.
        what: The field, for the message (an ``N_``-marked word, or the field's name).
        max_length: The most characters (code points) allowed.
        single_line: No newline or tab either (ids, codes, tags).

    Raises:
        ValidationError: Not a string, blank, too long, or with a character the rules
            refuse (NUL, another control character, a lone surrogate).
    """
    what = Term(what)  # a word of the message (``title``: ``judul``), translated with it
    if not isinstance(value, str):
        raise ValidationError(
            N_("{what} must be a string, got {type_name} {value!r}"),
            what=what,
            type_name=type(value).__name__,
            value=value,
        )
    if len(value) > max_length:
        raise ValidationError(
            N_("{what} is {count} characters long; the limit is {max_length}"),
            what=what,
            count=len(value),
            max_length=max_length,
        )
    refused = (_SINGLE_LINE_REFUSED if single_line else _FREE_TEXT_REFUSED).search(value)
    if refused is not None:
        char, at = refused.group(), refused.start()
        if char == "\x00":
            raise ValidationError(
                N_("{what} contains a NUL character (at position {at})"), what=what, at=at
            )
        if "\ud800" <= char <= "\udfff":
            raise ValidationError(
                N_(
                    "{what} contains a lone surrogate U+{ord:04X} (at position {at}), which "
                    "is not valid Unicode text"
                ),
                what=what,
                ord=ord(char),
                at=at,
            )
        rule = Term(
            N_("a single line, without line breaks or tabs") if single_line else N_("free text")
        )
        raise ValidationError(
            N_(
                "{what} contains the control character U+{ord:04X} (at position {at}); "
                "{what} is {rule}"
            ),
            what=what,
            ord=ord(char),
            at=at,
            rule=rule,
        )
    if not value.strip():
        raise ValidationError(
            N_("{what} must be a non-empty string, got {value!r}"), what=what, value=value
        )
    return value


def text(max_length: int, what: str | None = None, *, single_line: bool = False) -> Validator:
    """
    An attrs validator for a required text field (see :func:`check_text`).

    Args:
        max_length: The most characters allowed.
        what: The field, for messages (default: the attribute's name).
        single_line: Ids, codes and tags: no newline or tab either.
    """

    def check(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        check_text(value, what or attr.name, max_length=max_length, single_line=single_line)

    return check


def optional_text(
    max_length: int, what: str | None = None, *, single_line: bool = False
) -> Validator:
    """Like :func:`text`, but ``None`` is allowed."""
    inner = text(max_length, what, single_line=single_line)

    def check(inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            inner(inst, attr, value)

    return check


def identifier(max_length: int, what: str | None = None) -> Validator:
    """An attrs validator for a required id, code or tag: single-line text."""
    return text(max_length, what, single_line=True)


def optional_identifier(max_length: int, what: str | None = None) -> Validator:
    """Like :func:`identifier`, but ``None`` is allowed."""
    return optional_text(max_length, what, single_line=True)


def text_tuple(what: str) -> Callable[[object], tuple[Any, ...]]:
    """
    An attrs converter to a tuple that refuses a bare string (``"abc"`` is not three items).

    The items are checked by the field's validator.
    """
    what = Term(what)

    def convert(value: object) -> tuple[Any, ...]:
        if isinstance(value, str | bytes):
            raise ValidationError(
                N_("{what} must be a sequence of strings, not the bare {type_name} {value!r}"),
                what=what,
                type_name=type(value).__name__,
                value=value,
            )
        if not isinstance(value, Iterable):
            raise ValidationError(
                N_("{what} must be a sequence of strings, got {type_name} {value!r}"),
                what=what,
                type_name=type(value).__name__,
                value=value,
            )
        return tuple(value)

    return convert


def optional_text_tuple(what: str) -> Callable[[object], tuple[Any, ...] | None]:
    """Like :func:`text_tuple`, but ``None`` stays ``None``."""
    inner = text_tuple(what)

    def convert(value: object) -> tuple[Any, ...] | None:
        return None if value is None else inner(value)

    return convert
