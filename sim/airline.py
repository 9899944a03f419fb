"""`SimAirline`: one seller's sales system — shopping, pricing, holds, tickets and cancels.

Its methods never await, so every change of seats and bookings is atomic on the event loop.
Failures are `AirlineError`s carrying the status and code of REST_API.md.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence

import msgspec

from sim import errors
from sim.airports import distance_km
from sim.bookings import Booking, BookingDesk, BookingDraft
from sim.catalog import AirlineSpec, Cabin
from sim.fare_ids import FareIdCodec, FareKey
from sim.fares import RATES, Money, PaxType, adult_fare_usd, journey_price
from sim.inventory import Inventory, unit_hash
from sim.journeys import Journey, journeys
from sim.laps import lap_pairs
from sim.offers import MAX_FARES, Option, combine
from sim.schedule import Flight, LegInstance, Schedule
from sim.wire import BookingRequest, ShoppingRequest

QUOTE_VALIDITY = dt.timedelta(minutes=30)
HOLD_TIME = dt.timedelta(hours=24)
PAY_BEFORE_DEPARTURE = dt.timedelta(hours=2)
SALES_CLOSE = dt.timedelta(hours=2, minutes=30)  # so every hold has time to be paid
HORIZON_DAYS = 361
JOURNEYS_KEPT = 4096  # (carrier, origin, destination, day, stops) whose journeys are kept
COMBOS_KEPT = 4096  # shopping requests whose cheapest combinations are kept (`_combos`)


class Quote(msgspec.Struct, frozen=True):
    """A priced fare: its id, the key the id encodes, and the flights it covers."""

    fare_id: str
    key: FareKey
    journeys: tuple[Journey, ...]
    price: Money
    seats_left: int


class SimAirline:
    """One simulated airline (or consolidator) over the shared schedule and inventory."""

    def __init__(
        self,
        spec: AirlineSpec,
        *,
        schedule: Schedule,
        inventory: Inventory,
        desk: BookingDesk,
        operators: Mapping[str, AirlineSpec],
        secret: bytes,
        seed: int,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.spec = spec
        self._schedule = schedule
        self._inventory = inventory
        self.inventory = inventory  # seat maps read it (sim/seat_sales.py)
        self.desk = desk
        self._operators = operators
        self._codec = FareIdCodec(secret, spec.slug)
        self._seed = seed
        self.seed = seed
        self._clock = clock
        carriers = spec.resells or (spec.code,)
        self._hubs = {c: tuple(operators[c].hubs) for c in carriers}
        self.airports = tuple(
            sorted({a for c in carriers for h, ds in operators[c].hubs.items() for a in (h, *ds)})
        )
        # What flies is a pure function of the timetable: found once, priced on every search.
        self._journeys = functools.lru_cache(maxsize=JOURNEYS_KEPT)(self._find_journeys)
        self._kept_combos: dict[object, tuple[list[tuple[Option, ...]], dt.datetime]] = {}

    def now(self) -> dt.datetime:
        return self._clock().replace(microsecond=0)

    def shop(self, request: ShoppingRequest) -> list[Quote]:
        """The cheapest fares (at most `MAX_FARES`) covering every journey of the request."""
        _check_travellers(request)
        if request.currency not in RATES:
            raise errors.AirlineError(
                400, "unsupported_currency", f"{request.currency!r}: one of {', '.join(RATES)}"
            )
        for wanted in request.journeys:
            if wanted.origin == wanted.destination:
                raise errors.bad_request(f"{wanted.origin}: origin and destination are the same")
        now = self.now()
        valid_until = int((now + QUOTE_VALIDITY).timestamp())
        return [self._quote(request, combo, valid_until) for combo in self._combos(request, now)]

    def _combos(self, request: ShoppingRequest, now: dt.datetime) -> list[tuple[Option, ...]]:
        """The cheapest combinations of options: kept for the day, while the seats stay as
        they were (`Inventory.version`) and no flight among them closes for sale."""
        key = (request, now.date(), self._inventory.version)
        kept = self._kept_combos.get(key)
        if kept is not None and now < kept[1]:
            return kept[0]
        per_journey: list[list[Option]] = []
        closes = dt.datetime.max.replace(tzinfo=dt.UTC)
        for wanted in request.journeys:
            options, next_close = self._options(
                request, wanted.origin, wanted.destination, wanted.date, now
            )
            per_journey.append(options)
            closes = min(closes, next_close)
        combos = combine(per_journey)[:MAX_FARES] if all(per_journey) else []
        if len(self._kept_combos) >= COMBOS_KEPT:
            self._kept_combos.clear()  # a bound, not an eviction policy: recomputed on demand
        self._kept_combos[key] = (combos, closes)
        return combos

    def price(self, fare_id: str) -> tuple[Quote, bool]:
        """Re-price a quoted fare with today's load; True when its total moved (new id)."""
        return self._reprice(self._valid_key(fare_id), self.now())

    def book(self, request: BookingRequest) -> tuple[Booking, bool]:
        """Hold seats for `request.reference` once; a repeated reference returns its booking."""
        now = self.now()
        existing = self.desk.by_reference(request.reference, now)
        if existing is not None:
            return existing, False
        key = self._valid_key(request.fare_id)
        _check_passengers(key, request)
        laps = lap_pairs(request)
        quote, changed = self._reprice(key, now)
        if changed:
            raise errors.AirlineError(
                409, "price_changed", "the fare's price moved", price=quote.price
            )
        legs = tuple((leg.flight, leg.date) for j in quote.journeys for leg in j)
        first = quote.journeys[0][0]
        booking = self.desk.hold(
            BookingDraft(
                reference=request.reference,
                price=quote.price,
                pay_by=min(now + HOLD_TIME, first.depart_utc - PAY_BEFORE_DEPARTURE),
                legs=legs,
                cabin=key.cabin,
                seats=key.adults + key.children,
                passengers=len(request.passengers),
                ticket_prefix=self._operators[first.flight.carrier].ticket_prefix,
                passenger_types=tuple(p.type for p in request.passengers),
                laps=laps,
                journey_legs=tuple(len(j) for j in quote.journeys),
                journey_prices=self._journey_prices(key, quote.journeys, now.date()),
            )
        )
        if booking is None:
            raise errors.sold_out()
        return booking, True

    def retrieve(self, reference: str) -> Booking:
        booking = self.desk.by_reference(reference, self.now())
        if booking is None:
            raise errors.booking_not_found()
        return booking

    def order(self, locator: str) -> Booking:
        """The booking of the airline's own `locator` (NDC retrieves by OrderID too)."""
        return self._booking(locator)

    def ticket(self, locator: str) -> Booking:
        booking = self._booking(locator)
        if booking.status == "CANCELLED":
            raise errors.AirlineError(409, "booking_cancelled", "cancelled or expired")
        self.desk.ticket(booking)
        return booking

    def cancel(self, locator: str) -> Booking:
        booking = self._booking(locator)
        self.desk.cancel(booking)
        return booking

    def fare_legs(self, fare_id: str) -> tuple[FareKey, tuple[LegInstance, ...]]:
        """The key of a valid fare id and every leg it flies (seat maps of an offer)."""
        key = self._valid_key(fare_id)
        return key, tuple(leg for idents in key.journeys for leg in self._legs(idents))

    def leg_instance(self, flight: Flight, day: dt.date) -> LegInstance:
        return self._schedule.instance(flight, day)

    def booking(self, locator: str) -> Booking:
        return self._booking(locator)

    def _booking(self, locator: str) -> Booking:
        booking = self.desk.by_locator(locator, self.now())
        if booking is None:
            raise errors.booking_not_found()
        return booking

    def _options(
        self,
        request: ShoppingRequest,
        origin: str,
        destination: str,
        day: dt.date,
        now: dt.datetime,
    ) -> tuple[list[Option], dt.datetime]:
        """The options of one journey, and when the first of the flights they leave on closes
        for sale (as of then, the options are not these any more)."""
        today = now.date()
        closes = dt.datetime.max.replace(tzinfo=dt.UTC)
        if not 0 <= (day - today).days <= HORIZON_DAYS:
            return [], closes
        found = []
        for carrier in self._hubs:
            for legs in self._journeys(carrier, origin, destination, day, request.max_stops):
                if legs[0].depart_utc < now + SALES_CLOSE:
                    continue
                closes = min(closes, legs[0].depart_utc - SALES_CLOSE)
                seats = self._seats_left(legs, request.cabin)
                if seats < request.travellers.seated:
                    continue
                money = self._journey_price(
                    legs, request.cabin, _pax(request), request.currency, today
                )
                found.append(Option.of(legs, money, seats))
        return found, closes

    def _find_journeys(
        self, carrier: str, origin: str, destination: str, day: dt.date, max_stops: int
    ) -> tuple[Journey, ...]:
        hubs = self._hubs[carrier]
        stops = max_stops
        return tuple(
            journeys(self._schedule, carrier, hubs, origin, destination, day, max_stops=stops)
        )

    def _seats_left(self, legs: Journey, cabin: Cabin) -> int:
        return min(self._inventory.seats_left(leg.flight, leg.date, cabin) for leg in legs)

    def _journey_price(
        self, legs: Journey, cabin: Cabin, pax: dict[PaxType, int], currency: str, today: dt.date
    ) -> Money:
        first, last = legs[0].flight, legs[-1].flight
        airports = self._schedule.airports
        adult = adult_fare_usd(
            distance_km=distance_km(airports[first.origin], airports[last.destination]),
            cabin=cabin,
            days_out=(legs[0].date - today).days,
            load=max(self._inventory.load_factor(leg.flight, leg.date, cabin) for leg in legs),
            stops=len(legs) - 1,
            seller_factor=self._seller_factor(first.carrier, first.number),
        )
        return journey_price(adult, segments=len(legs), travellers=pax, currency=currency)

    def _seller_factor(self, carrier: str, number: str) -> float:
        factor = self._operators[carrier].price_factor
        if self.spec.resells:
            # A consolidator's contract rates: some flights below the airline's price, some above.
            factor *= self.spec.price_factor * (
                0.9 + 0.15 * unit_hash(self._seed, self.spec.code, carrier, number)
            )
        return factor

    def _quote(self, request: ShoppingRequest, combo: Sequence[Option], valid_until: int) -> Quote:
        money = combo[0].money
        for option in combo[1:]:
            money = money + option.money
        t = request.travellers
        key = FareKey(
            journeys=tuple(o.ident for o in combo),
            cabin=request.cabin,
            adults=t.ADT,
            children=t.CHD,
            infants=t.INF,
            currency=request.currency,
            total=money.total,
            valid_until=valid_until,
        )
        return Quote(
            fare_id=self._codec.encode(key),
            key=key,
            journeys=tuple(o.legs for o in combo),
            price=money,
            seats_left=min(o.seats_left for o in combo),
        )

    def _valid_key(self, fare_id: str) -> FareKey:
        key = self._codec.decode(fare_id)
        if key is None:
            raise errors.fare_not_found()
        if key.valid_until <= self.now().timestamp():
            raise errors.fare_expired()
        return key

    def _reprice(self, key: FareKey, now: dt.datetime) -> tuple[Quote, bool]:
        legs_per_journey = tuple(self._legs(idents) for idents in key.journeys)
        seats = min(self._seats_left(legs, key.cabin) for legs in legs_per_journey)
        if seats < key.adults + key.children:
            raise errors.sold_out()
        pax: dict[PaxType, int] = {"ADT": key.adults, "CHD": key.children, "INF": key.infants}
        money = Money(key.currency, 0, 0)
        for legs in legs_per_journey:
            money = money + self._journey_price(legs, key.cabin, pax, key.currency, now.date())
        changed = money.total != key.total
        if changed:
            valid_until = int((now + QUOTE_VALIDITY).timestamp())
            key = msgspec.structs.replace(key, total=money.total, valid_until=valid_until)
        fare_id = self._codec.encode(key)
        return Quote(fare_id, key, legs_per_journey, money, seats), changed

    def _journey_prices(
        self, key: FareKey, legs_per_journey: tuple[Journey, ...], today: dt.date
    ) -> tuple[Money, ...]:
        """Each journey's share of the fare, priced as `_reprice` prices the whole."""
        pax: dict[PaxType, int] = {"ADT": key.adults, "CHD": key.children, "INF": key.infants}
        return tuple(
            self._journey_price(legs, key.cabin, pax, key.currency, today)
            for legs in legs_per_journey
        )

    def _legs(self, idents: tuple[tuple[str, str, int], ...]) -> Journey:
        legs = []
        for carrier, number, ordinal in idents:
            flight = self._schedule.flight(carrier, number)
            if flight is None or carrier not in self._hubs:
                raise errors.fare_not_found()
            legs.append(self._schedule.instance(flight, dt.date.fromordinal(ordinal)))
        return tuple(legs)


def _pax(request: ShoppingRequest) -> dict[PaxType, int]:
    t = request.travellers
    return {"ADT": t.ADT, "CHD": t.CHD, "INF": t.INF}


def _check_travellers(request: ShoppingRequest) -> None:
    t = request.travellers
    if t.ADT < 1:
        raise errors.bad_request("travellers: at least one adult (ADT)")
    if t.INF > t.ADT:
        raise errors.bad_request("travellers: one infant (INF) per adult at most")


def _check_passengers(key: FareKey, request: BookingRequest) -> None:
    types: list[PaxType] = [p.type for p in request.passengers]
    wanted: dict[PaxType, int] = {"ADT": key.adults, "CHD": key.children, "INF": key.infants}
    if any(types.count(t) != n for t, n in wanted.items()) or len(types) != sum(wanted.values()):
        raise errors.AirlineError(
            422, "invalid_passengers", f"the fare is for {wanted}, the booking names {len(types)}"
        )
