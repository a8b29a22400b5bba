"""The interop package's public names: sorted, existing, documented."""

from __future__ import annotations

import inspect
import typing

import pytest

from lapor_core import interop
from lapor_core.interop import (
    _open311_post,
    _open311_requests,
    _open311_services,
    importer,
    lapor_csv,
    open311,
)
from lapor_core.interop.lapor_csv import dates, history, mapping, reading, records, writing

CSV_MODULES = [records, dates, reading, mapping, history, writing]
OPEN311_PARTS = [_open311_requests, _open311_post, _open311_services]
MODULES = [interop, importer, lapor_csv, open311, *CSV_MODULES, *OPEN311_PARTS]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_all_is_sorted_and_documented(module: object) -> None:
    names = list(module.__all__)  # type: ignore[attr-defined]
    assert sorted(names, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n)) == (
        names
    )
    assert inspect.getdoc(module)
    for name in names:
        obj = getattr(module, name)
        if name.isupper():
            continue
        assert inspect.getdoc(obj), name
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_") or not (callable(member) or isinstance(member, property)):
                    continue
                target = member.__func__ if isinstance(member, classmethod) else member
                assert inspect.getdoc(target), f"{name}.{attr}"


def test_the_package_re_exports_its_modules_names() -> None:
    for name in interop.__all__:
        owner = next(m for m in (importer, lapor_csv, open311) if name in m.__all__)
        assert getattr(owner, name) is getattr(interop, name)


def test_the_csv_package_re_exports_its_modules_names() -> None:
    exported = {name for module in CSV_MODULES for name in module.__all__}
    assert exported == set(lapor_csv.__all__)
    for module in CSV_MODULES:
        for name in module.__all__:
            assert getattr(module, name) is getattr(lapor_csv, name), name


def test_open311_re_exports_its_parts_names() -> None:
    exported = {name for module in OPEN311_PARTS for name in module.__all__}
    assert exported == set(open311.__all__)
    for module in OPEN311_PARTS:
        for name in module.__all__:
            assert getattr(module, name) is getattr(open311, name), name


def _mentions_any(annotation: object) -> bool:
    if annotation is typing.Any:
        return True
    return any(_mentions_any(arg) for arg in typing.get_args(annotation))


@pytest.mark.parametrize("name", sorted(open311.__all__))
def test_no_any_in_open311_signatures_and_shapes(name: str) -> None:
    obj = getattr(open311, name)
    if name.isupper():
        return
    hints = typing.get_type_hints(obj)
    assert hints
    assert [] == [(key, hint) for key, hint in hints.items() if _mentions_any(hint)]
