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
    # checksum-validated identifiers (issue 3: F1 >= 0.95 on each)
    "UK_NHS",
    "CN_RESIDENT_ID",
    "IN_AADHAAR",
    "US_NPI",
    "DEA_NUMBER",
    "SG_NRIC",
    "ES_NIF",
    "IT_FISCAL_CODE",
    "CRYPTO",
]
NEVER_PRESENT_ENTITIES = [
    "US_DRIVER_LICENSE",
    "US_BANK_NUMBER",
    "US_PASSPORT",
    "US_ITIN",
    "UK_NINO",
    "MEDICAL_LICENSE",
    "SWIFT_BIC",
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


# -- checksum-validated identifiers --------------------------------------------
# Check algorithms as published: NHS Digital's modulus 11; GB 11643-1999 (ISO 7064
# MOD 11-2) for China's resident id; UIDAI's Verhoeff check digit for Aadhaar; CMS's
# Luhn over "80840" + 9 digits for the NPI; the DEA registration check digit;
# Singapore's NRIC/FIN weights and letter tables; Spain's DNI letter (mod 23); Italy's
# codice fiscale odd/even tables (DM 12/03/1974); Bitcoin base58check (version 0x00)
# and bech32 (BIP-173) addresses.


def nhs_check(nine: str) -> int | None:
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def nhs_valid(v: str) -> bool:
    d = v.replace(" ", "")
    return len(d) == 10 and d.isdigit() and nhs_check(d[:9]) == int(d[9])


def uk_nhs(rng: random.Random) -> str:
    while True:
        nine = str(rng.randint(4, 9)) + "".join(rng.choice(string.digits) for _ in range(8))
        c = nhs_check(nine)
        if c is not None:
            d = nine + str(c)
            return f"{d[:3]} {d[3:6]} {d[6:]}" if rng.random() < 0.7 else d


CN_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CN_REGIONS = ["110101", "110105", "310104", "310115", "440305", "440106", "330106", "510107", "320102", "420106"]


def cn_check(seventeen: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(seventeen, CN_WEIGHTS)) % 11]


def cn_valid(v: str) -> bool:
    return len(v) == 18 and v[:17].isdigit() and cn_check(v[:17]) == v[17]


def cn_resident_id(rng: random.Random) -> str:
    body = (rng.choice(CN_REGIONS) + f"{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            + f"{rng.randint(0, 999):03d}")
    return body + cn_check(body)


VERHOEFF_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
VERHOEFF_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]
VERHOEFF_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def verhoeff_check(payload: str) -> int:
    c = 0
    for i, d in enumerate(reversed(payload)):
        c = VERHOEFF_D[c][VERHOEFF_P[(i + 1) % 8][int(d)]]
    return VERHOEFF_INV[c]


def verhoeff_valid(number: str) -> bool:
    c = 0
    for i, d in enumerate(reversed(number)):
        c = VERHOEFF_D[c][VERHOEFF_P[i % 8][int(d)]]
    return c == 0


def aadhaar(rng: random.Random) -> str:
    eleven = str(rng.randint(2, 9)) + "".join(rng.choice(string.digits) for _ in range(10))
    d = eleven + str(verhoeff_check(eleven))
    return f"{d[:4]} {d[4:8]} {d[8:]}" if rng.random() < 0.75 else d


def npi_valid(v: str) -> bool:
    return len(v) == 10 and v.isdigit() and luhn_valid("80840" + v)


def us_npi(rng: random.Random) -> str:
    nine = str(rng.randint(1, 2)) + "".join(rng.choice(string.digits) for _ in range(8))
    return nine + luhn_check_digit("80840" + nine)


def dea_check(six: str) -> str:
    d = [int(c) for c in six]
    return str((d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10)


def dea_valid(v: str) -> bool:
    return len(v) == 9 and v[:2].isalpha() and v[2:].isdigit() and dea_check(v[2:8]) == v[8]


def dea_number(rng: random.Random) -> str:
    six = "".join(rng.choice(string.digits) for _ in range(6))
    return rng.choice("ABCFGMPX") + rng.choice(string.ascii_uppercase) + six + dea_check(six)


NRIC_WEIGHTS = [2, 7, 6, 5, 4, 3, 2]


def nric_letter(prefix: str, seven: str) -> str:
    total = sum(int(d) * w for d, w in zip(seven, NRIC_WEIGHTS)) + (4 if prefix in "TG" else 0)
    table = "JZIHGFEDCBA" if prefix in "ST" else "XWUTRQPNMLK"
    return table[total % 11]


def nric_valid(v: str) -> bool:
    return len(v) == 9 and v[0] in "STFG" and v[1:8].isdigit() and nric_letter(v[0], v[1:8]) == v[8]


def sg_nric(rng: random.Random) -> str:
    prefix = rng.choice("SSTTFG")
    seven = "".join(rng.choice(string.digits) for _ in range(7))
    return prefix + seven + nric_letter(prefix, seven)


DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def es_nif_valid(v: str) -> bool:
    d = v.replace("-", "")
    return len(d) == 9 and d[:8].isdigit() and DNI_LETTERS[int(d[:8]) % 23] == d[8]


def es_nif(rng: random.Random) -> str:
    n = rng.randint(10_000_000, 99_999_999)
    return f"{n}{DNI_LETTERS[n % 23]}" if rng.random() < 0.8 else f"{n}-{DNI_LETTERS[n % 23]}"


CF_ODD = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                  [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21,
                   2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]))
CF_MONTHS = "ABCDEHLMPRST"
CF_TOWNS = ["H501", "F205", "L219", "G273", "A662", "D612", "C351", "L736"]


def cf_check(fifteen: str) -> str:
    total = 0
    for i, c in enumerate(fifteen):
        if i % 2 == 0:  # 1st, 3rd, ... character (1-based odd)
            total += CF_ODD[c]
        else:
            total += int(c) if c.isdigit() else ord(c) - ord("A")
    return chr(ord("A") + total % 26)


def cf_valid(v: str) -> bool:
    return len(v) == 16 and v.isalnum() and v.isupper() and cf_check(v[:15]) == v[15]


def it_fiscal_code(rng: random.Random) -> str:
    consonants = "BCDFGHLMNPRSTVZ"
    letters = "".join(rng.choice(consonants) for _ in range(3)) + "".join(rng.choice(consonants + "AEIOU") for _ in range(3))
    day = rng.randint(1, 28) + (40 if rng.random() < 0.5 else 0)
    body = letters + f"{rng.randint(50, 99):02d}" + rng.choice(CF_MONTHS) + f"{day:02d}" + rng.choice(CF_TOWNS)
    return body + cf_check(body)


B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58check(payload: bytes) -> str:
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58check_valid(v: str) -> bool:
    n = 0
    for c in v:
        if c not in B58:
            return False
        n = n * 58 + B58.index(c)
    raw = n.to_bytes(25, "big") if n.bit_length() <= 200 else b""
    return len(raw) == 25 and hashlib.sha256(hashlib.sha256(raw[:21]).digest()).digest()[:4] == raw[21:]


BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_polymod(values: list[int]) -> int:
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (b >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def bech32_address(program: bytes) -> str:
    acc, bits, data = 0, 0, [0]  # witness version 0
    for byte in program:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    poly = _bech32_polymod(_hrp_expand("bc") + data + [0] * 6) ^ 1
    check = [(poly >> 5 * (5 - i)) & 31 for i in range(6)]
    return "bc1" + "".join(BECH32[d] for d in data + check)


def bech32_valid(v: str) -> bool:
    if not v.startswith("bc1") or any(c not in BECH32 for c in v[3:]):
        return False
    return _bech32_polymod(_hrp_expand("bc") + [BECH32.index(c) for c in v[3:]]) == 1


def crypto_address(rng: random.Random) -> str:
    program = bytes(rng.getrandbits(8) for _ in range(20))
    if rng.random() < 0.5:
        return b58check(b"\0" + program)
    return bech32_address(program)


# -- decoys (no span) ---------------------------------------------------------


def decoy(rng: random.Random) -> str:
    kind = rng.choice(
        [
            "order", "order", "amazon_order", "po", "timestamp", "timestamp", "epoch", "price", "price",
            "date", "date", "tracking_ups", "tracking_usps", "tracking_fedex", "bad_card", "bad_card",
            "bad_iban", "bad_ssn", "six_digits", "commit", "version", "invoice", "bad_phone",
            "bad_nhs", "bad_cn_id", "bad_aadhaar", "bad_npi", "bad_dea", "bad_nric", "bad_nif",
            "bad_fiscal", "bad_btc",
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
    if kind == "bad_nhs":
        while True:
            d = uk_nhs(rng).replace(" ", "")
            bad = d[:9] + str((int(d[9]) + rng.randint(1, 9)) % 10)
            if not nhs_valid(bad):
                return f"NHS no. {bad[:3]} {bad[3:6]} {bad[6:]}"
    if kind == "bad_cn_id":
        good = cn_resident_id(rng)
        wrong = rng.choice([c for c in "0123456789X" if c != good[17]])
        return "身份证 " + good[:17] + wrong
    if kind == "bad_aadhaar":
        while True:
            d = aadhaar(rng).replace(" ", "")
            bad = d[:11] + str((int(d[11]) + rng.randint(1, 9)) % 10)
            if not verhoeff_valid(bad):
                return f"aadhaar {bad[:4]} {bad[4:8]} {bad[8:]}"
    if kind == "bad_npi":
        good = us_npi(rng)
        return "NPI " + good[:9] + str((int(good[9]) + rng.randint(1, 9)) % 10)
    if kind == "bad_dea":
        good = dea_number(rng)
        return "DEA " + good[:8] + str((int(good[8]) + rng.randint(1, 9)) % 10)
    if kind == "bad_nric":
        good = sg_nric(rng)
        table = "JZIHGFEDCBA" if good[0] in "ST" else "XWUTRQPNMLK"
        return "NRIC " + good[:8] + rng.choice([c for c in table if c != good[8]])
    if kind == "bad_nif":
        n = rng.randint(10_000_000, 99_999_999)
        return f"DNI {n}" + rng.choice([c for c in DNI_LETTERS if c != DNI_LETTERS[n % 23]])
    if kind == "bad_fiscal":
        good = it_fiscal_code(rng)
        return "codice fiscale " + good[:15] + rng.choice([c for c in string.ascii_uppercase if c != good[15]])
    if kind == "bad_btc":
        good = crypto_address(rng)
        i = rng.randint(5, len(good) - 2)
        alphabet = BECH32 if good.startswith("bc1") else B58
        swap = rng.choice([c for c in alphabet if c != good[i]])
        return "btc " + good[:i] + swap + good[i + 1:]
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
    ["my NHS number is ", _ent("UK_NHS"), " for the referral"],
    ["patient NHS no ", _ent("UK_NHS"), ", GP in ", ("CITY",)],
    ["身份证号 ", _ent("CN_RESIDENT_ID"), " 请核对"],
    ["ID card (身份证): ", _ent("CN_RESIDENT_ID")],
    ["Aadhaar: ", _ent("IN_AADHAAR"), " for the KYC"],
    ["his aadhaar number is ", _ent("IN_AADHAAR")],
    ["prescriber NPI ", _ent("US_NPI"), " on the claim"],
    ["the provider's NPI is ", _ent("US_NPI")],
    ["DEA# ", _ent("DEA_NUMBER"), " for the script"],
    ["prescriber DEA number ", _ent("DEA_NUMBER")],
    ["NRIC ", _ent("SG_NRIC"), " for the account opening"],
    ["my FIN is ", _ent("SG_NRIC"), " ", ("EMOJI",)],
    ["DNI ", _ent("ES_NIF"), ", gracias"],
    ["el NIF es ", _ent("ES_NIF")],
    ["codice fiscale ", _ent("IT_FISCAL_CODE"), " per il contratto"],
    ["CF: ", _ent("IT_FISCAL_CODE")],
    ["send the BTC to ", _ent("CRYPTO"), " asap"],
    ["wallet: ", _ent("CRYPTO")],
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
    checksum_ids = {
        "UK_NHS": uk_nhs, "CN_RESIDENT_ID": cn_resident_id, "IN_AADHAAR": aadhaar, "US_NPI": us_npi,
        "DEA_NUMBER": dea_number, "SG_NRIC": sg_nric, "ES_NIF": es_nif, "IT_FISCAL_CODE": it_fiscal_code,
        "CRYPTO": crypto_address,
    }
    if entity in checksum_ids:
        return entity, checksum_ids[entity](rng)
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
