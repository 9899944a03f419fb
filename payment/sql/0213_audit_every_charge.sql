-- The payment reconciler's audit (payment/audit.py, 0211) read only `payments`, an order's own
-- payment; a flight change's difference (`order_changes`, charged to its own intent) and seats
-- bought after booking (`seat_charges`) capture money at the gateway too, and a dashboard refund
-- of either went unseen. Both are now audited in the same turn as payments: they get the
-- `audited_at` payments have, and a difference names its charge by kind and id (`payment_id`,
-- which references `payments`, stays the payment's when the charge is one; NULL otherwise).
ALTER TABLE order_changes ADD COLUMN audited_at timestamptz;
ALTER TABLE seat_charges ADD COLUMN audited_at timestamptz;
CREATE INDEX order_changes_audit_turn ON order_changes (audited_at NULLS FIRST, id)
    WHERE due_amount > 0;
-- What each audited charge gave back is read by its id (and the ledger reads it so too).
CREATE INDEX order_refunds_charge ON order_refunds (charge_id);
CREATE INDEX seat_charges_audit_turn ON seat_charges (audited_at NULLS FIRST, id)
    WHERE status IN ('succeeded', 'refunded') AND gateway_intent_id IS NOT NULL;

ALTER TABLE payment_discrepancies
    ADD COLUMN charge_kind text NOT NULL DEFAULT 'payment'
        CHECK (charge_kind IN ('payment', 'change', 'seat')),
    ADD COLUMN charge_id text;
UPDATE payment_discrepancies SET charge_id = payment_id;
ALTER TABLE payment_discrepancies
    ALTER COLUMN charge_id SET NOT NULL,
    ALTER COLUMN charge_kind DROP DEFAULT,
    ALTER COLUMN payment_id DROP NOT NULL,
    -- The kind says which table holds the charge (each table's ids carry its prefix); a
    -- payment's is still referenced through `payment_id`, the others' rows go with their order.
    ADD CONSTRAINT payment_discrepancies_charge_named CHECK (
        CASE charge_kind
            WHEN 'payment' THEN payment_id IS NOT DISTINCT FROM charge_id
            WHEN 'change' THEN payment_id IS NULL AND charge_id LIKE 'och\_%'
            ELSE payment_id IS NULL AND charge_id LIKE 'sch\_%'
        END);

-- One row per difference as found, now per charge (0211's key named the payment).
DO $$
DECLARE
    name text;
BEGIN
    SELECT conname INTO STRICT name FROM pg_constraint
    WHERE conrelid = 'payment_discrepancies'::regclass AND contype = 'u';
    EXECUTE format('ALTER TABLE payment_discrepancies DROP CONSTRAINT %I', name);
END $$;
CREATE UNIQUE INDEX payment_discrepancies_once ON payment_discrepancies
    (charge_id, kind, ours, gateways, currency);
