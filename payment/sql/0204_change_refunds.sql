-- A change to a cheaper slice gives its difference back across the order's charges, latest
-- first, as a cancellation does (payment/ledger.py `split`): its parts are `order_refunds` rows
-- naming the change (`change_id`), owed in the transaction that changes the order and paid
-- after its commit, a refusal retried by the payment reconciler. It used to refund only the
-- payment that paid the order, which a change to a dearer slice (charged on its own intent) left
-- too little to give back: the gateway refused, and the change was undone.
ALTER TABLE order_refunds ADD COLUMN change_id text;  -- och_…; NULL: the cancellation's part

ALTER TABLE order_refunds DROP CONSTRAINT order_refunds_order_id_charge_id_key;
CREATE UNIQUE INDEX order_refunds_once_per_cancel ON order_refunds (order_id, charge_id)
    WHERE change_id IS NULL;                          -- an order is cancelled once
CREATE UNIQUE INDEX order_refunds_once_per_change ON order_refunds (change_id, charge_id)
    WHERE change_id IS NOT NULL;                      -- a change is refunded once

-- The changes confirmed before this refunded the payment that paid their order, at once: written
-- here as the parts they were, so the ledger reads every refund from this one table.
INSERT INTO order_refunds (id, order_id, charge_id, intent_id, amount, currency, reason, status,
                           change_id, created_at, updated_at, refunded_at)
SELECT 'rfd_' || substr(md5(c.id), 1, 24), c.order_id, p.id, p.gateway_intent_id, -c.due_amount,
       c.currency, 'the flight change ' || c.id || ' cost less', 'refunded', c.id,
       coalesce(c.confirmed_at, c.created_at), now(), coalesce(c.confirmed_at, c.created_at)
FROM order_changes c
JOIN payments p ON p.order_id = c.order_id AND p.order_paid AND p.gateway_intent_id IS NOT NULL
WHERE c.status = 'confirmed' AND c.due_amount < 0;

-- The rule of 0203, with only the cancellation's parts: a change's refund is not a refund owed
-- for the order having ended.
CREATE OR REPLACE FUNCTION assert_ended_order_keeps_no_money(ended_order text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM orders o JOIN payments p ON p.order_id = o.id
        WHERE o.id = ended_order
          AND o.status IN ('cancelled', 'expired', 'failed') AND o.payment_status = 'paid'
          AND p.order_paid AND p.status = 'succeeded'
          AND NOT EXISTS (
              SELECT 1 FROM order_refunds r WHERE r.order_id = o.id AND r.change_id IS NULL)
    ) THEN
        RAISE EXCEPTION 'order % ended while its payment stays captured with no refund owed',
            ended_order USING ERRCODE = 'integrity_constraint_violation';
    END IF;
END $$;
