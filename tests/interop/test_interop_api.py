"""The interop package's public names: sorted, existing, documented."""

from __future__ import annotations

import inspect

import pytest

from lapor_core import interop
from lapor_core.interop import importer, lapor_csv, open311

MODULES = [interop, importer, lapor_csv, open311]


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
