-- What an order was sold under, for what cancelling (and changing) it costs: the offer's taxes
-- and fare conditions, copied at creation. NULL on orders made before this migration (their
-- cancellation refunds in full, as it always did).
ALTER TABLE orders
    ADD COLUMN tax_amount numeric(12, 2) CHECK (tax_amount >= 0),
    ADD COLUMN refundable boolean,
    ADD COLUMN changeable boolean;

-- Cancellation quotes (booking/cancellations.py): what cancelling the order costs and gives back,
-- for a few minutes. Confirming performs exactly this, in the transaction that cancels the
-- order; the order's status, payment status and updated_at at quote time tell whether it
-- changed since.
CREATE TABLE order_cancellations (
    id                   text PRIMARY KEY CHECK (id LIKE 'ocr\_%'),
    order_id             text NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    status               text NOT NULL CHECK (status IN ('quoted', 'confirmed')),
    refund_amount        numeric(12, 2) NOT NULL CHECK (refund_amount >= 0),
    penalty_amount       numeric(12, 2) NOT NULL CHECK (penalty_amount >= 0),
    currency             char(3) NOT NULL,
    refund_to            text,                        -- NULL: nothing to refund
    order_status         text NOT NULL,
    order_payment_status text NOT NULL,
    order_updated_at     timestamptz NOT NULL,
    actor                text NOT NULL,               -- who asked for the quote
    expires_at           timestamptz NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    confirmed_at         timestamptz,
    confirmed_by         text
);
CREATE INDEX order_cancellations_order ON order_cancellations (order_id);
