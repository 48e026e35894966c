"""Labeled set from presidio-evaluator's synthetic sentence generator.

`PresidioSentenceFaker` (presidio-evaluator, pinned in requirements.txt) fills
its shipped templates with Faker values and returns the character spans of
every value, so the labels come from the generator itself. Two of its steps
would reach the network; both are kept offline here so the set depends only on
the pinned packages and the seed:
- `HospitalProvider` asks WikiData for hospital names and falls back to its
  built-in list when that fails: we use the built-in list directly.
Its person table is drawn from the global `random` before the faker seeds it,
so `generate` seeds `random` first, and Faker's "until now" dates are drawn
against a pinned "now" (otherwise the set changes run to run).
"""

from __future__ import annotations

import contextlib
import datetime
import io
import random

import numpy


# Faker draws "any date up to now" against the wall clock; pin "now" so the
# same seed gives the same set on any day.
FAKER_NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)


def _freeze_faker_clock() -> None:
    from faker.providers import date_time as faker_date_time

    provider = faker_date_time.Provider
    original = provider._parse_end_datetime.__func__
    fixed = int(FAKER_NOW.timestamp())

    def parse_end(cls, value=None):
        if value is None:
            return fixed
        return original(cls, value)

    provider._parse_end_datetime = classmethod(parse_end)


def generate(n: int, seed: int) -> list[dict]:
    from presidio_evaluator.data_generator import PresidioSentenceFaker
    from presidio_evaluator.data_generator.faker_extensions import providers

    providers.HospitalProvider.load_wiki_hospitals = lambda self: list(self.default_list)
    _freeze_faker_clock()
    # load_fake_person_df() draws from the global `random` (middle initials)
    # before PresidioSentenceFaker seeds it, so seed first as well
    random.seed(seed)
    numpy.random.seed(seed)
    quiet = io.StringIO()
    with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        faker = PresidioSentenceFaker(locale="en_US", lower_case_ratio=0.05, random_seed=seed)
        samples = faker.generate_new_fake_sentences(num_samples=n)
    out = []
    for i, sample in enumerate(samples):
        spans = [
            {"entity": sp.entity_type, "start": sp.start_position, "end": sp.end_position}
            for sp in sample.spans
        ]
        spans.sort(key=lambda s: (s["start"], s["end"], s["entity"]))
        out.append({"id": f"pe-{i:05d}", "text": sample.full_text, "spans": spans})
    return out
