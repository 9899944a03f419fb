-- What the gateway holds of a payment can differ from what we recorded: a support agent refunds
-- part of a charge from the gateway's dashboard (its `charge.refunded` webhook says the charge
-- is not refunded in full, which moves nothing here), or the gateway captured another amount (or
-- currency) than the payment asked for. The payment reconciler audits captured payments against
-- the gateway's intent (payment/audit.py) and records each difference here, once, for finance
-- and support to settle: nothing is refunded or charged on its own (a refund "to even out" a
-- dashboard refund could give money back twice). `audited_at` turns the audit over every
-- captured payment, least recently audited first.
ALTER TABLE payments ADD COLUMN audited_at timestamptz;
CREATE INDEX payments_audit_turn ON payments (audited_at NULLS FIRST, id)
    WHERE status IN ('succeeded', 'refunded') AND gateway_intent_id IS NOT NULL;

CREATE TABLE payment_discrepancies (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    payment_id  text NOT NULL REFERENCES payments (id) ON DELETE CASCADE,
    order_id    text NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    intent_id   text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('captured_differs', 'refunded_differs')),
    ours        numeric(12, 2) NOT NULL,                -- what we recorded
    gateways    numeric(12, 2) NOT NULL,                -- what the gateway says
    currency    char(3) NOT NULL,                       -- the gateway's
    found_at    timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,                            -- set by whoever settled it
    -- One row per difference as found: a further dashboard refund is a new row.
    UNIQUE (payment_id, kind, ours, gateways, currency)
);
CREATE INDEX payment_discrepancies_open ON payment_discrepancies (found_at)
    WHERE resolved_at IS NULL;
