"""
The exception hierarchy of ``lapor_core``.

Every refusal raised by the library is a :class:`LaporError`. Each subclass also
subclasses the matching builtin, so callers may catch either (``except ValueError``
keeps working for code that does not know our names).

A message is written in English as a template with named fields and their values,
``PermissionDenied(N_("agency {agency!r} has no decree (SK)"), agency="ppu")``: ``str()``
is the English text, and :meth:`LaporError.translate` gives it in another language
through the gettext catalogs (``lapor_core.i18n``), which is how the command line prints
it. A message without a template is shown as it is in every language.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

__all__ = [
    "CalendarRangeError",
    "ConcurrencyConflict",
    "CorruptStream",
    "InvalidTransition",
    "LaporError",
    "NewerEventSchema",
    "NotFound",
    "PermissionDenied",
    "ProfileError",
    "StorageError",
    "Term",
    "UndecodableEvent",
    "ValidationError",
]


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """
    Mark *message* for the catalogs without translating it now (it is translated later).

    Used for texts defined before a language is known: error templates, the column
    descriptions of a table. ``lapor_core.i18n`` re-exports it.

    .. versionadded:: 0.2.0
    """
    return message


class Term(str):
    """
    A word put into a message as a field, translated with it: ``Term(N_("agency"))``.

    .. versionadded:: 0.2.0
    """

    __slots__ = ()


def fill(template: str, fields: Mapping[str, object]) -> str:
    """
    *template* with its named *fields* (``str.format``), or as it is when there are none.

    .. versionadded:: 0.2.0
    """
    return template.format_map(fields) if fields else template


class LaporError(Exception):
    """
    Base class of every error raised by ``lapor_core``.

    Args:
        *args: The message (an English template when *fields* are given), as for
            :class:`Exception`.
        **fields: The values of the template's named fields.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       A message may be a template with named fields, translated by :meth:`translate`.
    """

    template: str | None
    """The English message before its fields are filled in (``None``: no single message)."""
    fields: Mapping[str, object]
    """The values of the template's fields."""

    def __init__(self, *args: object, **fields: object) -> None:
        """Record the message; with *fields*, the message is filled in from its template."""
        if fields:
            if len(args) != 1 or not isinstance(args[0], str):
                raise TypeError("a message with fields is one template string")
            super().__init__(fill(args[0], fields))
        else:
            super().__init__(*args)
        single = len(args) == 1 and isinstance(args[0], str)
        self.template = args[0] if single and isinstance(args[0], str) else None
        self.fields = fields

    def translate(self, gettext: Callable[[str], str]) -> str:
        """
        The message in the language of *gettext* (``lapor_core.i18n.translator(lang)``).

        A field whose value is itself a :class:`LaporError` (the reason a wrapping error
        gives) or a :class:`Term` is translated too. A message the catalogs do not hold
        (one built without a template), or a translation that does not fit the fields, is
        returned in English, as ``str()`` gives it.

        .. versionadded:: 0.2.0
        """
        if self.template is None:
            return str(self)
        fields = {name: _translated(value, gettext) for name, value in self.fields.items()}
        try:
            return fill(gettext(self.template), fields)
        except (KeyError, IndexError, ValueError):
            return str(self)


def _translated(value: object, gettext: Callable[[str], str]) -> object:
    """A field's value in the language of *gettext*: an error's message, a term's word."""
    if isinstance(value, LaporError):
        return value.translate(gettext)
    if isinstance(value, Term):
        return gettext(value) if value else value  # gettext("") is the catalog's header
    return value


class ValidationError(LaporError, ValueError):
    """
    A value or a command's data is malformed (a naive datetime, an empty title, ...).

    .. versionadded:: 0.1.0
    """


class InvalidTransition(LaporError, ValueError):
    """
    A command is not allowed in the complaint's current status (or under this profile).

    .. versionadded:: 0.1.0
    """


class PermissionDenied(LaporError, PermissionError):
    """
    The actor's role or scope does not allow the command.

    .. versionadded:: 0.1.0
    """


class NotFound(LaporError, LookupError):
    """
    A complaint, agency or other named thing does not exist.

    .. versionadded:: 0.1.0
    """


class ConcurrencyConflict(LaporError, RuntimeError):
    """
    An append was based on a stale version of the complaint's stream.

    .. versionadded:: 0.1.0
    """


class ProfileError(LaporError, ValueError):
    """
    A profile, agency registry or calendar override file is invalid.

    It carries every problem found, each ``dotted.key: message``
    (``durations.forwarding.amount: must be positive, got -3``,
    ``agency[2].colour: unknown key``); ``str()`` is the problems, one per line. An
    error about one thing has its message as its only problem: with *fields*, a
    template (``ProfileError(N_("expected str, got {got}"), key="profile.parent",
    got="int")``), translated by :meth:`translate` after its key.

    Args:
        *problems: The problems, in the order they were found (one template when
            *fields* or *key* are given); a problem may itself be a ``ProfileError`` with
            its key, translated by :meth:`translate` with the others.
        key: The dotted key of the one problem, put before its message.
        **fields: The values of the template's named fields.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 *key* and *fields*: one problem as a template.
    """

    key: str | None
    """The dotted key of a problem given as a template (``None``: none, or no template)."""

    def __init__(
        self, *problems: str | LaporError, key: str | None = None, **fields: object
    ) -> None:
        """Record the problems (the exception's ``args``)."""
        self.key = key
        if key is None and not fields:
            super().__init__(*problems)
            return
        if len(problems) != 1 or not isinstance(problems[0], str):
            raise TypeError("a problem with a key or fields is one template string")
        template = problems[0]
        message = fill(template, fields)
        super().__init__(f"{key}: {message}" if key is not None else message)
        self.template = template
        self.fields = fields

    def translate(self, gettext: Callable[[str], str]) -> str:
        """
        The problem in the language of *gettext*, after its key.

        Several problems are translated one by one, those without a template staying
        in English.

        .. versionadded:: 0.2.0
        """
        if self.template is None:
            return "\n".join(
                problem.translate(gettext) if isinstance(problem, LaporError) else str(problem)
                for problem in self.args
            )
        message = super().translate(gettext)
        if self.key is None or self.template is None or message == str(self):
            return message
        return f"{self.key}: {message}"

    @property
    def problems(self) -> tuple[str, ...]:
        """
        Every problem, each ``dotted.key: message`` where it has a key.

        .. versionadded:: 0.1.0
        """
        return tuple(str(problem) for problem in self.args)

    def __str__(self) -> str:
        """The problems, one per line."""
        return "\n".join(self.problems)


class CalendarRangeError(LaporError, ValueError):
    """
    A date falls outside the years for which the calendar has holiday data.

    .. versionadded:: 0.1.0
    """


class StorageError(LaporError, OSError):
    """
    The storage backend failed (unreachable database, corrupt row, unknown event type).

    .. versionadded:: 0.1.0
    """


class UndecodableEvent(StorageError):
    """
    A stored event cannot be decoded by this code (damaged payload, unknown type, ...).

    Only that complaint is affected: its stream cannot be loaded (so no command is
    decided on it), while every other complaint is served as before. A
    :class:`~lapor_core.service.Subscription` delivers every event before this one.

    Args:
        message: What is wrong with the event (the codec's explanation; an error is
            translated with the message).
        complaint_id: The complaint whose stream holds the event.
        position: The event's global position, when the read knows it.
        version: The event's version in its stream.
        type_name: The stored event type name.
        schema_version: The stored schema version of the event's type.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        message: str | LaporError,
        *,
        complaint_id: str,
        position: int | None,
        version: int | None,
        type_name: str,
        schema_version: object,
    ) -> None:
        """Record where the event is and why it cannot be read."""
        fields: dict[str, object] = {
            "complaint_id": complaint_id,
            "version": version,
            "type_name": type_name,
            "schema_version": schema_version,
            "reason": message,
        }
        if position is None:
            template = N_(
                "complaint {complaint_id}: event {version} ({type_name} v{schema_version}) "
                "cannot be decoded: {reason}"
            )
        else:
            fields["position"] = position
            template = N_(
                "complaint {complaint_id}: event {version} (position {position}, {type_name} "
                "v{schema_version}) cannot be decoded: {reason}"
            )
        super().__init__(template, **fields)
        self.reason = str(message)
        self.complaint_id = complaint_id
        self.position = position
        self.version = version
        self.type_name = type_name
        self.schema_version = schema_version


class NewerEventSchema(UndecodableEvent):
    """
    A stored event was written by a newer ``lapor_core`` (a newer schema version).

    The everyday case during a rolling upgrade. The complaint is refused (nothing is
    written to it) until this process is upgraded; every other complaint is served.

    .. versionadded:: 0.1.0
    """


class CorruptStream(StorageError):
    """
    A complaint's stream is not whole: a version is missing between 1 and its last.

    Args:
        complaint_id: The complaint.
        missing: The first version that is missing.
        found: The version found in its place.

    .. versionadded:: 0.1.0
    """

    def __init__(self, complaint_id: str, missing: int, found: int) -> None:
        """Record the complaint and the missing version."""
        super().__init__(
            N_(
                "complaint {complaint_id}: the stream is corrupt: version {missing} is "
                "missing (the next stored version is {found})"
            ),
            complaint_id=complaint_id,
            missing=missing,
            found=found,
        )
        self.complaint_id = complaint_id
        self.missing = missing
        self.found = found
