"""Tracking numbers from what users paste: a number, or a marketplace's or carrier's tracking page URL. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from watcher.domain.errors import InputError

#: Query or fragment parameters that carry a tracking number, by site.
NUMBER_KEYS = (
    "mailNoList",  # Cainiao global.cainiao.com/detail.htm
    "mailNo",
    "nums",  # 17TRACK t.17track.net/#nums=
    "logisticsNo",  # AliExpress tracking page
    "trackingNumber",
    "tracking-id",  # DHL
    "piececode",  # DHL Germany
    "tracknum",  # UPS
    "trknbr",  # FedEx
    "tracknumbers",
    "tLabels",  # USPS
    "qtc_tLabels1",
    "code",  # La Poste
    "B",  # PostNL tracktrace/?B=
    "barcode",
    "tracking_number",
    "number",
)
#: Parameters that carry an order number (AliExpress order and tracking pages).
ORDER_KEYS = ("tradeOrderId", "orderId", "tradeId")
#: A path segment that looks like a tracking number: letters and digits, with at least one digit.
_SEGMENT = re.compile(r"^(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{8,40}$")
#: PostNL: <barcode>-<country>-<postcode> in the path.
_POSTNL = re.compile(r"^([A-Za-z0-9]{8,40})-[A-Za-z]{2}-[A-Za-z0-9]+$")


@dataclass(frozen=True)
class Pasted:
    """What a pasted text held: the tracking number and, from AliExpress pages, the order id."""

    number: str
    order_id: str | None = None
    source: str | None = None  # the site, when it came from a URL


def is_url(text: str) -> bool:
    """Whether `text` looks like a web address rather than a number."""
    stripped = text.strip().lower()
    return stripped.startswith(("http://", "https://", "www.")) or "://" in stripped


def from_pasted(text: str) -> Pasted:
    """The tracking number in `text`: the text itself, or the number a tracking page URL holds."""
    if not is_url(text):
        return Pasted(text)
    url = text.strip()
    parts = urlsplit(url if "://" in url else f"https://{url}")
    host = parts.hostname or "?"
    params = _params(parts.query) | _params(parts.fragment.split("?", 1)[-1].lstrip("/"))
    order = next((params[k] for k in ORDER_KEYS if params.get(k)), None)
    number = next((params[k] for k in NUMBER_KEYS if params.get(k)), None)
    if number is None:
        number = _from_path(f"{parts.path}/{parts.fragment}")
    if number is None:
        if order:
            raise InputError(
                f"{host}: this order page holds no tracking number (order {order}); copy the "
                f"tracking number from it and run `watcher add TRACKING --order-id {order}`"
            )
        raise InputError(f"{host}: no tracking number found in this address: {url}")
    numbers = [n for n in re.split(r"[,\s]+", number) if n]
    if len(numbers) > 1:
        raise InputError(
            f"{host}: this address holds {len(numbers)} tracking numbers"
            f" ({', '.join(numbers)}); add them one at a time"
        )
    return Pasted(numbers[0], order_id=order, source=host)


def _params(text: str) -> dict[str, str]:
    """Query-style `a=b&c=d` pairs (first value of each)."""
    if "=" not in text:
        return {}
    return {key: values[0].strip() for key, values in parse_qs(text).items() if values[0].strip()}


def _from_path(path: str) -> str | None:
    """The last path segment that looks like a tracking number (Royal Mail, PostNL, ...)."""
    for segment in reversed([unquote(s) for s in re.split(r"[/#]", path) if s]):
        postnl = _POSTNL.match(segment)
        if postnl:
            return postnl.group(1)
        if _SEGMENT.match(segment) and not segment.lower().endswith(("html", "htm")):
            return segment
    return None
