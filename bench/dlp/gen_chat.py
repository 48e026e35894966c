"""Chat-style labeled set for the chatwarden vs Presidio benchmark.

Short WhatsApp-like messages (several languages, emoji, lowercase) with planted
entities and decoys. Every planted value is synthetic: card numbers are
generated Luhn-valid, IBANs get correct ISO 13616 mod-97 check digits, phone
numbers are random digits accepted by libphonenumber (Python `phonenumbers`,
the metadata chatwarden's `phonenumber` crate also uses), names come from
small invented lists. Decoys (order numbers, timestamps, prices, phone-like
dates, tracking numbers, values with broken checksums, 6-digit numbers
without a code context, commit hashes, version strings) carry no span: a
tool that flags them scores a false positive.

Offsets are Python string indices (Unicode scalar values), end exclusive.

Facts used (formats, not code):
- Luhn: ISO/IEC 7812-1 annex B.
- Card issuer ranges: Mastercard 51-55 and 2221-2720 (2-series since 2017),
  Visa 4 (16 and 19 digits), Amex 34/37 (15), Discover 6011/65, UnionPay 62
  (up to 19 digits).
- IBAN: ISO 13616 (check digits = 98 - (BBAN + country + "00") mod 97),
  country lengths from the SWIFT IBAN registry.
- US SSN: area 000, 666 and 900-999, group 00, serial 0000 never issued (SSA).
- GitHub tokens: prefix + 30 base62 chars + 6-char base62 CRC32 of those 30
  (GitHub blog "Behind GitHub's new authentication token formats", 2021).
- AWS access key ids: "AKIA" + 16 chars of [A-Z2-7].
- JWT: RFC 7519 / RFC 7515 compact serialisation, HS256.
- WhatsApp registration SMS code: 6 digits, often shown as "123-456".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import string
import zlib
from dataclasses import dataclass, field

# Entities this set labels. Also the "closed world" list: every occurrence of
# these types in the text is labeled, so any other finding of these types is a
# false positive. The extra types after the planted ones are never planted, so
# every finding of them in this set is a false positive too (the decoys are
# built to tempt exactly those).
PLANTED_ENTITIES = [
    "CREDIT_CARD",
    "IBAN_CODE",
    "PHONE_NUMBER",
    "US_SSN",
    "EMAIL_ADDRESS",
    "URL",
    "IP_ADDRESS",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "GITHUB_TOKEN",
    "JWT",
    "PASSWORD",
    "VERIFICATION_CODE",
    "PERSON",
    "LOCATION",
]
NEVER_PRESENT_ENTITIES = [
    "US_DRIVER_LICENSE",
    "US_BANK_NUMBER",
    "US_PASSPORT",
    "US_ITIN",
    "UK_NHS",
    "UK_NINO",
    "CRYPTO",
    "MEDICAL_LICENSE",
    "SWIFT_BIC",
    "IN_AADHAAR",
    "US_NPI",
]
CLOSED_WORLD = PLANTED_ENTITIES + NEVER_PRESENT_ENTITIES

FIRST_NAMES = [
    "Priya", "Lukas", "Sofia", "Mateo", "Aisha", "Chen", "Olga", "Tomasz", "Fatima", "Jonas",
    "Emily", "Carlos", "Yuki", "Amara", "Henrik", "Lucia", "Omar", "Ingrid", "Ravi", "Chloe",
    "Diego", "Hannah", "Kwame", "Mei", "Sven", "Isabel", "Arjun", "Elena", "Marek", "Zainab",
    "Noah", "Leonie", "Rafael", "Anika", "Bruno", "Camille", "Dmitri", "Greta", "Hiroshi", "Nadia",
]
LAST_NAMES = [
    "Sharma", "Becker", "Rossi", "Fernandez", "Okafor", "Wang", "Petrova", "Kowalski", "Haddad",
    "Lindqvist", "Walker", "Moreno", "Tanaka", "Mensah", "Johansson", "Garcia", "Farouk", "Nilsen",
    "Iyer", "Dubois", "Alvarez", "Schmidt", "Boateng", "Liu", "Eriksen", "Navarro", "Menon",
    "Papadopoulos", "Novak", "Rahman", "Thompson", "Keller", "Oliveira", "Kapoor", "Costa",
    "Lefevre", "Volkov", "Brandt", "Sato", "Karimi",
]
CITIES = [
    "London", "Berlin", "Madrid", "Paris", "Mumbai", "Singapore", "São Paulo", "Lagos", "Toronto",
    "Chicago", "Shanghai", "Munich", "Barcelona", "Amsterdam", "Warsaw", "Dubai", "Nairobi",
    "Sydney", "Zurich", "Milan", "Lisbon", "Vienna", "Stockholm", "Bangalore", "Mexico City",
    "Hamburg", "Lyon", "Manchester", "Osaka", "Cape Town",
]
EMAIL_DOMAINS = [
    "example.com", "example.org", "example.net", "mail.example.co.uk", "acme-logistics-example.com",
    "northwind-example.de", "contoso-example.com", "fabrikam-example.es",
]
URL_HOSTS = [
    "portal.example.com", "shop.example.de", "files.example.org", "intranet.contoso-example.com",
    "docs.example.net", "pay.fabrikam-example.es", "www.example.co.uk", "tracking.example.com",
]
URL_PATHS = [
    "/invoice/8841", "/s/x7Kp2", "/track?id=ZX81", "/reset-password", "/share/q3/report.pdf",
    "/login", "/orders/2024/553", "/d/f9a1c",
]
EMOJI = ["🙂", "👍", "🙏", "😅", "🔥", "✅", "📎", "💳", "📞", "😂", "🤝", "⚠️"]

# -- value generators ---------------------------------------------------------

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def luhn_check_digit(payload: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:  # these get doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    digits = [c for c in number if c.isdigit()]
    if len(digits) < 2:
        return False
    body, check = "".join(digits[:-1]), digits[-1]
    return luhn_check_digit(body) == check


def card_number(rng: random.Random) -> tuple[str, str]:
    """Returns (digits, brand)."""
    brand = rng.choice(["visa", "visa", "mc5", "mc2", "mc2", "amex", "discover", "visa19", "unionpay19"])
    if brand == "visa":
        prefix, length = "4", 16
    elif brand == "mc5":
        prefix, length = str(rng.randint(51, 55)), 16
    elif brand == "mc2":
        prefix, length = str(rng.randint(2221, 2720)), 16
    elif brand == "amex":
        prefix, length = rng.choice(["34", "37"]), 15
    elif brand == "discover":
        prefix, length = rng.choice(["6011", "65"]), 16
    elif brand == "visa19":
        prefix, length = "4", 19
    else:
        prefix, length = "62", 19
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    return body + luhn_check_digit(body), brand


def format_card(digits: str, brand: str, rng: random.Random) -> str:
    style = rng.choice(["plain", "space", "space", "dash"])
    if style == "plain":
        return digits
    sep = " " if style == "space" else "-"
    if brand == "amex":
        groups = [digits[:4], digits[4:10], digits[10:]]
    elif len(digits) == 19 and rng.random() < 0.5:
        groups = [digits[:6], digits[6:]]
    else:
        groups = [digits[i : i + 4] for i in range(0, len(digits), 4)]
    return sep.join(groups)


# country: (total length, BBAN pattern). n = digit, a = upper letter, c = upper alnum.
IBAN_FORMATS = {
    "DE": "n" * 18,
    "GB": "aaaa" + "n" * 14,
    "FR": "n" * 10 + "c" * 11 + "nn",
    "ES": "n" * 20,
    "NL": "aaaa" + "n" * 10,
    "IT": "a" + "n" * 10 + "c" * 12,
    "CH": "n" * 5 + "c" * 12,
    "PL": "n" * 24,
    "AT": "n" * 16,
    "IE": "aaaa" + "n" * 14,
}


def _iban_numeric(s: str) -> int:
    return int("".join(str(int(ch, 36)) for ch in s))


def iban_check_digits(country: str, bban: str) -> str:
    return f"{98 - _iban_numeric(bban + country + '00') % 97:02d}"


def iban_valid(iban: str) -> bool:
    s = iban.replace(" ", "").upper()
    if len(s) < 5 or not s.isalnum():
        return False
    return _iban_numeric(s[4:] + s[:4]) % 97 == 1


def iban(rng: random.Random) -> str:
    country = rng.choice(sorted(IBAN_FORMATS))
    pools = {"n": string.digits, "a": string.ascii_uppercase, "c": string.digits + string.ascii_uppercase}
    bban = "".join(rng.choice(pools[p]) for p in IBAN_FORMATS[country])
    return country + iban_check_digits(country, bban) + bban


def format_iban(compact: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return compact
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


# region: (country code, national significant number lengths to try)
PHONE_REGIONS = {
    "GB": [10],
    "DE": [10, 11],
    "FR": [9],
    "ES": [9],
    "IN": [10],
    "BR": [10, 11],
    "SG": [8],
    "AU": [9],
    "CN": [11],
    "NG": [10],
    "MX": [10],
    "NL": [9],
    "IT": [9, 10],
    "US": [10],
}


def phone_number(rng: random.Random) -> str:
    import phonenumbers  # installed with presidio-analyzer

    region = rng.choice(sorted(PHONE_REGIONS))
    for _ in range(10_000):
        length = rng.choice(PHONE_REGIONS[region])
        first = rng.choice("123456789")
        nsn = first + "".join(rng.choice(string.digits) for _ in range(length - 1))
        num = phonenumbers.parse("+" + str(phonenumbers.country_code_for_region(region)) + nsn)
        if not phonenumbers.is_valid_number(num):
            continue
        ntype = phonenumbers.number_type(num)
        if ntype not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ):
            continue
        style = rng.random()
        if region == "US" and style < 0.6:
            return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.NATIONAL)
        if style < 0.7:
            return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        if style < 0.85:
            return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
        return "00" + phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL)[1:]
    raise RuntimeError(f"could not draw a valid {region} phone number")


def ssn(rng: random.Random, dashed: bool = True) -> str:
    while True:
        area = rng.randint(1, 899)
        if area != 666:
            break
    group = rng.randint(1, 99)
    serial = rng.randint(1, 9999)
    if dashed:
        return f"{area:03d}-{group:02d}-{serial:04d}"
    return f"{area:03d}{group:02d}{serial:04d}"


def person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def email(rng: random.Random) -> str:
    first, last = person(rng)
    local = rng.choice(
        [f"{first}.{last}", f"{first[0]}{last}", f"{first}{rng.randint(1, 99)}", f"{last}.{first[0]}"]
    ).lower()
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


def url(rng: random.Random) -> str:
    scheme = rng.choice(["https://", "https://", "http://", ""])
    host = rng.choice(URL_HOSTS)
    if not scheme and not host.startswith("www."):
        scheme = "https://"
    return scheme + host + rng.choice(URL_PATHS)


def ip_address(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:
        return f"192.0.2.{rng.randint(1, 254)}"
    if kind < 0.55:
        return f"203.0.113.{rng.randint(1, 254)}"
    if kind < 0.8:
        return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    return f"2001:db8:{rng.randint(1, 0xFFFF):x}::{rng.randint(1, 0xFFFF):x}"


def aws_access_key(rng: random.Random) -> str:
    return "AKIA" + "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(16))


def aws_secret_key(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits + "+/") for _ in range(40))


def _base62(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = BASE62[r] + out
    return out.rjust(width, "0")


def github_token(rng: random.Random) -> str:
    prefix = rng.choice(["ghp_", "ghp_", "ghp_", "gho_", "ghs_", "ghu_"])
    entropy = "".join(rng.choice(BASE62) for _ in range(30))
    return prefix + entropy + _base62(zlib.crc32(entropy.encode()), 6)


def github_token_valid(token: str) -> bool:
    body = token[4:]
    if len(body) != 36:
        return False
    return _base62(zlib.crc32(body[:30].encode()), 6) == body[30:]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(rng: random.Random) -> str:
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    first, last = person(rng)
    claims = {
        "sub": str(rng.randint(10_000, 99_999_999)),
        "name": f"{first} {last}",
        "iat": 1_700_000_000 + rng.randint(0, 40_000_000),
        "role": rng.choice(["user", "admin", "support"]),
    }
    payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    key = bytes(rng.getrandbits(8) for _ in range(32))
    sig = _b64url(hmac.new(key, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    return f"{header}.{payload}.{sig}"


def password(rng: random.Random) -> str:
    words = ["Sommer", "Winter", "Falcon", "Mango", "Tiger", "Lisbon", "Rocket", "Coffee", "Garden", "Blue"]
    style = rng.random()
    if style < 0.5:
        return rng.choice(words) + str(rng.randint(1, 2025)) + rng.choice("!#$%&*?")
    pool = string.ascii_letters + string.digits + "!#$%&*?@"
    while True:
        pw = "".join(rng.choice(pool) for _ in range(rng.randint(9, 14)))
        if any(c.isdigit() for c in pw) and any(c.isalpha() for c in pw):
            return pw


def verification_code(rng: random.Random) -> str:
    code = f"{rng.randint(0, 999_999):06d}"
    if rng.random() < 0.3:
        return code[:3] + "-" + code[3:]
    return code


# -- decoys (no span) ---------------------------------------------------------


def decoy(rng: random.Random) -> str:
    kind = rng.choice(
        [
            "order", "order", "amazon_order", "po", "timestamp", "timestamp", "epoch", "price", "price",
            "date", "date", "tracking_ups", "tracking_usps", "tracking_fedex", "bad_card", "bad_card",
            "bad_iban", "bad_ssn", "six_digits", "commit", "version", "invoice", "bad_phone",
        ]
    )
    if kind == "order":
        return f"order #{rng.randint(10**12, 10**13 - 1)}"
    if kind == "amazon_order":
        return f"order {rng.randint(100, 999)}-{rng.randint(10**6, 10**7 - 1)}-{rng.randint(10**6, 10**7 - 1)}"
    if kind == "po":
        return f"PO-{rng.randint(2019, 2025)}-{rng.randint(0, 99999):05d}"
    if kind == "timestamp":
        y, mo, d = rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28)
        h, mi, s = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
        return rng.choice(
            [
                f"{y}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}",
                f"{d:02d}/{mo:02d}/{y}, {h:02d}:{mi:02d}",
                f"{y}{mo:02d}{d:02d}{h:02d}{mi:02d}{s:02d}",
            ]
        )
    if kind == "epoch":
        return f"ts={rng.randint(1_500_000_000, 1_760_000_000)}"
    if kind == "price":
        return rng.choice(
            [
                f"${rng.randint(1, 9)},{rng.randint(0, 999):03d}.{rng.randint(0, 99):02d}",
                f"€ {rng.randint(1, 9)}.{rng.randint(0, 999):03d},{rng.randint(0, 99):02d}",
                f"{rng.randint(10, 99999)}.{rng.randint(0, 99):02d} USD",
                f"₹{rng.randint(1, 99)},{rng.randint(0, 99):02d},{rng.randint(0, 999):03d}",
            ]
        )
    if kind == "date":
        y, mo, d = rng.randint(2019, 2026), rng.randint(1, 12), rng.randint(1, 28)
        return rng.choice(
            [
                f"{y}-{mo:02d}-{d:02d}",
                f"{d:02d}.{mo:02d}.{y}",
                f"{mo:02d}/{d:02d}/{y}",
                f"{d:02d}-{mo:02d}-{y} {rng.randint(8, 18)}:{rng.choice(['00', '15', '30', '45'])}",
            ]
        )
    if kind == "tracking_ups":
        return "1Z" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16))
    if kind == "tracking_usps":
        digits = "9400" + "".join(rng.choice(string.digits) for _ in range(18))
        return " ".join(digits[i : i + 4] for i in range(0, 22, 4))
    if kind == "tracking_fedex":
        d = "".join(rng.choice(string.digits) for _ in range(12))
        return f"{d[:4]} {d[4:8]} {d[8:]}"
    if kind == "bad_card":
        digits, brand = card_number(rng)
        bad = digits[:-1] + str((int(digits[-1]) + rng.randint(1, 9)) % 10)
        return format_card(bad, brand, rng)
    if kind == "bad_iban":
        good = iban(rng)
        wrong = f"{(int(good[2:4]) + rng.randint(1, 90)) % 97 + 2:02d}"
        if wrong == good[2:4]:
            wrong = f"{(int(wrong) + 1) % 97 + 2:02d}"
        return format_iban(good[:2] + wrong + good[4:], rng)
    if kind == "bad_ssn":
        area = rng.choice(["000", "666", str(rng.randint(900, 999))])
        return f"{area}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
    if kind == "six_digits":
        return rng.choice(["room", "invoice", "ticket", "postcode", "batch"]) + f" {rng.randint(100000, 999999)}"
    if kind == "commit":
        return "commit " + "".join(rng.choice("0123456789abcdef") for _ in range(40))
    if kind == "version":
        return f"v{rng.randint(1, 12)}.{rng.randint(0, 40)}.{rng.randint(0, 20)} (build {rng.randint(10, 19)}.0.{rng.randint(10000, 22999)}.{rng.randint(100, 4000)})"
    if kind == "invoice":
        return f"INV-{rng.randint(10**9, 10**10 - 1)}"
    # bad_phone: too short for any plan
    return f"+{rng.choice(['44', '49', '33'])} {rng.randint(10, 99)} {rng.randint(100, 999)}"


# -- message assembly ---------------------------------------------------------


@dataclass
class Builder:
    parts: list[str] = field(default_factory=list)
    spans: list[dict] = field(default_factory=list)
    pos: int = 0

    def text(self, s: str) -> None:
        self.parts.append(s)
        self.pos += len(s)

    def entity(self, entity: str, value: str) -> None:
        self.spans.append({"entity": entity, "start": self.pos, "end": self.pos + len(value)})
        self.text(value)

    def done(self) -> tuple[str, list[dict]]:
        return "".join(self.parts), sorted(self.spans, key=lambda s: (s["start"], s["end"]))


# Each template is a list of items: plain strings, or ("ENTITY", generator) /
# ("DECOY",) / ("NAME",) / ("FIRST",) / ("CITY",) placeholders.


def _ent(name: str):
    return ("ENT", name)


TEMPLATES: list[list] = [
    ["can you pay the supplier? card ", _ent("CREDIT_CARD"), " exp 09/27"],
    ["Karte: ", _ent("CREDIT_CARD"), " bitte heute noch buchen"],
    ["use my card ", _ent("CREDIT_CARD"), " for the booking ", ("EMOJI",)],
    ["tarjeta ", _ent("CREDIT_CARD"), ", caduca 11/26"],
    ["卡号 ", _ent("CREDIT_CARD"), " 谢谢"],
    ["the corporate card is ", _ent("CREDIT_CARD"), " cvv in the vault"],
    ["pls transfer to IBAN ", _ent("IBAN_CODE"), " ref ", ("DECOY",)],
    ["new account details: ", _ent("IBAN_CODE"), " (", ("NAME",), ")"],
    ["Kontoverbindung ", _ent("IBAN_CODE"), " danke ", ("EMOJI",)],
    ["paid ", ("DECOY",), " to ", _ent("IBAN_CODE")],
    ["call me on ", _ent("PHONE_NUMBER"), " when you land in ", ("CITY",)],
    ["my new number is ", _ent("PHONE_NUMBER"), " ", ("EMOJI",)],
    [("FIRST",), "'s mobile: ", _ent("PHONE_NUMBER")],
    ["ruf mich an unter ", _ent("PHONE_NUMBER")],
    ["llámame al ", _ent("PHONE_NUMBER"), " por favor"],
    ["customer ", ("NAME",), " ssn ", _ent("US_SSN"), " for the loan form"],
    ["SSN: ", _ent("US_SSN_PLAIN")],
    ["her social security number is ", _ent("US_SSN")],
    ["send it to ", _ent("EMAIL_ADDRESS"), " pls"],
    ["email ", ("NAME",), " at ", _ent("EMAIL_ADDRESS"), " about ", ("DECOY",)],
    ["cc ", _ent("EMAIL_ADDRESS"), " and ", _ent("EMAIL_ADDRESS")],
    ["here is the link ", _ent("URL"), " ", ("EMOJI",)],
    ["login at ", _ent("URL"), " with the usual creds"],
    ["report: ", _ent("URL")],
    ["the server is ", _ent("IP_ADDRESS"), ", port 8443"],
    ["blocked from ", _ent("IP_ADDRESS"), " again ", ("EMOJI",)],
    ["ssh into ", _ent("IP_ADDRESS"), " and restart it"],
    ["aws key ", _ent("AWS_ACCESS_KEY"), " secret ", _ent("AWS_SECRET_KEY")],
    ["AWS_ACCESS_KEY_ID=", _ent("AWS_ACCESS_KEY")],
    ["aws_secret_access_key = ", _ent("AWS_SECRET_KEY")],
    ["use this token ", _ent("GITHUB_TOKEN"), " for the CI"],
    ["github token: ", _ent("GITHUB_TOKEN")],
    ["Authorization: Bearer ", _ent("JWT")],
    ["jwt for staging ", _ent("JWT"), " expires tonight"],
    ["password is ", _ent("PASSWORD"), " dont share"],
    ["wifi pw: ", _ent("PASSWORD")],
    ["Passwort: ", _ent("PASSWORD"), " ", ("EMOJI",)],
    ["la contraseña es ", _ent("PASSWORD")],
    ["the vpn password for ", ("FIRST",), " is ", _ent("PASSWORD")],
    ["hey can you send me the WhatsApp code you just got? it's ", _ent("VERIFICATION_CODE")],
    ["Your WhatsApp code: ", _ent("VERIFICATION_CODE"), ". Don't share this code with others"],
    ["verification code ", _ent("VERIFICATION_CODE"), " pls quick ", ("EMOJI",)],
    ["OTP is ", _ent("VERIFICATION_CODE")],
    ["Bestätigungscode: ", _ent("VERIFICATION_CODE")],
    ["验证码 ", _ent("VERIFICATION_CODE"), " 请勿告诉他人"],
    ["sorry wrong number, what was the code? ", _ent("VERIFICATION_CODE"), " right?"],
    ["meeting with ", ("NAME",), " in ", ("CITY",), " tomorrow"],
    ["thanks ", ("FIRST",), "! ", ("EMOJI",)],
    [("NAME",), " is flying to ", ("CITY",), " on ", ("DECOY",)],
    ["ask ", ("NAME",), " to sign it, she is in ", ("CITY",)],
    ["we moved the office to ", ("CITY",), " ", ("EMOJI",)],
    ["ok ", ("EMOJI",)],
    ["running late, 10 min"],
    ["where is ", ("DECOY",), "?"],
    ["status of ", ("DECOY",), " pls"],
    ["invoice total ", ("DECOY",), ", due ", ("DECOY",)],
    ["parcel ", ("DECOY",), " shipped ", ("DECOY",)],
    ["ref ", ("DECOY",), " ", ("EMOJI",)],
    ["is ", ("DECOY",), " the right one or ", ("DECOY",), "?"],
    ["lol ", ("EMOJI",), ("EMOJI",)],
    ["see you at 5"],
    ["can you check ", ("DECOY",), " for ", ("NAME",), "?"],
]


def _value(entity: str, rng: random.Random) -> tuple[str, str]:
    """Returns (label, text) for a placeholder entity."""
    if entity == "CREDIT_CARD":
        digits, brand = card_number(rng)
        return "CREDIT_CARD", format_card(digits, brand, rng)
    if entity == "IBAN_CODE":
        return "IBAN_CODE", format_iban(iban(rng), rng)
    if entity == "PHONE_NUMBER":
        return "PHONE_NUMBER", phone_number(rng)
    if entity == "US_SSN":
        return "US_SSN", ssn(rng)
    if entity == "US_SSN_PLAIN":
        return "US_SSN", ssn(rng, dashed=rng.random() < 0.5)
    if entity == "EMAIL_ADDRESS":
        return "EMAIL_ADDRESS", email(rng)
    if entity == "URL":
        return "URL", url(rng)
    if entity == "IP_ADDRESS":
        return "IP_ADDRESS", ip_address(rng)
    if entity == "AWS_ACCESS_KEY":
        return "AWS_ACCESS_KEY", aws_access_key(rng)
    if entity == "AWS_SECRET_KEY":
        return "AWS_SECRET_KEY", aws_secret_key(rng)
    if entity == "GITHUB_TOKEN":
        return "GITHUB_TOKEN", github_token(rng)
    if entity == "JWT":
        return "JWT", jwt(rng)
    if entity == "PASSWORD":
        return "PASSWORD", password(rng)
    if entity == "VERIFICATION_CODE":
        return "VERIFICATION_CODE", verification_code(rng)
    raise ValueError(entity)


def message(rng: random.Random) -> tuple[str, list[dict]]:
    b = Builder()
    if rng.random() < 0.12:
        b.text(rng.choice(["hi ", "hey ", "Hallo ", "hola ", "ok so ", "FYI "]))
    for item in rng.choice(TEMPLATES):
        if isinstance(item, str):
            b.text(item)
        elif item[0] == "ENT":
            label, value = _value(item[1], rng)
            b.entity(label, value)
        elif item[0] == "DECOY":
            b.text(decoy(rng))
        elif item[0] == "EMOJI":
            b.text(rng.choice(EMOJI))
        elif item[0] == "NAME":
            first, last = person(rng)
            b.entity("PERSON", f"{first} {last}")
        elif item[0] == "FIRST":
            b.entity("PERSON", rng.choice(FIRST_NAMES))
        elif item[0] == "CITY":
            b.entity("LOCATION", rng.choice(CITIES))
        else:
            raise ValueError(item)
    if rng.random() < 0.2:
        b.text(" " + rng.choice(EMOJI))
    text, spans = b.done()
    case_free = {"PERSON", "LOCATION", "EMAIL_ADDRESS"}
    if rng.random() < 0.08 and all(s["entity"] in case_free for s in spans):
        # all-lowercase chat style ("thanks priya"); only where lowering keeps
        # every labeled value what it was and every offset where it was
        lowered = text.lower()
        if len(lowered) == len(text):
            text = lowered
    return text, spans


def generate(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        text, spans = message(rng)
        out.append({"id": f"chat-{i:05d}", "text": text, "spans": spans})
    return out
