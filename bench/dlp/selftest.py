"""Plain-assert checks of the benchmark's scoring, generators and output parsing.

    python bench.py selftest

Prints one line per check and a closing "N passed, N failed" line; exits 1 on any failure.
"""

from __future__ import annotations

import base64
import json
import random
import traceback

import gen_chat
import scoring
import tools

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def _spans(*triples):
    return {(e, s, t) for e, s, t in triples}


@check
def exact_and_overlap_counts():
    gold = {"m1": _spans(("CREDIT_CARD", 10, 29), ("PERSON", 0, 5)), "m2": _spans(("PERSON", 3, 13))}
    pred = {
        "m1": _spans(("CREDIT_CARD", 10, 29), ("PERSON", 0, 9)),  # card exact, person overlaps
        "m2": _spans(("PERSON", 20, 25), ("CREDIT_CARD", 0, 4)),  # person misses, card is a false positive
    }
    r = scoring.count(gold, pred, ["CREDIT_CARD", "PERSON"])
    card, person = r["CREDIT_CARD"], r["PERSON"]
    assert card["exact"]["tp"] == 1 and card["exact"]["fp"] == 1 and card["exact"]["fn"] == 0, card
    assert card["exact"]["precision"] == 0.5 and card["exact"]["recall"] == 1.0
    assert abs(card["exact"]["f1"] - 2 / 3) < 1e-12
    assert person["exact"]["tp"] == 0 and person["exact"]["fp"] == 2 and person["exact"]["fn"] == 2
    assert person["exact"]["f1"] == 0.0
    assert person["overlap"]["tp"] == 1 and person["overlap"]["fp"] == 1 and person["overlap"]["fn"] == 1
    assert person["overlap"]["precision"] == 0.5 and person["overlap"]["recall"] == 0.5


@check
def overlap_needs_same_entity_and_real_overlap():
    gold = {"m": _spans(("PHONE_NUMBER", 5, 10))}
    touching = {"m": _spans(("PHONE_NUMBER", 10, 14), ("US_SSN", 5, 10))}  # end is exclusive
    r = scoring.count(gold, touching, ["PHONE_NUMBER", "US_SSN"])
    assert r["PHONE_NUMBER"]["overlap"]["tp"] == 0 and r["PHONE_NUMBER"]["overlap"]["fp"] == 1
    assert r["US_SSN"]["overlap"]["fp"] == 1 and r["US_SSN"]["overlap"]["gold"] == 0
    assert r["US_SSN"]["overlap"]["f1"] == 0.0 and r["US_SSN"]["overlap"]["recall"] is None


@check
def one_prediction_covering_two_gold_spans():
    gold = {"m": _spans(("LOCATION", 0, 5), ("LOCATION", 7, 12))}
    pred = {"m": _spans(("LOCATION", 0, 12))}
    o = scoring.count(gold, pred, ["LOCATION"])["LOCATION"]["overlap"]
    assert o["recall"] == 1.0 and o["precision"] == 1.0 and o["predicted"] == 1 and o["gold"] == 2


@check
def unlisted_entities_are_not_counted_and_empty_is_none():
    gold = {"m": _spans(("DATE_TIME", 0, 4))}
    pred = {"m": _spans(("DATE_TIME", 0, 4), ("URL", 1, 3))}
    r = scoring.count(gold, pred, ["EMAIL_ADDRESS"])
    assert set(r) == {"EMAIL_ADDRESS"}
    assert r["EMAIL_ADDRESS"]["exact"]["f1"] is None and r["EMAIL_ADDRESS"]["exact"]["predicted"] == 0


@check
def recall_zero_when_nothing_predicted():
    r = scoring.count({"m": _spans(("IBAN_CODE", 0, 22))}, {}, ["IBAN_CODE"])["IBAN_CODE"]["exact"]
    assert r["f1"] == 0.0 and r["recall"] == 0.0 and r["precision"] is None and r["fn"] == 1


@check
def duplicate_predictions_count_once():
    pred = [{"entity": "US_SSN", "start": 0, "end": 11}, {"entity": "US_SSN", "start": 0, "end": 11}]
    spans = scoring.to_common(pred, {})
    r = scoring.count({"m": _spans(("US_SSN", 0, 11))}, {"m": spans}, ["US_SSN"])["US_SSN"]["exact"]
    assert r["predicted"] == 1 and r["f1"] == 1.0


@check
def micro_average_pools_counts():
    gold = {"a": _spans(("X", 0, 1), ("X", 2, 3), ("Y", 0, 1))}
    pred = {"a": _spans(("X", 0, 1), ("Y", 0, 1), ("Y", 5, 6))}
    r = scoring.count(gold, pred, ["X", "Y"])
    m = scoring.micro(r, ["X", "Y"], "exact")
    # 2 true positives of 3 predictions, 2 of 3 gold spans
    assert m["precision"] == 2 / 3 and m["recall"] == 2 / 3 and abs(m["f1"] - 2 / 3) < 1e-12


@check
def name_mapping():
    assert scoring.map_name("GPE", scoring.LABEL_TO_COMMON) == "LOCATION"
    assert scoring.map_name("STREET_ADDRESS", scoring.LABEL_TO_COMMON) == "LOCATION"
    assert scoring.map_name("DOMAIN_NAME", scoring.LABEL_TO_COMMON) == "URL"
    assert scoring.map_name("CREDIT_CARD", scoring.LABEL_TO_COMMON) == "CREDIT_CARD"
    assert scoring.map_name("EMAIL", scoring.PRESIDIO_TO_COMMON) == "EMAIL_ADDRESS"
    spans = scoring.to_common([{"entity": "GPE", "start": 1, "end": 4}], scoring.LABEL_TO_COMMON)
    assert spans == {("LOCATION", 1, 4)}


@check
def luhn_and_iban_known_values():
    assert gen_chat.luhn_valid("4111 1111 1111 1111")
    assert gen_chat.luhn_valid("79927398713")
    assert not gen_chat.luhn_valid("79927398710")
    # ISO 13616 / SWIFT registry examples
    assert gen_chat.iban_valid("GB82 WEST 1234 5698 7654 32")
    assert gen_chat.iban_valid("DE89370400440532013000")
    assert not gen_chat.iban_valid("DE89370400440532013001")
    assert gen_chat.iban_check_digits("DE", "370400440532013000") == "89"


@check
def checksum_id_known_values():
    # Published examples: NHS Digital (943 476 5919), GB 11643-1999 (11010519491231002X),
    # Verhoeff (236 -> 3), CMS NPI (1234567893), DEA (AB1234563), NRIC (S1234567D),
    # DNI (12345678Z), codice fiscale (RSSMRA85T10A562S), Bitcoin wiki addresses,
    # BIP-173's P2WPKH vector.
    assert gen_chat.nhs_valid("943 476 5919") and not gen_chat.nhs_valid("943 476 5918")
    assert gen_chat.cn_valid("11010519491231002X") and not gen_chat.cn_valid("110105194912310021")
    assert gen_chat.verhoeff_check("236") == 3 and gen_chat.verhoeff_valid("2363")
    assert gen_chat.npi_valid("1234567893") and not gen_chat.npi_valid("1234567890")
    assert gen_chat.dea_valid("AB1234563") and not gen_chat.dea_valid("AB1234564")
    assert gen_chat.nric_valid("S1234567D") and not gen_chat.nric_valid("S1234567A")
    assert gen_chat.es_nif_valid("12345678Z") and not gen_chat.es_nif_valid("12345678A")
    assert gen_chat.cf_valid("RSSMRA85T10A562S") and not gen_chat.cf_valid("RSSMRA85T10A562T")
    assert gen_chat.b58check_valid("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2")
    assert gen_chat.b58check_valid("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")
    assert not gen_chat.b58check_valid("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3")
    program = bytes.fromhex("751e76e8199196d454941c45d1b3a323f1433bd6")
    assert gen_chat.bech32_address(program) == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    assert not gen_chat.bech32_valid("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5")


@check
def chat_set_is_deterministic_and_spans_are_sound():
    a = gen_chat.generate(400, 11)
    b = gen_chat.generate(400, 11)
    assert a == b
    assert a != gen_chat.generate(400, 12)
    for m in a:
        text = m["text"]
        prev_end = -1
        for s in m["spans"]:
            assert 0 <= s["start"] < s["end"] <= len(text), (m["id"], s)
            assert s["start"] >= prev_end, f"overlapping labels in {m['id']}"
            prev_end = s["end"]
            value = text[s["start"] : s["end"]]
            assert value == value.strip() and value, (m["id"], value)
            assert s["entity"] in gen_chat.PLANTED_ENTITIES


@check
def planted_values_are_valid():
    import phonenumbers

    records = gen_chat.generate(2000, 7)
    seen = set()
    for m in records:
        for s in m["spans"]:
            v = m["text"][s["start"] : s["end"]]
            e = s["entity"]
            seen.add(e)
            if e == "CREDIT_CARD":
                digits = "".join(c for c in v if c.isdigit())
                assert gen_chat.luhn_valid(digits) and 15 <= len(digits) <= 19, v
            elif e == "IBAN_CODE":
                assert gen_chat.iban_valid(v), v
                assert len(v.replace(" ", "")) == 4 + len(gen_chat.IBAN_FORMATS[v[:2]])
            elif e == "PHONE_NUMBER":
                region = None if v.startswith(("+", "00")) else "US"
                parsed = phonenumbers.parse("+" + v[2:] if v.startswith("00") else v, region)
                assert phonenumbers.is_valid_number(parsed), v
            elif e == "US_SSN":
                d = v.replace("-", "")
                assert len(d) == 9 and d[:3] not in ("000", "666") and d[0] != "9" and d[3:5] != "00" and d[5:] != "0000"
            elif e == "GITHUB_TOKEN":
                assert gen_chat.github_token_valid(v), v
            elif e == "AWS_ACCESS_KEY":
                assert v.startswith("AKIA") and len(v) == 20
            elif e == "JWT":
                header = json.loads(base64.urlsafe_b64decode(v.split(".")[0] + "=="))
                assert header["alg"] == "HS256" and v.count(".") == 2
            elif e == "VERIFICATION_CODE":
                assert len(v.replace("-", "")) == 6 and v.replace("-", "").isdigit()
            elif e == "UK_NHS":
                assert gen_chat.nhs_valid(v), v
            elif e == "CN_RESIDENT_ID":
                assert gen_chat.cn_valid(v), v
            elif e == "IN_AADHAAR":
                assert gen_chat.verhoeff_valid(v.replace(" ", "")) and v[0] in "23456789", v
            elif e == "US_NPI":
                assert gen_chat.npi_valid(v), v
            elif e == "DEA_NUMBER":
                assert gen_chat.dea_valid(v), v
            elif e == "SG_NRIC":
                assert gen_chat.nric_valid(v), v
            elif e == "ES_NIF":
                assert gen_chat.es_nif_valid(v), v
            elif e == "IT_FISCAL_CODE":
                assert gen_chat.cf_valid(v), v
            elif e == "CRYPTO":
                assert gen_chat.bech32_valid(v) if v.startswith("bc1") else gen_chat.b58check_valid(v), v
    # every planted entity kind occurs in the default set
    assert seen == set(gen_chat.PLANTED_ENTITIES), set(gen_chat.PLANTED_ENTITIES) - seen


@check
def decoys_fail_their_checks():
    rng = random.Random(5)
    bad_cards = bad_ibans = 0
    for _ in range(3000):
        d = gen_chat.decoy(rng)
        compact = d.replace(" ", "")
        if compact[:2].isalpha() and compact[:2].isupper() and compact[2:4].isdigit() and len(compact) >= 15:
            assert not gen_chat.iban_valid(d), d
            bad_ibans += 1
        elif all(c.isdigit() or c in " -" for c in d) and 15 <= len(compact.replace("-", "")) <= 19 and not d.startswith("9400"):
            assert not gen_chat.luhn_valid(d), d
            bad_cards += 1
    assert bad_cards > 50 and bad_ibans > 20, (bad_cards, bad_ibans)
    # identifiers with a wrong check character, each with its context word
    checks = {
        "NHS no. ": lambda v: gen_chat.nhs_valid(v),
        "身份证 ": gen_chat.cn_valid,
        "aadhaar ": lambda v: gen_chat.verhoeff_valid(v.replace(" ", "")),
        "NPI ": gen_chat.npi_valid,
        "DEA ": gen_chat.dea_valid,
        "NRIC ": gen_chat.nric_valid,
        "DNI ": gen_chat.es_nif_valid,
        "codice fiscale ": gen_chat.cf_valid,
        "btc ": lambda v: gen_chat.bech32_valid(v) if v.startswith("bc1") else gen_chat.b58check_valid(v),
    }
    seen = set()
    for _ in range(3000):
        d = gen_chat.decoy(rng)
        for prefix, valid in checks.items():
            if d.startswith(prefix):
                assert not valid(d[len(prefix):]), d
                seen.add(prefix)
    assert seen == set(checks), set(checks) - seen


@check
def scan_output_parsing():
    lines = [
        '{"id": "a", "entity": "CREDIT_CARD", "start": 3, "end": 22, "score": 0.99, "detector": "luhn"}',
        "",
        '{"id": "b", "entity": "PERSON", "start": 0, "end": 5, "score": 0.6, "detector": "lexicon"}',
    ]
    out = tools.parse_findings(lines, {"a", "b", "c"})
    assert out["c"] == [] and out["a"][0]["end"] == 22 and out["b"][0]["entity"] == "PERSON"
    for bad in ['{"id": "zzz", "entity": "X", "start": 0, "end": 1}', '{"id": "a", "entity": "X"}', "not json"]:
        try:
            tools.parse_findings([bad], {"a"})
        except tools.ChatwardenError:
            pass
        else:
            raise AssertionError(f"accepted {bad!r}")


@check
def offsets_count_scalar_values():
    # an emoji before a value: Python indices (scalar values) are what both tools report
    text = "🙂 4111 1111 1111 1111"
    assert text[2:] == "4111 1111 1111 1111" and len("🙂") == 1


def main() -> int:
    passed = failed = 0
    for fn in CHECKS:
        try:
            fn()
        except Exception:  # noqa: BLE001 - report every failing check, then fail
            failed += 1
            print(f"FAIL {fn.__name__}")
            traceback.print_exc()
        else:
            passed += 1
            print(f"ok   {fn.__name__}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1
