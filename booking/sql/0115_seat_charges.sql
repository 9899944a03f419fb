-- Seat changes paid after the order was (POST /v1/orders/{id}/seats on a confirmed order): each
-- charges the difference to a card through the payment gateway (payment/seat_charges.py) and
-- gives the seats only once the card is charged. Kept beside the orders (booking's range of
-- versions) because migrations apply in version order and this one must not wait for 0200.
--
-- A charge's status:  processing → succeeded | failed;  processing → refunding → refunded
-- (charged, but the airline gave the seat away meanwhile: the money goes back).
CREATE TABLE seat_charges (
    id                text PRIMARY KEY CHECK (id LIKE 'sch\_%'),
    order_id          text NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    owner             text NOT NULL,
    amount            numeric(12, 2) NOT NULL CHECK (amount > 0),
    currency          char(3) NOT NULL,
    seats             jsonb NOT NULL,                 -- the seats bought, as OrderSeat
    status            text NOT NULL CHECK (status IN
                          ('processing', 'succeeded', 'failed', 'refunding', 'refunded')),
    gateway_intent_id text UNIQUE,
    failure_reason    text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
-- One seat change of an order in flight at a time: a second one (or a retry of the first)
-- while the card is being charged is refused, so no seat is ever charged twice.
CREATE UNIQUE INDEX seat_charges_one_live_per_order ON seat_charges (order_id)
    WHERE status IN ('processing', 'refunding');
CREATE INDEX seat_charges_order ON seat_charges (order_id, created_at);
CREATE INDEX seat_charges_stale ON seat_charges (updated_at)
    WHERE status IN ('processing', 'refunding');
