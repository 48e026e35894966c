"""Span scoring and entity-name mapping for the DLP benchmark (standard library only).

Spans are (entity, start, end) with end exclusive, offsets in Unicode scalar
values (Python string indices). Two matchings:

- exact: a prediction is a true positive when a gold span of the same entity
  has the same start and end.
- overlap: a prediction is a true positive when it overlaps a gold span of the
  same entity in the same message; a gold span is found when some prediction of
  the same entity overlaps it. Precision counts predictions, recall counts gold
  spans, so one long prediction covering two gold spans finds both.

Duplicate predictions (same message, entity, start, end, e.g. two Presidio
recognizers agreeing) count once.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

# presidio-evaluator's generator label names -> the common set. Address parts
# and places are one LOCATION entity here, as Presidio reports them (its spaCy
# recognizer maps GPE, LOC and FAC to LOCATION); DOMAIN_NAME values are URLs
# without a scheme (Faker's `url`), which both tools call URL.
LABEL_TO_COMMON = {
    "GPE": "LOCATION",
    "STREET_ADDRESS": "LOCATION",
    "ZIP_CODE": "LOCATION",
    "DOMAIN_NAME": "URL",
}

# Presidio analyzer entity names -> the common set (most are the same name).
PRESIDIO_TO_COMMON = {
    "EMAIL": "EMAIL_ADDRESS",
    "SG_NRIC_FIN": "SG_NRIC",
}

# chatwarden entity names -> the common set (chatwarden follows Presidio's names).
CHATWARDEN_TO_COMMON: dict[str, str] = {}

# What chatwarden's inspection engine detects (issue 3, "Entities"). Used to
# decide which labeled entities are head-to-head; a finding of another name is
# reported and scored too when the set labels it.
CHATWARDEN_ENTITIES = [
    "EMAIL_ADDRESS", "PHONE_NUMBER", "URL", "IP_ADDRESS",
    "CREDIT_CARD", "IBAN_CODE", "SWIFT_BIC", "US_BANK_NUMBER", "CRYPTO",
    "US_SSN", "US_PASSPORT", "US_DRIVER_LICENSE", "UK_NINO", "UK_NHS", "CN_RESIDENT_ID",
    "IN_AADHAAR", "IN_PAN", "SG_NRIC", "ES_NIF", "IT_FISCAL_CODE",
    "US_NPI", "DEA_NUMBER", "US_MBI", "ICD10_CODE", "MEDICAL_RECORD_NUMBER",
    "AWS_ACCESS_KEY", "AWS_SECRET_KEY", "GITHUB_TOKEN", "GITLAB_TOKEN", "SLACK_TOKEN",
    "SLACK_WEBHOOK", "STRIPE_KEY", "GOOGLE_API_KEY", "OPENAI_API_KEY", "PRIVATE_KEY", "JWT",
    "DB_CONNECTION_STRING", "PASSWORD", "GENERIC_SECRET",
    "VERIFICATION_CODE", "CONFIDENTIAL_MARKER", "PERSON", "LOCATION",
]

# Entities whose values carry a checksum or structural check (issue 3 target:
# F1 >= 0.95 on each of these).
# GITHUB_TOKEN is not in the list: its detector checks the published prefix and
# length, not the token's CRC32.
CHECKSUM_ENTITIES = {
    "CREDIT_CARD", "IBAN_CODE", "UK_NHS", "CN_RESIDENT_ID", "IN_AADHAAR", "US_NPI",
    "DEA_NUMBER", "CRYPTO", "ES_NIF", "IT_FISCAL_CODE", "SG_NRIC",
}

Span = tuple[str, int, int]


def map_name(name: str, mapping: dict[str, str]) -> str:
    return mapping.get(name, name)


def to_common(spans: Iterable[dict], mapping: dict[str, str]) -> set[Span]:
    return {(map_name(s["entity"], mapping), int(s["start"]), int(s["end"])) for s in spans}


def _prf(tp_pred: int, n_pred: int, tp_gold: int, n_gold: int) -> dict:
    precision = tp_pred / n_pred if n_pred else None
    recall = tp_gold / n_gold if n_gold else None
    if not n_pred and not n_gold:
        f1 = None  # nothing labeled, nothing predicted: no score
    elif not n_pred or not n_gold:
        f1 = 0.0  # all misses, or all false positives
    elif precision + recall == 0:
        f1 = 0.0
    else:
        f1 = 2 * precision * recall / (precision + recall)
    return {
        "tp": tp_gold,
        "fp": n_pred - tp_pred,
        "fn": n_gold - tp_gold,
        "predicted": n_pred,
        "gold": n_gold,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def count(gold: dict[str, set[Span]], pred: dict[str, set[Span]], entities: Iterable[str]) -> dict:
    """Per-entity counts for both matchings.

    gold and pred map message id -> set of spans (already in the common names).
    Only spans whose entity is in `entities` are counted.
    Returns {entity: {"exact": prf, "overlap": prf}}.
    """
    wanted = set(entities)
    tallies: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for msg_id in set(gold) | set(pred):
        g = {s for s in gold.get(msg_id, ()) if s[0] in wanted}
        p = {s for s in pred.get(msg_id, ()) if s[0] in wanted}
        for s in g:
            t = tallies[s[0]]
            t["gold"] += 1
            if s in p:
                t["exact_tp"] += 1
            if any(_overlaps(s, q) for q in p):
                t["overlap_tp_gold"] += 1
        for q in p:
            t = tallies[q[0]]
            t["pred"] += 1
            if any(_overlaps(q, s) for s in g):
                t["overlap_tp_pred"] += 1
    out = {}
    for entity in sorted(wanted):
        t = tallies.get(entity, {})
        n_pred, n_gold = t.get("pred", 0), t.get("gold", 0)
        out[entity] = {
            "exact": _prf(t.get("exact_tp", 0), n_pred, t.get("exact_tp", 0), n_gold),
            "overlap": _prf(t.get("overlap_tp_pred", 0), n_pred, t.get("overlap_tp_gold", 0), n_gold),
        }
    return out


def micro(per_entity: dict, entities: Iterable[str], matching: str) -> dict:
    """Micro-average over `entities` of one matching ("exact" or "overlap")."""
    tp_pred = n_pred = tp_gold = n_gold = 0
    for e in entities:
        r = per_entity[e][matching]
        n_pred += r["predicted"]
        tp_pred += r["predicted"] - r["fp"]
        n_gold += r["gold"]
        tp_gold += r["tp"]
    return _prf(tp_pred, n_pred, tp_gold, n_gold)


def group(records: Iterable[dict], key: str, mapping: dict[str, str]) -> dict[str, set[Span]]:
    """Message id -> common-name spans, from records carrying a list under `key`."""
    return {r["id"]: to_common(r.get(key, ()), mapping) for r in records}
