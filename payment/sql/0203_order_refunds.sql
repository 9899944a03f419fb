-- What a cancellation gives back, split across the order's captured charges (payment/ledger.py):
-- its own payment, the differences flight changes charged (order_changes) and the seats paid
-- after booking (seat_charges). One row per charge refunded, written `owed` in the transaction
-- that cancels the order, so a crash after that commit leaves every part owed and the payment
-- reconciler pays it. Each part is one gateway refund: its key is `<id>:refund:<attempt>`; a
-- refusal (nothing moved) counts an attempt, so the retry is a new request, not the replayed
-- refusal; a call that did not answer keeps the key, so however often it is asked, the money
-- moves once.
--
-- A part's status:  owed → refunded.
CREATE TABLE order_refunds (
    id                text PRIMARY KEY CHECK (id LIKE 'rfd\_%'),
    order_id          text NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    charge_id         text NOT NULL,                  -- pay_…, och_… or sch_…
    intent_id         text NOT NULL,                  -- the gateway's intent that took it
    amount            numeric(12, 2) NOT NULL CHECK (amount > 0),
    currency          char(3) NOT NULL,
    reason            text NOT NULL,
    status            text NOT NULL CHECK (status IN ('owed', 'refunded')),
    attempt           integer NOT NULL DEFAULT 0,
    last_error        text,                           -- the gateway's last refusal
    gateway_refund_id text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    refunded_at       timestamptz,
    UNIQUE (order_id, charge_id)                      -- an order is cancelled once
);
CREATE INDEX order_refunds_owed ON order_refunds (updated_at) WHERE status = 'owed';

-- The rule of 0202, with the cancellation's parts: an ended order that is still `paid` keeps
-- its payment captured only when what it gives back is owed in order_refunds (a part of the
-- cancellation may be on another charge, or nothing of the fare at all on a non-refundable one).
CREATE OR REPLACE FUNCTION assert_ended_order_keeps_no_money(ended_order text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM orders o JOIN payments p ON p.order_id = o.id
        WHERE o.id = ended_order
          AND o.status IN ('cancelled', 'expired', 'failed') AND o.payment_status = 'paid'
          AND p.order_paid AND p.status = 'succeeded'
          AND NOT EXISTS (SELECT 1 FROM order_refunds r WHERE r.order_id = o.id)
    ) THEN
        RAISE EXCEPTION 'order % ended while its payment stays captured with no refund owed',
            ended_order USING ERRCODE = 'integrity_constraint_violation';
    END IF;
END $$;
