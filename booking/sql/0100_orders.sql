-- Orders and everything written in the same transaction as an order's change: its passengers,
-- its history (one row per status change), the outbox events it emits, and the idempotency keys
-- that created it. Money is numeric + an ISO 4217 code, never a float.
CREATE TABLE orders (
    id                  text PRIMARY KEY CHECK (id LIKE 'ord\_%'),
    owner               text NOT NULL,                    -- the JWT `sub` of the traveler
    booking_reference   text NOT NULL UNIQUE CHECK (booking_reference ~ '^[A-Z0-9]{6}$'),
    type                text NOT NULL CHECK (type IN ('hold', 'instant')),
    -- `pending` (airline not yet asked or not yet answered) and `failed` (the airline refused)
    -- are internal: clients only ever see held, confirmed, cancelled and expired orders.
    status              text NOT NULL CHECK (status IN
                            ('pending', 'held', 'confirmed', 'cancelled', 'expired', 'failed')),
    payment_status      text NOT NULL DEFAULT 'unpaid' CHECK (payment_status IN
                            ('unpaid', 'processing', 'paid', 'refunded', 'failed')),
    offer_id            text NOT NULL,
    connector           text NOT NULL,                    -- which airline connector holds it
    airline_locator     text,                             -- the airline's PNR once held
    total_amount        numeric(12, 2) NOT NULL CHECK (total_amount >= 0),
    total_currency      char(3) NOT NULL,
    payment_required_by timestamptz,
    slices              jsonb NOT NULL,                   -- the offer's slices, as API.md shows them
    ticket_numbers      text[] NOT NULL DEFAULT '{}',
    failure_reason      text,                             -- why it failed, or why it was refunded
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
-- A traveler's orders, newest first, by cursor (created_at, id).
CREATE INDEX orders_owner_newest ON orders (owner, created_at DESC, id DESC);
-- The reconciler's and the hold sweeper's work lists stay small: partial indexes.
CREATE INDEX orders_pending ON orders (created_at) WHERE status = 'pending';
CREATE INDEX orders_held_until ON orders (payment_required_by) WHERE status = 'held';

CREATE TABLE order_passengers (
    order_id     text NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position     smallint NOT NULL CHECK (position >= 0),
    type         text NOT NULL CHECK (type IN ('adult', 'child', 'infant')),
    given_name   text NOT NULL,
    family_name  text NOT NULL,
    born_on      date NOT NULL,
    gender       text NOT NULL CHECK (gender IN ('m', 'f', 'x')),
    email        text,
    phone_number text,
    PRIMARY KEY (order_id, position)
);

-- One row per change of status or payment status, written by the same guarded UPDATE's
-- transaction, so a change that lost a race leaves no history behind.
CREATE TABLE order_history (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id            text NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    from_status         text,                             -- NULL for the order's creation
    to_status           text NOT NULL,
    from_payment_status text,
    to_payment_status   text NOT NULL,
    reason              text NOT NULL,                    -- e.g. "created", "held at airline"
    actor               text NOT NULL,                    -- a subject, "reconciler", "sweeper", ...
    at                  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_history_order ON order_history (order_id, id);

-- Stripe's idempotency semantics, scoped to the caller: (owner, key) is claimed by one request
-- (INSERT ... ON CONFLICT DO NOTHING), which stores its answer in the same transaction as the
-- change it made. `resource_id` is the recovery point: set as soon as the order row exists, so
-- a retry after a crash finds the order instead of creating a second one.
CREATE TABLE idempotency_keys (
    owner           text NOT NULL,
    key             text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_method  text NOT NULL,
    request_path    text NOT NULL,
    request_hash    bytea NOT NULL,                       -- SHA-256 of the canonical body
    resource_id     text,
    response_status smallint,                             -- NULL while in progress
    response_body   bytea,
    locked_until    timestamptz,                          -- an in-progress claim's lease
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL DEFAULT now() + interval '24 hours',
    PRIMARY KEY (owner, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- The transactional outbox: an event is a row written in the transaction of the change it
-- describes. The relay publishes unpublished rows in `id` order and then sets `published_at`.
CREATE TABLE outbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id     uuid NOT NULL UNIQUE,
    type         text NOT NULL,                           -- order.created, order.held, ...
    order_id     text NOT NULL,
    payload      jsonb NOT NULL,                          -- the whole booking.events.Event
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
