"""Tracking numbers: normalization, validation (UPU S10, Cainiao, generic), hand-overs in text."""

from __future__ import annotations

import re

from watcher.domain.errors import InputError
from watcher.domain.text import normalize_text

#: Weights of the UPU S10 check digit over the 8 serial digits.
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)

# ISO 3166-1 alpha-2 codes (officially assigned), the origin suffix of an S10 number.
ISO_COUNTRIES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
    BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
    GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
    KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
    MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
    TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
    ZW
    """.split()  # noqa: SIM905 - a table is easier to check than 249 quoted strings
)

_S10_SHAPE = re.compile(r"[A-Z]{2}\d{9}[A-Z]{2}")
_LP = re.compile(r"LP\d{14}")
_CAINIAO = re.compile(r"CAINIAO\d+")
_AE = re.compile(r"AEL?[A-Z0-9]+")
_GENERIC = re.compile(r"[A-Z0-9-]{6,40}")
_BAD_CHAR = re.compile(r"[^A-Z0-9-]")


def s10_check_digit(serial: str) -> int:
    """The UPU S10 check digit of an 8-digit serial number."""
    total = sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def is_s10(number: str) -> bool:
    """True when a normalized number has the S10 shape (2 letters, 9 digits, 2 letters)."""
    return _S10_SHAPE.fullmatch(number) is not None


#: Whitespace a user may type between groups of digits ("RR 1234 5678 5CN"); not line breaks.
_GROUP_SPACE = re.compile(r"[ \u00a0]+")
_MAX_RAW = 200  # longer input is not a tracking number, whatever it contains


def normalize_tracking_number(raw: str, *, check_digit: bool = True) -> str:
    """Strip spaces, upper-case and validate; raise InputError naming the problem.

    Spaces between groups are dropped; line breaks, tabs and other control characters are
    rejected (a pasted block of text is not one number), as are path-like strings ("../x").
    `check_digit=False` accepts an S10 number whose check digit does not add up: only for a
    number the provider issued in its own number field, never for text or user input.
    """
    text = str(raw).strip()
    if len(text) > _MAX_RAW:
        raise InputError(f"{text[:20]}...: expected 6-40 characters (got {len(text)})")
    control = next((ch for ch in text if ch.isspace() and ch not in " \u00a0"), None)
    if control is not None:
        raise InputError(f"{text.split()[0]}...: contains a line break or tab ({control!r})")
    number = _GROUP_SPACE.sub("", text).upper()
    if not number:
        raise InputError("empty tracking number")
    if not any(ch.isalnum() for ch in number):
        raise InputError(f"{number[:40]}: a tracking number needs at least one letter or digit")
    bad = _BAD_CHAR.search(number)
    if bad:
        raise InputError(f"{number}: invalid character {bad.group()!r} (allowed: A-Z, 0-9, -)")
    if is_s10(number):
        _validate_s10(number, check_digit=check_digit)
        return number
    if number.startswith("LP") and number[2:].isdigit() and not _LP.fullmatch(number):
        raise InputError(
            f"{number}: Cainiao LP numbers have 14 digits after LP (got {len(number) - 2})"
        )
    if not _GENERIC.fullmatch(number):
        raise InputError(f"{number}: expected 6-40 characters (got {len(number)})")
    return number


def _validate_s10(number: str, *, check_digit: bool = True) -> None:
    """Check an S10-shaped number's check digit and origin country."""
    serial, check, country = number[2:10], int(number[10]), number[11:]
    expected = s10_check_digit(serial)
    if check_digit and check != expected:
        raise InputError(f"{number}: bad S10 check digit (expected {expected})")
    if country not in ISO_COUNTRIES:
        raise InputError(f"{number}: unknown S10 origin country code {country!r}")


def valid_number(raw: str, *, check_digit: bool = True) -> str | None:
    """`normalize_tracking_number`, or None when it is not a valid number."""
    try:
        return normalize_tracking_number(raw, check_digit=check_digit)
    except InputError:
        return None


_TOKEN = re.compile(r"[A-Za-z0-9-]+")


def number_in_field(value: object) -> str | None:
    """The tracking number a provider's number field holds, label or not.

    Cainiao's `realMailNo` was seen as "Latest Tracking Number:\tRC000000003EE": the number is
    the token that validates (with at least 4 digits, so words like "TRACKING" do not), never
    the raw field. The provider issued it, so an S10 check digit is not enforced here.
    """
    if value is None:
        return None
    raw = str(value)
    if len(raw) > _MAX_RAW:
        return None
    for candidate in (*reversed(_TOKEN.findall(raw)), raw.strip()):  # the whole: "RR 1234 ..."
        found = valid_number(candidate, check_digit=False)
        if found and sum(ch.isdigit() for ch in found) >= 4:
            return found
    return None


def default_provider_for(number: str) -> str | None:
    """The provider that knows a number best by its shape; None means the settings' default."""
    if is_s10(number):
        return None  # postal numbers: any provider may know them; the user's default decides
    if _LP.fullmatch(number) or _CAINIAO.fullmatch(number) or _AE.fullmatch(number):
        return "cainiao"
    return None


# --------------------------------------------------------------------------- hand-over numbers

#: Words that announce another tracking number in event text (normalized, many languages).
_FOLLOW_ON_CUE = re.compile(
    r"tracking|waybill|follow ?up|last ?mile|new number|new no|hand(ed)? ?over|transferred|"
    r"sendungsnummer|ubergeben|seguimiento|suivi|rastreio|rastreamento|tracciamento|"
    r"trackingnummer|volgnummer|numer przesylki|трек|单号|转单|新单号|交接"
)
_CANDIDATE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{0,4}\d[A-Za-z0-9]{8,29})(?![A-Za-z0-9])")
_PHONE_CUE = re.compile(r"(tel|phone|call|fax|mobile|whatsapp|\+)[\W_]*$", re.IGNORECASE)


def _plausible_number(token: str, before: str) -> bool:
    """A conservative test for a carrier tracking number; `before` is the text preceding it."""
    if is_s10(token):
        return s10_check_digit(token[2:10]) == int(token[10])
    if token.isdigit():
        # Bare digit runs are often phone or order numbers: long ones only, never after "call".
        return 12 <= len(token) <= 30 and _PHONE_CUE.search(before[-16:]) is None
    return sum(ch.isdigit() for ch in token) >= 8


def follow_on_numbers_from_text(description: str | None) -> tuple[str, ...]:
    """Tracking numbers a hand-over event announces, e.g. "new tracking number RR123456785DE".

    Only numbers in text with a cue ("tracking number", "handed over", "转单号", ...) are
    returned, upper-cased, in order, without repeats. S10 numbers must pass their check digit.
    The caller drops numbers it already tracks.
    """
    if not description or _FOLLOW_ON_CUE.search(normalize_text(description)) is None:
        return ()
    found = (
        m.group(1).upper()
        for m in _CANDIDATE.finditer(description)
        if _plausible_number(m.group(1).upper(), description[: m.start()])
        and valid_number(m.group(1)) is not None
    )
    return tuple(dict.fromkeys(found))


# --------------------------------------------------------------------------- who to ask

#: The national post that issues S10 numbers ending in a country code (the number's suffix).
POSTS: dict[str, str] = {
    "DE": "Deutsche Post", "GB": "Royal Mail", "FR": "La Poste", "NL": "PostNL",
    "BE": "bpost", "LU": "POST Luxembourg", "ES": "Correos", "PT": "CTT", "IT": "Poste Italiane",
    "AT": "Österreichische Post", "CH": "Swiss Post", "PL": "Poczta Polska",
    "CZ": "Česká pošta", "SK": "Slovenská pošta", "HU": "Magyar Posta", "RO": "Poșta Română",
    "BG": "Bulgarian Posts", "GR": "ELTA", "DK": "PostNord", "SE": "PostNord", "NO": "Posten",
    "FI": "Posti", "EE": "Omniva", "LV": "Latvijas Pasts", "LT": "Lietuvos paštas",
    "IE": "An Post", "HR": "Hrvatska pošta", "SI": "Pošta Slovenije", "UA": "Ukrposhta",
    "RU": "Russian Post", "BY": "Belpochta", "TR": "PTT", "US": "USPS", "CA": "Canada Post",
    "MX": "Correos de México", "BR": "Correios", "AU": "Australia Post", "NZ": "NZ Post",
    "JP": "Japan Post", "KR": "Korea Post", "CN": "China Post", "HK": "Hongkong Post",
    "SG": "Singapore Post", "IL": "Israel Post", "IN": "India Post", "ZA": "SAPO",
}  # fmt: skip


def carrier_for_number(number: str) -> str | None:
    """Who issued a number, by its shape: an S10 number's post, Cainiao for LP/CAINIAO numbers."""
    if is_s10(number):
        return POSTS.get(number[-2:])
    if _LP.fullmatch(number) or _CAINIAO.fullmatch(number):
        return "Cainiao"
    return None


def origin_country_of(number: str) -> str | None:
    """The country a number says its parcel starts in: an S10 suffix, China for Cainiao numbers."""
    if is_s10(number) and number[-2:] in ISO_COUNTRIES:
        return number[-2:]
    if _LP.fullmatch(number) or _CAINIAO.fullmatch(number):
        return "CN"
    return None
