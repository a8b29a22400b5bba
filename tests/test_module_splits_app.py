"""The service, the simulation and Open311, split along their seams, keep every public name."""

from __future__ import annotations

import importlib
import inspect
import random
from types import ModuleType

import pytest

from lapor_core import _service_clocks, _service_subscription, _simulate_traffic, service, simulate
from lapor_core.interop import _open311_post, _open311_requests, _open311_services
from lapor_core.profiles import load_profile, load_registry
from lapor_core.storage.memory import InMemoryStore

# Each module's public names before the split (release 0.1.0), and where they live now.
BEFORE: dict[str, tuple[list[str], list[ModuleType]]] = {
    "lapor_core.service": (
        ["BulkStore", "Clock", "ComplaintService", "HandleResult", "ManualClock",
         "Subscription", "SweepReport", "SystemClock"],
        [_service_clocks, _service_subscription, service],
    ),
    "lapor_core.simulate": (
        ["SimulationConfig", "SimulationResult", "national_registry", "simulate"],
        [simulate],
    ),
    "lapor_core.interop.open311": (
        ["OPEN311_CHANNEL", "OPEN311_STATUS", "category_names", "service_definition",
         "services", "submit_from_request", "to_service_request"],
        [_open311_requests, _open311_post, _open311_services],
    ),
}  # fmt: skip
PARTS = [
    _service_clocks,
    _service_subscription,
    _simulate_traffic,
    _open311_requests,
    _open311_post,
    _open311_services,
]


@pytest.mark.parametrize("old", sorted(BEFORE))
def test_every_name_is_still_importable_from_where_it_was(old: str) -> None:
    names, homes = BEFORE[old]
    module = importlib.import_module(old)
    assert set(names) <= set(module.__all__)
    for name in names:
        home = next(h for h in homes if name in h.__all__)
        assert getattr(home, name) is getattr(module, name), name


@pytest.mark.parametrize("module", PARTS, ids=lambda m: m.__name__)
def test_new_modules_document_every_public_name(module: ModuleType) -> None:
    assert "versionadded:: 0.1.0" in (module.__doc__ or "")
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            doc = inspect.getdoc(obj) or ""
            assert "versionadded:: 0.1.0" in doc or "versionadded:: 0.2.0" in doc, name


def test_the_traffic_takes_every_random_choice_from_the_generator_it_is_given() -> None:
    profile, registry = load_profile("kaltim"), load_registry("kaltim")

    def schedule(seed: int) -> list[str]:
        svc = service.ComplaintService(InMemoryStore(), profile, registry)
        rng = random.Random(seed)  # noqa: S311 - a seeded simulation, not cryptography
        world = _simulate_traffic.World(svc, registry, rng=rng, per_year=50_000)
        world.arrivals(simulate.SimulationConfig().start)
        return [when.isoformat() for when, _, _ in sorted(world.queue)]

    assert schedule(3) == schedule(3)
    assert schedule(3)  # 50,000 a year: some arrive in the first hour
