-- Payments of orders and the gateway events already applied. Money is numeric + an ISO 4217
-- code, never a float; the amount is the order's, copied when the payment starts.
--
-- A payment's status:  processing → succeeded | failed;  succeeded → refunding → refunded.
-- `refunding` means a refund is owed: written BEFORE the gateway is asked, so a refund the
-- gateway did not confirm (a crash, a timeout) is retried, with the same idempotency key.
CREATE TABLE payments (
    id                text PRIMARY KEY CHECK (id LIKE 'pay\_%'),
    order_id          text NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    owner             text NOT NULL,                  -- the order's traveler (JWT `sub`)
    amount            numeric(12, 2) NOT NULL CHECK (amount > 0),
    currency          char(3) NOT NULL,
    status            text NOT NULL CHECK (status IN
                          ('processing', 'succeeded', 'failed', 'refunding', 'refunded')),
    gateway_intent_id text UNIQUE,                    -- NULL until the gateway has answered
    failure_reason    text,                           -- why the card was not charged
    refund_reason     text,                           -- why we gave the money back
    gateway_refund_id text,
    refunded_amount   numeric(12, 2) CHECK (refunded_amount > 0),
    -- Whether this payment moved its order's payment_status to `paid` (in the same
    -- transaction). Only such a payment moves it on to `refunded`: money that arrived after
    -- the payment was given up is refunded without touching an order another payment settled.
    order_paid        boolean NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    refunded_at       timestamptz,
    CHECK (refunded_amount IS NULL OR refunded_amount <= amount)
);
-- At most one payment per order in flight or holding the traveler's money: two concurrent
-- "pay" requests for one order cannot both charge it (the second insert fails). A declined
-- payment leaves room for the next card; money being (or already) given back blocks nothing.
CREATE UNIQUE INDEX payments_one_live_per_order ON payments (order_id)
    WHERE status IN ('processing', 'succeeded');
CREATE INDEX payments_order ON payments (order_id, created_at);
-- The refund retrier's and the reconciler's work lists stay small: partial indexes.
CREATE INDEX payments_refunding ON payments (updated_at) WHERE status = 'refunding';
CREATE INDEX payments_processing ON payments (updated_at) WHERE status = 'processing';

-- Every gateway event applied, by the gateway's event id: written in the transaction of the
-- change the event caused, so a redelivered event finds its id and changes nothing.
CREATE TABLE webhook_events (
    id          text PRIMARY KEY,
    type        text NOT NULL,
    payment_id  text REFERENCES payments (id) ON DELETE CASCADE,
    received_at timestamptz NOT NULL DEFAULT now()
);
