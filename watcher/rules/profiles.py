"""Marketplace profiles: the deadlines and thresholds rules use, with their reasoning.

A profile is a validated `[profiles.NAME]` table. Built-in profiles ship with watcher; a user table
with a built-in's name overrides only the keys it sets, any other name defines a new profile based
on the `aliexpress` defaults. Per-shipment values (`max_delivery_days`) override the profile.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from watcher.domain.errors import ConfigError

if TYPE_CHECKING:
    from watcher.domain.models import ShipmentView


class Profile(BaseModel):
    """Deadlines and stage thresholds for one marketplace, in days unless the key says otherwise."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # --- Deadlines -------------------------------------------------------------------------
    # AliExpress promises delivery within the order's "buyer protection" period; for standard
    # shipping to Europe/US that is at most 60 days from the order (Choice orders are shorter and
    # show their own date: set `protection_ends` on the shipment when the order page gives one).
    max_delivery_days: int = Field(default=60, gt=0, le=365)
    # Days added to ordered_at + max_delivery_days. 0 for AliExpress (the period runs from the
    # order); a marketplace that counts from dispatch can add its handling time here.
    deadline_extra_days: int = Field(default=0, ge=0, le=365)
    # Without `ordered_at`: "created_at" estimates the order date from when watcher first saw the
    # shipment, "none" computes no deadline at all (no deadline rules, no dates in advice).
    deadline_without_order_date: Literal["created_at", "none"] = "created_at"
    # People add a parcel when the seller sends the tracking number, typically 1-5 days after the
    # order. Subtracting 3 days keeps an estimated deadline from landing after the real one.
    assumed_order_lag_days: int = Field(default=3, ge=0, le=60)
    # After protection ends AliExpress completes the order and still accepts a dispute for 15 days.
    # watcher always asks for disputes before the deadline; this is the last-chance date it
    # gives once the deadline has passed.
    dispute_window_days: int = Field(default=15, ge=0, le=180)
    # Warn this many days before the deadline: enough to ask the seller to extend protection
    # (sellers usually answer within 1-3 days) and still open a dispute in time.
    deadline_near_days: int = Field(default=10, ge=0, le=120)
    # Contacting the seller first is only useful while at least this many days remain; closer
    # than that, watcher recommends opening the dispute directly.
    contact_seller_lead_days: int = Field(default=7, ge=0, le=60)
    # Sellers get 5 days to answer a dispute on AliExpress; after a week without a resolution
    # watcher recommends escalating (asking AliExpress to decide). Timed from the dispute's
    # opening (`watcher case TRACKING dispute-opened`), or from `not-received` without one.
    escalate_after_days: int = Field(default=7, ge=1, le=60)
    # The seller's reply period in a dispute (AliExpress dispute help: the seller has 5 days to
    # respond, or the dispute is decided for the buyer). A seller's reply restarts it for the buyer.
    seller_reply_days: int = Field(default=5, ge=1, le=60)
    # Every act_by lands at least this many days before the platform's own deadline: time zones,
    # a slow answer from support or a missed evening must not cost the buyer their rights.
    act_margin_days: int = Field(default=1, ge=0, le=14)
    # A "delivered" scan is commonly reported to cut the remaining protection to about 5 days
    # (the order is confirmed automatically unless the buyer disputes): the deadline becomes the
    # earlier of the order's and the delivery day + this.
    delivered_protection_days: int = Field(default=5, ge=0, le=60)
    # What remains once the dispute window has closed (buyer-protection mechanisms outside the
    # marketplace): a card chargeback, commonly 120 days from the expected delivery date
    # (Visa/Mastercard "merchandise not received"), and a PayPal claim, 180 days from payment.
    chargeback_days: int = Field(default=120, ge=0, le=540)
    paypal_claim_days: int = Field(default=180, ge=0, le=540)

    # --- Before shipment ---------------------------------------------------------------------
    # Handling time is 3-7 days on most listings and the first carrier scan shows 1-3 days after
    # handover. Nothing but "label created" 10 days after the order is the classic fake-shipment
    # pattern (a label printed to mark the order shipped).
    not_shipped_days: int = Field(default=10, gt=0, le=120)
    # Still not shipped after 20 days: stop asking the seller, open a dispute ("tracking not
    # updated"); by then the seller has had every chance.
    not_shipped_dispute_days: int = Field(default=20, gt=0, le=180)

    # --- Stage stall thresholds (no new event for longer than this) ----------------------------
    # Sorting in China (Cainiao hubs) until departure: usually 2-5 days, up to a week in sales
    # peaks (11.11, Chinese New Year).
    origin_processing_days: int = Field(default=10, gt=0, le=120)
    # The international leg is the long silent one: economy lines consolidate parcels and fly or
    # truck them with no scans for 1-3 weeks. Below 20 days silence is normal there.
    international_transit_days: int = Field(default=20, gt=0, le=120)
    # EU/US customs clear most small parcels in 1-5 days; 10 days means a hold or a backlog.
    customs_days: int = Field(default=10, gt=0, le=120)
    # From arrival in the destination country to delivery the local post scans at least every
    # few days; a week of silence is worth a question.
    last_mile_days: int = Field(default=7, gt=0, le=120)
    # "Out for delivery" normally ends the same day; 2 days without a delivery or attempt scan
    # means the parcel is misrouted or the scan is missing.
    out_for_delivery_days: int = Field(default=2, gt=0, le=30)
    # A parcel that stalled this many times (counting the current stall) is treated as likely
    # lost: the alert becomes critical and recommends a dispute.
    repeat_stall_count: int = Field(default=2, ge=1, le=20)
    # "Likely lost" (critical, open a dispute) needs a long silence, not two moderate ones: from
    # the `repeat_stall_count`-th stall on, the current silence must reach twice its leg's
    # threshold; a first stall only once it reaches this many days (as long as the whole standard
    # delivery promise). Confidence: medium (rule of thumb; the deadline ladder acts earlier).
    likely_lost_days: int = Field(default=60, gt=0, le=365)
    # A hand-over announces the destination post's number; the new leg is polled on the next
    # cycle and destination posts often show a handed-over number only after 1-3 days. No stall
    # is raised while a follow-on number younger than this has reported nothing yet.
    handover_grace_days: int = Field(default=3, ge=0, le=30)

    # --- Delivery ------------------------------------------------------------------------------
    # Post offices and lockers keep parcels 7 days (Deutsche Post, DHL Packstation, PostNL) to
    # 15-18 days (USPS, Royal Mail) before returning them: 7 is the safe default.
    pickup_hold_days: int = Field(default=7, gt=0, le=60)
    # Holding periods by pickup place, overriding pickup_hold_days: a lower-case key matches the
    # event's location or text ("packstation"), an upper-case two-letter key the destination
    # country. Values are "N days" or "N working days" (Monday to Saturday). Sources: DHL
    # (Packstation 7 days; post office/Filiale 7 working days), USPS (15 days).
    pickup_holds: dict[str, str] = Field(
        default_factory=lambda: {
            "packstation": "7 days",
            "DE": "7 working days",
            "US": "15 days",
        }
    )
    # Customs and couriers return held parcels when nobody answers, usually after 14-20 days.
    customs_response_days: int = Field(default=14, gt=0, le=90)
    # Couriers take damage and loss claims within 30 days on most services (UPU allows longer,
    # private couriers often less).
    courier_claim_days: int = Field(default=30, gt=0, le=365)
    # Tracking says delivered: give the owner 3 days (weekend, neighbour, mailroom) to run
    # `watcher received` before asking.
    delivered_unconfirmed_days: int = Field(default=3, ge=0, le=60)
    # Fastest believable time from first carrier scan to delivery, by destination country ("*"
    # for all others). Air parcels China -> Europe take 5 days at best and to the US 6 days;
    # 3 days or less is a sign of a fake "delivered" scan. Domestic legs (first scan already in
    # the destination country, e.g. EU warehouses) are not checked.
    fast_delivery_days: dict[str, int] = Field(default_factory=lambda: {"*": 3, "US": 4})
    # Routes with a documented fast service, "ORIGIN-DEST" (origin = country of the first carrier
    # scan, "*" for any): the fastest believable days there, replacing `fast_delivery_days`.
    # China -> Hong Kong/Macau is next-day road freight; AliExpress Choice to South Korea
    # advertises 3-5 day delivery with next-day hand-over to CJ Logistics. Confidence: medium.
    fast_routes: dict[str, int] = Field(
        default_factory=lambda: {"CN-HK": 0, "CN-MO": 0, "CN-KR": 1}
    )
    # Every parcel of this profile goes by an express service (DHL Express, FedEx, UPS, EMS):
    # define e.g. `[profiles.aliexpress-express]` with `express = true` and set that marketplace on
    # the shipment. Express parcels are never "too fast" (1-3 days China -> Europe is normal).
    express: bool = False
    # Tracking numbers of express services, as regular expressions over the whole number: UPU S10
    # service indicator E (EMS), UPS "1Z" (18 characters), DHL Express waybills (10 digits),
    # FedEx (12 digits), SF Express ("SF" + 12-13 digits). Their parcels are never "too fast".
    express_number_patterns: list[str] = Field(
        default_factory=lambda: [
            "E[A-Z][0-9]{9}[A-Z]{2}",
            "1Z[0-9A-Z]{16}",
            "[0-9]{10}",
            "[0-9]{12}",
            "SF[0-9]{12,13}",
        ]
    )
    # Flag a delivery when the timeline never showed the destination country, customs or a
    # local delivery scan before it: real parcels pass those points, fake deliveries skip them.
    require_last_mile: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        if self.not_shipped_dispute_days < self.not_shipped_days:
            raise ValueError("not_shipped_dispute_days must be >= not_shipped_days")
        for key, value in self.pickup_holds.items():
            if parse_hold(value) is None:
                raise ValueError(
                    f"pickup_holds.{key}: expected 'N days' or 'N working days', got {value!r}"
                )
        if any(days < 0 for days in self.fast_delivery_days.values()):
            raise ValueError("fast_delivery_days values must be >= 0")
        if any(days < 0 for days in self.fast_routes.values()):
            raise ValueError("fast_routes values must be >= 0")
        for pattern in self.express_number_patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(
                    f"express_number_patterns: bad pattern {pattern!r}: {exc}"
                ) from None
        return self


def parse_hold(text: str) -> tuple[int, bool] | None:
    """'7 days' -> (7, False), '7 working days' -> (7, True); None when malformed."""
    words = text.lower().split()
    if len(words) not in (2, 3) or not words[0].isdigit() or words[-1] not in ("day", "days"):
        return None
    if len(words) == 3 and words[1] != "working":
        return None
    days = int(words[0])
    return (days, len(words) == 3) if 0 < days <= 60 else None


#: Profiles shipped with watcher. User tables with these names override only the keys they set.
BUILTIN_PROFILES: dict[str, Profile] = {"aliexpress": Profile()}

_BASE_PROFILE = "aliexpress"


def resolve_profile(
    profiles: Mapping[str, Mapping[str, Any]],
    marketplace: str,
    shipment: ShipmentView | None = None,
) -> Profile:
    """The profile for a marketplace with user overrides and the shipment's own values applied."""
    # An unknown name (a shipment added from the CLI with a typo) gets the base defaults rather
    # than stopping the daemon; config files are checked by validate_profiles at load time.
    base = BUILTIN_PROFILES.get(marketplace, BUILTIN_PROFILES[_BASE_PROFILE])
    table = dict(profiles.get(marketplace, {}))
    if shipment is not None and shipment.max_delivery_days is not None:
        table["max_delivery_days"] = shipment.max_delivery_days
    if not table:
        return base
    return Profile.model_validate({**base.model_dump(), **table})


def known_profiles(profiles: Mapping[str, Any]) -> list[str]:
    """Every profile name: built-ins plus user tables."""
    return sorted(set(BUILTIN_PROFILES) | set(profiles))


def validate_profiles(profiles: Mapping[str, Any], marketplaces: Sequence[str], where: str) -> None:
    """Raise ConfigError naming file and key for a bad profile table or unknown marketplace.

    `marketplaces` are the configured shipments' marketplaces, in order (`shipments[i]`).
    """
    for name, table in profiles.items():
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where}: profiles.{name}: must be a table")
        base = BUILTIN_PROFILES.get(name, BUILTIN_PROFILES[_BASE_PROFILE])
        try:
            Profile.model_validate({**base.model_dump(), **table})
        except ValidationError as exc:
            raise ConfigError(f"{where}: profiles.{name}{_describe(exc)}") from None
    known = known_profiles(profiles)
    for index, marketplace in enumerate(marketplaces):
        if marketplace not in known:
            raise ConfigError(
                f"{where}: shipments[{index}].marketplace: unknown marketplace profile "
                f"{marketplace!r} (known: {', '.join(known)})"
            )


def _describe(exc: ValidationError) -> str:
    """The first problem as '.key: message' (a problem of the whole table has no key)."""
    error = exc.errors()[0]
    key = "".join(f".{part}" for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key"
    message = error["msg"].removeprefix("Value error, ")
    if error["loc"]:
        return f"{key}: {message} (got {error.get('input')!r})"
    return f": {message}"
