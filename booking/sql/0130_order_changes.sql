-- How the order's last flight change ended (booking/changes.py): {"id", "status", "detail", "at"}
-- as `booking.model.LastChange`; NULL until one is confirmed or fails.
ALTER TABLE orders ADD COLUMN last_change jsonb;

-- Change offers (booking/changes.py): one slice of an order flown another way, priced for a few
-- minutes. Confirming moves `quoted → confirming` first (the recovery point: a retry resumes
-- the steps, each idempotent by this id at the airline and the gateway), then `confirmed` in
-- the transaction that changes the order, or `failed` once the airline put the old flights back.
CREATE TABLE order_changes (
    id                   text PRIMARY KEY CHECK (id LIKE 'och\_%'),
    order_id             text NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    status               text NOT NULL
                         CHECK (status IN ('quoted', 'confirming', 'confirmed', 'failed')),
    slice_index          integer NOT NULL CHECK (slice_index >= 0),
    supplier_fare_id     text NOT NULL,
    new_slice            jsonb NOT NULL,
    fare_difference      numeric(12, 2) NOT NULL,  -- the airline's new total minus its old one
    penalty_amount       numeric(12, 2) NOT NULL CHECK (penalty_amount >= 0),
    due_amount           numeric(12, 2) NOT NULL,  -- charged now (> 0) or refunded (< 0)
    new_total_amount     numeric(12, 2) NOT NULL CHECK (new_total_amount >= 0),
    new_tax_amount       numeric(12, 2) CHECK (new_tax_amount >= 0),
    currency             char(3) NOT NULL,
    refundable           boolean NOT NULL,
    changeable           boolean NOT NULL,
    order_status         text NOT NULL,
    order_payment_status text NOT NULL,
    order_updated_at     timestamptz NOT NULL,
    actor                text NOT NULL,
    expires_at           timestamptz NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    payment_intent_id    text,                     -- the charge of `due_amount`, once made
    failure_reason       text,
    confirmed_at         timestamptz,
    confirmed_by         text
);
CREATE INDEX order_changes_order ON order_changes (order_id);
