-- While a release carrying 0204 rolls out, processes of the release before it run beside the new
-- ones on the migrated database. Those older processes give a cheaper change's difference back
-- the old way: one gateway refund of the payment that paid the order, key `<change id>:refund`,
-- made BEFORE the change's commit, and no `order_refunds` part. Two ways that moves money wrong:
--
-- 1. A change an older process confirms after 0204 ran is a refund the ledger (payment/ledger.py,
--    which reads only `order_refunds`) never sees: a later cancellation asks that payment for
--    money it gave back already (refused for ever) or prices its penalty on it.
--    -> The trigger below: a cheaper change of a paid order that commits `confirmed` without a
--       part of its own is one an older process refunded; it gets the part it was, as 0204 wrote
--       the changes confirmed before it. At commit, so a new process's parts (written later in
--       the same transaction) are seen first; it is a no-op for them.
-- 2. An older process that refunded and then died (or lost its database) before the commit
--    leaves the offer `confirming`; the retry or the change sweeper, on a new process, would owe
--    the difference again as new parts with new keys: a second refund the gateway accepts.
--    -> A resumed confirmation (booking/changes.py) owes the difference as ONE part on the
--       payment that paid the order whose first request carries the old key (`first_key`): the
--       gateway replays the older process's refund if it made one, or makes it now, once.
ALTER TABLE order_refunds ADD COLUMN first_key text;  -- attempt 0's key; NULL: `<id>:refund:0`

CREATE FUNCTION change_refund_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM order_refunds r WHERE r.change_id = NEW.id) THEN
        INSERT INTO order_refunds (id, order_id, charge_id, intent_id, amount, currency, reason,
                                   status, change_id, created_at, updated_at, refunded_at)
        SELECT 'rfd_' || substr(md5(NEW.id), 1, 24), NEW.order_id, p.id, p.gateway_intent_id,
               -NEW.due_amount, NEW.currency, 'the flight change ' || NEW.id || ' cost less',
               'refunded', NEW.id, now(), now(), now()
        FROM payments p
        WHERE p.order_id = NEW.order_id AND p.order_paid AND p.gateway_intent_id IS NOT NULL
        ORDER BY p.created_at DESC LIMIT 1;  -- the payment the older code refunded
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER change_refund_counted
    AFTER UPDATE OF status ON order_changes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.status = 'confirmed' AND OLD.status <> 'confirmed' AND NEW.due_amount < 0
          AND NEW.order_payment_status = 'paid')
    EXECUTE FUNCTION change_refund_counted();

-- The changes older processes confirmed between 0204 and this: written as 0204 wrote the rest.
INSERT INTO order_refunds (id, order_id, charge_id, intent_id, amount, currency, reason, status,
                           change_id, created_at, updated_at, refunded_at)
SELECT 'rfd_' || substr(md5(c.id), 1, 24), c.order_id, p.id, p.gateway_intent_id, -c.due_amount,
       c.currency, 'the flight change ' || c.id || ' cost less', 'refunded', c.id,
       coalesce(c.confirmed_at, c.created_at), now(), coalesce(c.confirmed_at, c.created_at)
FROM order_changes c
JOIN LATERAL (
    SELECT p.id, p.gateway_intent_id FROM payments p
    WHERE p.order_id = c.order_id AND p.order_paid AND p.gateway_intent_id IS NOT NULL
    ORDER BY p.created_at DESC LIMIT 1
) p ON true
WHERE c.status = 'confirmed' AND c.due_amount < 0 AND c.order_payment_status = 'paid'
  AND NOT EXISTS (SELECT 1 FROM order_refunds r WHERE r.change_id = c.id);

-- A payment the whole-payment path owes back (a failed ticketing, money for an ended order)
-- owes what it has left once a cheaper change's parts are taken off (payment/repository.py
-- `_LEFT`); one owed before that asked for all of it, which the gateway refuses for ever.
UPDATE payments p SET refunded_amount = p.amount - r.given, updated_at = now()
FROM (SELECT charge_id, sum(amount) AS given FROM order_refunds GROUP BY charge_id) r
WHERE r.charge_id = p.id AND p.status = 'refunding' AND p.refunded_amount IS NULL
  AND p.amount > r.given;
