"""
What `lapor_core.domain._validators` answers and refuses, word for word (its mutation run).

The value objects, commands and actors build their validators once, when their classes
are defined (at import, before mutmut switches a mutant on), so the factories are
called afresh here: each validator's acceptance (the length limit included, ``None``
for the optional ones, line breaks in free text) and each refusal of ``check_text``,
``instance_of`` and the tuple converters, checked whole (type, message, fields, the
field's name as a translatable :class:`Term`), so that every change
``bench/mutation.py _validators`` makes fails a test here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest

from helpers import refused
from lapor_core import ValidationError
from lapor_core.domain._validators import (
    Validator,
    check_text,
    identifier,
    instance_of,
    optional_identifier,
    optional_instance_of,
    optional_text,
    optional_text_tuple,
    text,
    text_tuple,
)
from lapor_core.errors import Term


@attrs.define
class _Holder:
    field: object


FIELD: attrs.Attribute[Any] = attrs.fields(_Holder).field
"""An attribute named ``field``: the name a validator uses when it is given none."""


def _kept(check: Validator, value: object) -> object:
    """What an attrs class validated by *check* keeps of *value* (the check raises to refuse)."""
    probe = attrs.make_class("Probe", {"field": attrs.field(validator=check)})
    return probe(value).field


def _refusal(check: Validator, value: object) -> ValidationError:
    error = refused(lambda: check(_Holder(None), FIELD, value))
    assert type(error) is ValidationError
    return error


def _message(check: Validator, value: object) -> str:
    return str(_refusal(check, value))


# -------------------------------------------------------------------------- instance_of


def test_instance_of_accepts_its_type() -> None:
    assert _kept(instance_of(int), 3) == 3
    assert _kept(instance_of(bool), True) is True


def test_instance_of_refuses_another_type_word_for_word() -> None:
    error = _refusal(instance_of(int), "3")
    assert str(error) == "field must be int, got str '3'"
    assert error.template == "{attr_name} must be {names}, got {type_name} {value!r}"
    assert dict(error.fields) == {
        "attr_name": "field",
        "names": "int",
        "type_name": "str",
        "value": "3",
    }


def test_instance_of_refuses_a_bool_for_an_int_word_for_word() -> None:
    error = _refusal(instance_of(int), True)
    assert str(error) == "field must be int, got bool True"
    assert dict(error.fields) == {
        "attr_name": "field",
        "names": "int",
        "type_name": "bool",
        "value": True,
    }


def test_instance_of_several_types_names_them_all_and_accepts_a_bool_when_named() -> None:
    check = instance_of(int, bool)
    assert _kept(check, 3) == 3
    assert _kept(check, False) is False
    assert _message(check, None) == "field must be int or bool, got NoneType None"


def test_optional_instance_of_accepts_none_and_its_type() -> None:
    check = optional_instance_of(int)
    assert _kept(check, None) is None
    assert _kept(check, 0) == 0


def test_optional_instance_of_refuses_another_type_word_for_word() -> None:
    error = _refusal(optional_instance_of(int, float), "1.5")
    assert str(error) == "field must be int or float, got str '1.5'"
    assert dict(error.fields) == {
        "attr_name": "field",
        "names": "int or float",
        "type_name": "str",
        "value": "1.5",
    }


# --------------------------------------------------------------------------- check_text


def _text(value: object, *, single_line: bool = False) -> str:
    return check_text(value, "title", max_length=5, single_line=single_line)


def _text_refusal(value: object, *, single_line: bool = False) -> ValidationError:
    error = refused(lambda: _text(value, single_line=single_line))
    assert type(error) is ValidationError
    assert type(error.fields["what"]) is Term
    return error


@pytest.mark.parametrize("value", ["a", "abcde", " a ", "a\nb\tc", "a\r\nb"])
def test_check_text_returns_acceptable_free_text_as_it_is(value: str) -> None:
    assert _text(value) is value


def test_check_text_returns_an_acceptable_single_line_as_it_is() -> None:
    assert _text("ab-c", single_line=True) == "ab-c"


def test_check_text_refuses_what_is_not_a_string_word_for_word() -> None:
    error = _text_refusal(12)
    assert str(error) == "title must be a string, got int 12"
    assert dict(error.fields) == {"what": "title", "type_name": "int", "value": 12}


def test_check_text_refuses_too_long_a_text_word_for_word() -> None:
    error = _text_refusal("abcdef")
    assert str(error) == "title is 6 characters long; the limit is 5"
    assert dict(error.fields) == {"what": "title", "count": 6, "max_length": 5}


def test_check_text_refuses_a_nul_word_for_word() -> None:
    error = _text_refusal("ab\x00")
    assert str(error) == "title contains a NUL character (at position 2)"
    assert dict(error.fields) == {"what": "title", "at": 2}


def test_check_text_refuses_a_lone_surrogate_word_for_word() -> None:
    error = _text_refusal("a\udc80")
    assert str(error) == (
        "title contains a lone surrogate U+DC80 (at position 1), which is not valid Unicode text"
    )
    assert dict(error.fields) == {"what": "title", "ord": 0xDC80, "at": 1}


def test_check_text_refuses_a_control_character_in_free_text_word_for_word() -> None:
    error = _text_refusal("ab\x1b")
    assert str(error) == (
        "title contains the control character U+001B (at position 2); title is free text"
    )
    rule = error.fields["rule"]
    assert type(rule) is Term
    assert dict(error.fields) == {"what": "title", "ord": 0x1B, "at": 2, "rule": "free text"}


def test_check_text_refuses_a_line_break_in_a_single_line_word_for_word() -> None:
    error = _text_refusal("a\nb", single_line=True)
    assert str(error) == (
        "title contains the control character U+000A (at position 1); "
        "title is a single line, without line breaks or tabs"
    )
    assert type(error.fields["rule"]) is Term
    assert dict(error.fields) == {
        "what": "title",
        "ord": 0x0A,
        "at": 1,
        "rule": "a single line, without line breaks or tabs",
    }


def test_check_text_refuses_blank_text_word_for_word() -> None:
    error = _text_refusal(" \n ")
    assert str(error) == "title must be a non-empty string, got ' \\n '"
    assert dict(error.fields) == {"what": "title", "value": " \n "}


# ----------------------------------------------------------------- text and identifier


def test_text_names_the_attribute_when_given_no_name_and_keeps_its_limit() -> None:
    check = text(3)
    assert _kept(check, "abc") == "abc"
    assert _message(check, "abcd") == "field is 4 characters long; the limit is 3"


def test_text_uses_the_name_given() -> None:
    assert _message(text(3, "judul"), "abcd") == "judul is 4 characters long; the limit is 3"


def test_text_is_free_text_unless_told_single_line() -> None:
    assert _kept(text(5), "a\nb") == "a\nb"
    assert _message(text(5, single_line=True), "a\nb") == (
        "field contains the control character U+000A (at position 1); "
        "field is a single line, without line breaks or tabs"
    )


def test_text_refuses_what_is_not_a_string() -> None:
    assert _message(text(5), None) == "field must be a string, got NoneType None"


def test_optional_text_accepts_none_and_free_text_within_its_limit() -> None:
    check = optional_text(3)
    assert _kept(check, None) is None
    assert _kept(check, "a\nb") == "a\nb"
    assert _message(check, "abcd") == "field is 4 characters long; the limit is 3"


def test_optional_text_uses_the_name_given_and_single_line() -> None:
    check = optional_text(5, "catatan", single_line=True)
    assert _message(check, "a\tb") == (
        "catatan contains the control character U+0009 (at position 1); "
        "catatan is a single line, without line breaks or tabs"
    )
    assert _message(check, "abcdef") == "catatan is 6 characters long; the limit is 5"


@pytest.mark.parametrize(
    "factory", [identifier, optional_identifier], ids=["identifier", "optional_identifier"]
)
def test_an_identifier_is_one_line_within_its_limit(factory: Callable[..., Validator]) -> None:
    assert _kept(factory(3, "kode"), "a-c") == "a-c"
    assert _message(factory(3, "kode"), "abcd") == "kode is 4 characters long; the limit is 3"
    assert _message(factory(3, "kode"), "a\tb") == (
        "kode contains the control character U+0009 (at position 1); "
        "kode is a single line, without line breaks or tabs"
    )
    assert _message(factory(3), "abcd") == "field is 4 characters long; the limit is 3"


def test_an_identifier_is_required_and_an_optional_one_is_not() -> None:
    assert _kept(optional_identifier(3), None) is None
    assert _message(identifier(3), None) == "field must be a string, got NoneType None"


# ----------------------------------------------------------------------- tuple converters


def test_text_tuple_makes_a_tuple_of_any_iterable() -> None:
    convert = text_tuple("agencies")
    assert convert(["a", "b"]) == ("a", "b")
    assert convert(iter(("c",))) == ("c",)
    assert convert(()) == ()


@pytest.mark.parametrize(("value", "type_name"), [("ab", "str"), (b"ab", "bytes")])
def test_text_tuple_refuses_a_bare_string_word_for_word(value: object, type_name: str) -> None:
    error = refused(lambda: text_tuple("agencies")(value))
    assert type(error) is ValidationError
    assert str(error) == (
        f"agencies must be a sequence of strings, not the bare {type_name} {value!r}"
    )
    assert dict(error.fields) == {"what": "agencies", "type_name": type_name, "value": value}
    assert type(error.fields["what"]) is Term


def test_text_tuple_refuses_what_is_not_iterable_word_for_word() -> None:
    error = refused(lambda: text_tuple("agencies")(7))
    assert type(error) is ValidationError
    assert str(error) == "agencies must be a sequence of strings, got int 7"
    assert error.template == "{what} must be a sequence of strings, got {type_name} {value!r}"
    assert dict(error.fields) == {"what": "agencies", "type_name": "int", "value": 7}
    assert type(error.fields["what"]) is Term


def test_optional_text_tuple_keeps_none_and_makes_a_tuple_otherwise() -> None:
    convert = optional_text_tuple("tags")
    assert convert(None) is None
    assert convert(["x", "y"]) == ("x", "y")


def test_optional_text_tuple_refuses_a_bare_string_naming_its_field() -> None:
    error = refused(lambda: optional_text_tuple("tags")("x"))
    assert type(error) is ValidationError
    assert str(error) == "tags must be a sequence of strings, not the bare str 'x'"
