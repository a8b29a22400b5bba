"""
What ``lapor_core.domain._config`` reads, answers and refuses, word for word.

The profile, registry and calendar tests read real files; these pin the converter itself
on small config classes of their own, so that mutation testing of
``lapor_core.domain._config`` (``bench/mutation.py _config``) finds a test for each change:
a whole table read into its class (nested tables, arrays of tables, tables keyed by name,
enums, fixed pairs), each TOML type refused word for word with its fields, every problem
of one file reported at once under its dotted key (templates as ``ProfileError``, other
messages as text), the notes left on the chained cattrs errors, and each rule
(``positive``, ``not_blank``, ``no_blank``, ``one_of``, ``each``, ``check``) and
``ConfigValueError`` on their own.

The package's converter is made once, at import, and it keeps every hook it builds: a
mutant of the code that builds hooks would never run. So every test here reads through
a converter made afresh (the fixture below puts one in place of the module's), and each
rule tested on its own is made inside its test (the config classes below make theirs at
import: they serve the reading only). A class whose annotations must still be text when it
is first read is made inside its test too.
"""

from __future__ import annotations

import enum
import pickle
from collections.abc import Iterator, Mapping
from datetime import date
from types import MappingProxyType

import attrs
import pytest
from cattrs.errors import AttributeValidationNote, BaseValidationError

from helpers import refused
from lapor_core.domain import _config as config_module
from lapor_core.domain._config import (
    ConfigValueError,
    check,
    choices_message,
    each,
    no_blank,
    not_blank,
    one_of,
    positive,
    problems_of,
    structure,
)
from lapor_core.errors import N_, ProfileError, Term, ValidationError


@pytest.fixture(autouse=True)
def fresh_converter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read through a converter made now, so that its hooks are built under the test."""
    # The private factory is the only way to build the converter's hooks again. (The
    # module is not imported as ``_config``: attrs' generated methods use that global.)
    monkeypatch.setattr(config_module, "_CONVERTER", config_module._make_converter())


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Size(enum.Enum):
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


def _even(value: int) -> str | None:
    """A rule whose message is plain text (no template)."""
    return None if value % 2 == 0 else f"must be even, got {value}"


def _no_thirteen(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    """A validator of attrs' own kind: a plain ValueError, no LaporError."""
    if value == 13:
        raise ValueError(f"{attribute.name} may not be 13")


@attrs.frozen
class Leaf:
    amount: int = attrs.field(validator=check(positive))
    count: int = attrs.field(default=2, validator=check(_even))
    label: str = "leaf"
    on: bool = True
    lucky: int = attrs.field(default=7, validator=_no_thirteen)
    note: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(check(not_blank(N_("blank note"))))
    )


def _no_leaves() -> Mapping[str, Leaf]:
    return MappingProxyType({})


@attrs.frozen
class Config:
    name: str = attrs.field(validator=check(not_blank(N_("a name must say something"))))
    colour: Colour = Colour.RED
    size: Size = Size.SMALL
    tags: tuple[str, ...] = attrs.field(default=(), validator=check(no_blank(N_("blank tag"))))
    leaves: tuple[Leaf, ...] = ()
    durations: Mapping[str, Leaf] = attrs.field(factory=_no_leaves)
    pair: tuple[str, int] = ("a", 1)
    leaf: Leaf = Leaf(amount=1)
    day: date = date(2025, 1, 1)


@attrs.frozen
class Ordered:
    """A class that refuses in its own ``__init__``, after every field was read."""

    low: int
    high: int

    def __attrs_post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError(f"low {self.low} is above high {self.high}")


def _problem(problem: object) -> tuple[str, str, str | None, dict[str, object]]:
    """A problem of a ProfileError: its class, text, key and fields."""
    if isinstance(problem, ProfileError):
        return ("ProfileError", str(problem), problem.key, dict(problem.fields))
    return (type(problem).__name__, str(problem), None, {})


def _problems(error: BaseException) -> list[tuple[str, str, str | None, dict[str, object]]]:
    assert type(error) is ProfileError
    return [_problem(problem) for problem in error.args]


def _read_refused(data: object, cls: type[object], root: str = "") -> ProfileError:
    error = refused(lambda: structure(data, cls, root))
    assert type(error) is ProfileError
    return error


FULL: dict[str, object] = {
    "name": "national",
    "colour": "blue",
    "size": "large",
    "tags": ["a", "b"],
    "leaves": [{"amount": 1}, {"amount": 2, "count": 4, "label": "two", "on": False}],
    "durations": {"forwarding": {"amount": 5}, "reply": {"amount": 3, "lucky": 8}},
    "pair": ["z", 9],
    "leaf": {"amount": 4, "label": "solo", "note": "a note"},
    "day": date(2025, 12, 24),
}


# --------------------------------------------------------------------------- what is read


def test_a_whole_file_is_read_into_its_config_class() -> None:
    config = structure(FULL, Config)
    assert config == Config(
        name="national",
        colour=Colour.BLUE,
        size=Size.LARGE,
        tags=("a", "b"),
        leaves=(Leaf(amount=1), Leaf(amount=2, count=4, label="two", on=False)),
        durations=MappingProxyType(
            {"forwarding": Leaf(amount=5), "reply": Leaf(amount=3, lucky=8)}
        ),
        pair=("z", 9),
        leaf=Leaf(amount=4, label="solo", note="a note"),
        day=date(2025, 12, 24),
    )
    assert type(config.tags) is tuple
    assert type(config.leaves) is tuple
    assert type(config.durations) is MappingProxyType
    assert list(config.durations) == ["forwarding", "reply"]


def test_defaults_fill_what_the_file_leaves_out() -> None:
    assert structure({"name": "n"}, Config) == Config(name="n")


def test_an_array_of_tables_is_read_as_a_tuple_of_classes() -> None:
    leaves = structure([{"amount": 1}, {"amount": 3, "on": False}], tuple[Leaf, ...])
    assert leaves == (Leaf(amount=1), Leaf(amount=3, on=False))


def test_an_empty_array_and_an_empty_table_are_read_empty() -> None:
    config = structure({"name": "n", "tags": [], "leaves": [], "durations": {}}, Config)
    assert config.tags == ()
    assert config.leaves == ()
    assert dict(config.durations) == {}


def test_a_fixed_pair_keeps_each_of_its_types() -> None:
    assert structure({"name": "n", "pair": ["x", 2]}, Config).pair == ("x", 2)
    error = _read_refused({"name": "n", "pair": [1, "x"]}, Config)
    assert _problems(error) == [
        (
            "ProfileError",
            "pair[0]: expected str, got int",
            "pair[0]",
            {"kind": "str", "got": "int"},
        ),
        (
            "ProfileError",
            "pair[1]: expected int, got str",
            "pair[1]",
            {"kind": "int", "got": "str"},
        ),
    ]


def test_a_class_read_for_the_first_time_has_its_annotations_resolved() -> None:
    @attrs.frozen
    class Fresh:
        amount: int = attrs.field(validator=check(positive))
        leaves: tuple[Leaf, ...] = ()

    # The annotations are still text (this module postpones them) until the first read.
    assert str(attrs.fields(Fresh).amount.type) == "int"
    assert structure({"amount": 2, "leaves": [{"amount": 1}]}, Fresh) == Fresh(2, (Leaf(1),))
    error = _read_refused({"amount": "2"}, Fresh)
    assert _problems(error) == [
        ("ProfileError", "amount: expected int, got str", "amount", {"kind": "int", "got": "str"})
    ]


def test_a_table_of_optional_values_reads_each_with_its_type() -> None:
    assert structure({"a": "x", "b": "y"}, dict[str, str | None]) == {"a": "x", "b": "y"}


def test_a_type_without_a_hook_of_its_own_is_left_to_cattrs() -> None:
    # No enum, array, table or class: a bare list is read by cattrs' own hook.
    assert structure(["a", 1], list) == ["a", 1]


@pytest.mark.parametrize(
    ("value", "kind"),
    [("text", str), ("", str), (0, int), (-5, int), (True, bool), (False, bool)],
)
def test_a_toml_scalar_of_the_wanted_type_is_kept_as_it_is(
    value: object, kind: type[object]
) -> None:
    result = structure(value, kind)
    assert result == value
    assert type(result) is kind


@pytest.mark.parametrize("member", list(Colour))
def test_an_enum_is_read_from_its_value(member: Colour) -> None:
    assert structure(member.value, Colour) is member


# --------------------------------------------------------------------------- types refused


@pytest.mark.parametrize(
    ("data", "key", "kind", "got"),
    [
        ({"name": 3}, "name", "str", "int"),
        ({"name": True}, "name", "str", "bool"),
        ({"name": "n", "leaf": {"amount": "3"}}, "leaf.amount", "int", "str"),
        ({"name": "n", "leaf": {"amount": True}}, "leaf.amount", "int", "bool"),
        ({"name": "n", "leaf": {"amount": 2.0}}, "leaf.amount", "int", "float"),
        ({"name": "n", "leaf": {"amount": 1, "on": 1}}, "leaf.on", "bool", "int"),
        ({"name": "n", "leaf": {"amount": 1, "on": "true"}}, "leaf.on", "bool", "str"),
        ({"name": "n", "tags": ["a", 2]}, "tags[1]", "str", "int"),
    ],
)
def test_a_value_of_another_toml_type_is_refused_word_for_word(
    data: dict[str, object], key: str, kind: str, got: str
) -> None:
    error = _read_refused(data, Config)
    assert _problems(error) == [
        ("ProfileError", f"{key}: expected {kind}, got {got}", key, {"kind": kind, "got": got})
    ]
    assert error.args[0].template == "expected {kind}, got {got}"


def test_a_scalar_of_another_type_at_the_root_has_no_key() -> None:
    error = _read_refused("3", int)
    assert _problems(error) == [
        ("ProfileError", "expected int, got str", None, {"kind": "int", "got": "str"})
    ]


@pytest.mark.parametrize(
    ("data", "message", "got"),
    [
        ({"name": "n", "tags": "ab"}, "tags: expected an array, got str", "str"),
        ({"name": "n", "tags": {"a": "b"}}, "tags: expected an array, got dict", "dict"),
        (
            {"name": "n", "leaves": {"amount": 1}},
            "leaves: expected an array of tables, got dict",
            "dict",
        ),
        ({"name": "n", "leaves": "x"}, "leaves: expected an array of tables, got str", "str"),
    ],
)
def test_an_array_must_be_a_toml_array(data: dict[str, object], message: str, got: str) -> None:
    error = _read_refused(data, Config)
    key = message.partition(":")[0]
    assert _problems(error) == [("ProfileError", message, key, {"got": got})]


@pytest.mark.parametrize(
    ("data", "message", "got"),
    [
        (
            {"name": "n", "durations": [{"amount": 1}]},
            "durations: expected a table, got list",
            "list",
        ),
        ({"name": "n", "durations": "x"}, "durations: expected a table, got str", "str"),
        ({"name": "n", "leaf": [{"amount": 1}]}, "leaf: expected a table, got list", "list"),
        ({"name": "n", "leaf": 4}, "leaf: expected a table, got int", "int"),
    ],
)
def test_a_table_must_be_a_toml_table(data: dict[str, object], message: str, got: str) -> None:
    error = _read_refused(data, Config)
    key = message.partition(":")[0]
    assert _problems(error) == [("ProfileError", message, key, {"got": got})]
    assert error.args[0].template == "expected a table, got {got}"


def test_a_root_that_is_no_table_is_refused_without_a_key() -> None:
    error = _read_refused(["name"], Config)
    assert _problems(error) == [
        ("ProfileError", "expected a table, got list", None, {"got": "list"})
    ]


def test_a_table_of_tables_that_is_no_table_is_refused_at_the_root() -> None:
    error = _read_refused("x", Mapping[str, Leaf])
    assert _problems(error) == [("ProfileError", "expected a table, got str", None, {"got": "str"})]


def test_an_array_of_tables_that_is_no_array_is_refused_at_the_root() -> None:
    error = _read_refused({"amount": 1}, tuple[Leaf, ...])
    assert _problems(error) == [
        ("ProfileError", "expected an array of tables, got dict", None, {"got": "dict"})
    ]


def test_an_enum_of_two_values_names_both() -> None:
    error = _read_refused({"name": "n", "colour": "green"}, Config)
    assert _problems(error) == [
        (
            "ProfileError",
            "colour: expected 'red' or 'blue', got 'green'",
            "colour",
            {"first": "red", "second": "blue", "value": "green"},
        )
    ]


def test_an_enum_value_of_another_type_is_refused() -> None:
    error = _read_refused({"name": "n", "colour": 1}, Config)
    assert _problems(error) == [
        (
            "ProfileError",
            "colour: expected 'red' or 'blue', got 1",
            "colour",
            {"first": "red", "second": "blue", "value": 1},
        )
    ]


def test_an_enum_of_three_values_lists_them() -> None:
    error = _read_refused({"name": "n", "size": "huge"}, Config)
    assert _problems(error) == [
        (
            "ProfileError",
            "size: 'huge' is not one of small, medium, large",
            "size",
            {"value": "huge", "choices": "small, medium, large"},
        )
    ]


# --------------------------------------------------------------------------- every problem


def test_every_problem_of_a_file_is_reported_at_once_under_its_key() -> None:
    data = {
        "name": " ",
        "colour": "blue",
        "tags": ["a", " "],
        "leaves": [{"amount": 1}, {"amount": -1, "count": 3}],
        "durations": {"forwarding": {"amount": 0}, "reply": {"amount": 1, "lucky": 13}},
        "leaf": {"amount": 2, "colour": "red", "shade": 1},
        "extra": True,
    }
    error = _read_refused(data, Config)
    assert _problems(error) == [
        ("ProfileError", "name: a name must say something", "name", {}),
        ("ProfileError", "tags: blank tag", "tags", {}),
        (
            "ProfileError",
            "leaves[1].amount: must be positive, got -1",
            "leaves[1].amount",
            {"value": -1},
        ),
        ("str", "leaves[1].count: must be even, got 3", None, {}),
        (
            "ProfileError",
            "durations.forwarding.amount: must be positive, got 0",
            "durations.forwarding.amount",
            {"value": 0},
        ),
        ("str", "durations.reply.lucky: lucky may not be 13", None, {}),
        ("ProfileError", "leaf.colour: unknown key", "leaf.colour", {}),
        ("ProfileError", "leaf.shade: unknown key", "leaf.shade", {}),
        ("ProfileError", "extra: unknown key", "extra", {}),
    ]
    assert error.problems == tuple(text for _, text, _, _ in _problems(error))


def test_a_missing_key_is_reported_under_its_key() -> None:
    error = _read_refused({"name": "n", "leaf": {}}, Config)
    assert _problems(error) == [("ProfileError", "leaf.amount: missing key", "leaf.amount", {})]


def test_the_root_goes_before_every_key() -> None:
    error = _read_refused({"leaf": {"amount": 0}}, Config, root="calendar.override")
    assert _problems(error) == [
        ("ProfileError", "calendar.override.name: missing key", "calendar.override.name", {}),
        (
            "ProfileError",
            "calendar.override.leaf.amount: must be positive, got 0",
            "calendar.override.leaf.amount",
            {"value": 0},
        ),
    ]


def test_a_table_key_is_written_as_the_file_has_it() -> None:
    data = {
        "name": "n",
        "durations": {
            "Xmas": {"amount": 0},
            "a @ b": {"amount": -2},
            ".x": {"amount": 1, "count": 1},
        },
    }
    error = _read_refused(data, Config)
    assert error.problems == (
        "durations.Xmas.amount: must be positive, got 0",
        "durations.a @ b.amount: must be positive, got -2",
        "durations..x.count: must be even, got 1",
    )


def test_a_key_at_the_root_is_written_whole() -> None:
    error = _read_refused(
        {"Xmas": {"amount": 0}, "x.y": {"amount": 1, "count": 1}}, Mapping[str, Leaf]
    )
    assert error.problems == (
        "Xmas.amount: must be positive, got 0",
        "x.y.count: must be even, got 1",
    )


def test_a_problem_the_class_itself_raises_is_text_at_the_tables_key() -> None:
    error = _read_refused({"low": 3, "high": 1}, Ordered)
    assert _problems(error) == [("str", "low 3 is above high 1", None, {})]
    error = _read_refused([{"low": 1, "high": 2}, {"low": 5, "high": 4}], tuple[Ordered, ...])
    assert _problems(error) == [("str", "[1]: low 5 is above high 4", None, {})]


def test_problems_of_a_failed_read_have_no_root_by_default() -> None:
    error = _read_refused({"name": "n", "leaf": {"amount": 0, "count": 1}}, Config)
    cause = error.__cause__
    assert isinstance(cause, BaseValidationError)
    problems = problems_of(cause)
    assert [_problem(problem) for problem in problems] == [
        ("ProfileError", "leaf.amount: must be positive, got 0", "leaf.amount", {"value": 0}),
        ("str", "leaf.count: must be even, got 1", None, {}),
    ]
    assert [str(problem) for problem in problems_of(cause, "top")] == [
        "top.leaf.amount: must be positive, got 0",
        "top.leaf.count: must be even, got 1",
    ]


def _notes(error: BaseException) -> Iterator[tuple[str, str, object]]:
    """Every attribute note on *error* and the errors it groups, depth first."""
    for note in getattr(error, "__notes__", []):
        if isinstance(note, AttributeValidationNote):
            yield (str(note), note.name, note.type)
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from _notes(inner)


def test_a_bad_table_of_tables_leaves_a_note_per_key_on_the_chained_error() -> None:
    error = _read_refused(
        {"forwarding": {"amount": 0}, "reply": {"amount": "1"}}, Mapping[str, Leaf]
    )
    cause = error.__cause__
    assert isinstance(cause, BaseValidationError)
    assert cause.cl is dict
    assert list(_notes(cause)) == [
        ("table key 'forwarding'", "forwarding", Leaf),
        ("Structuring class Leaf @ attribute amount", "amount", int),
        ("table key 'reply'", "reply", Leaf),
        ("Structuring class Leaf @ attribute amount", "amount", int),
    ]


# --------------------------------------------------------------------------- rules


AMOUNT = attrs.fields(Leaf).amount


def test_check_passes_a_value_every_rule_accepts() -> None:
    assert check(positive, _even)(None, AMOUNT, 4) is None


def test_check_raises_for_the_first_broken_rule() -> None:
    error = refused(lambda: check(positive, _even)(None, AMOUNT, -1))
    assert type(error) is ConfigValueError
    assert str(error) == "amount: must be positive, got -1"
    assert error.field == "amount"
    assert error.reason == "must be positive, got -1"
    assert type(error.cause) is ValidationError
    assert str(error.cause) == "must be positive, got -1"
    error = refused(lambda: check(positive, _even)(None, AMOUNT, 3))
    assert type(error) is ConfigValueError
    assert str(error) == "amount: must be even, got 3"
    assert error.cause is None


def test_a_config_value_error_names_the_field_and_keeps_the_reason() -> None:
    reason = ValidationError(N_("must be positive, got {value}"), value=0)
    error = ConfigValueError("amount", reason)
    assert str(error) == "amount: must be positive, got 0"
    assert error.field == "amount"
    assert error.reason == "must be positive, got 0"
    assert error.cause is reason
    assert error.template == "{field}: {reason}"
    assert dict(error.fields) == {"field": "amount", "reason": reason}
    text = ConfigValueError("count", "must be even")
    assert str(text) == "count: must be even"
    assert (text.field, text.reason, text.cause) == ("count", "must be even", None)


def test_a_config_value_error_survives_pickling() -> None:
    copy = pickle.loads(pickle.dumps(ConfigValueError("count", "must be even")))  # noqa: S301
    assert type(copy) is ConfigValueError
    assert (str(copy), copy.field, copy.reason, copy.cause) == (
        "count: must be even",
        "count",
        "must be even",
        None,
    )


@pytest.mark.parametrize("value", [1, 2, 10**9])
def test_positive_accepts_above_zero(value: int) -> None:
    assert positive(value) is None


@pytest.mark.parametrize("value", [0, -1])
def test_positive_refuses_zero_and_below(value: int) -> None:
    error = positive(value)
    assert type(error) is ValidationError
    assert str(error) == f"must be positive, got {value}"
    assert error.template == "must be positive, got {value}"
    assert dict(error.fields) == {"value": value}


def test_not_blank_refuses_an_empty_or_blank_text_with_its_message() -> None:
    rule = not_blank(N_("say something"))
    assert rule("a") is None
    assert rule(" a ") is None
    for value in ("", " ", "\t\n"):
        error = rule(value)
        assert type(error) is ValidationError
        assert str(error) == "say something"
        assert error.template == "say something"


def test_no_blank_refuses_a_list_with_a_blank_text() -> None:
    rule = no_blank(N_("a blank item"))
    assert rule(()) is None
    assert rule(("a", " b")) is None
    for values in (("a", ""), (" ",), ("\t", "b")):
        error = rule(values)
        assert type(error) is ValidationError
        assert str(error) == "a blank item"
        assert error.template == "a blank item"


def test_one_of_accepts_its_choices() -> None:
    rule = one_of(iter(["a", "b"]))
    assert rule("a") is None
    assert rule("b") is None


def test_one_of_names_two_choices() -> None:
    error = one_of(iter(["a", "b"]))("c")
    assert type(error) is ValidationError
    assert str(error) == "expected 'a' or 'b', got 'c'"
    assert dict(error.fields) == {"first": "a", "second": "b", "value": "c"}


def test_one_of_lists_other_numbers_of_choices() -> None:
    error = one_of(["a", "b", "c"])("d")
    assert type(error) is ValidationError
    assert str(error) == "'d' is not one of a, b, c"
    assert dict(error.fields) == {"value": "d", "choices": "a, b, c"}
    error = one_of(["a"])("d")
    assert str(error) == "'d' is not one of a"


def test_one_of_gives_its_own_message_when_it_has_one() -> None:
    rule = one_of(["a", "b"], N_("pick a or b"))
    assert rule("a") is None
    error = rule("c")
    assert type(error) is ValidationError
    assert str(error) == "pick a or b"
    assert error.template == "pick a or b"
    assert dict(error.fields) == {}
    assert str(one_of(["a", "b"], "")("c")) == "expected 'a' or 'b', got 'c'"


def test_each_accepts_known_names_only() -> None:
    rule = each(iter(["a", "b"]), N_("agency"))
    assert rule(()) is None
    assert rule(("a", "b", "a")) is None
    error = rule(("a", "x", "b", "y"))
    assert type(error) is ValidationError
    assert str(error) == "unknown agency 'x', 'y'"
    assert error.template == "unknown {what} {names}"
    assert dict(error.fields) == {"what": "agency", "names": "'x', 'y'"}
    assert type(error.fields["what"]) is Term


def test_choices_message_is_the_text_of_the_choices_error() -> None:
    assert choices_message("x", ["a", "b"]) == "expected 'a' or 'b', got 'x'"
    assert choices_message(3, [1, 2, 4]) == "3 is not one of 1, 2, 4"
    assert choices_message("x", []) == "'x' is not one of "
