-- A third way the rolling deploy of 0204 moves money wrong (0205 has the other two): a process of
-- the release before 0204 reads every `order_refunds` part as a cancellation's, so its refund
-- reconciler, once it had paid a cheaper change's part, moved the live (changed, not cancelled)
-- order `paid → refunded` and its payment `refunded`: a later cancellation gave nothing back.
-- The rule, which every release obeys: a held or confirmed order becomes `refunded` only once the
-- payment that paid it no longer holds the money. The gateway's full refund moves the payment
-- first (payment/refunds.py `record_refunded`); the older reconciler moved the order first, and
-- now fails, writing nothing, until no older process is left. Checked at once (not deferred):
-- at the commit the older reconciler's payment would read `refunded` too.
CREATE FUNCTION live_order_refunded_once_paid_back() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM payments p
               WHERE p.order_id = NEW.id AND p.order_paid AND p.status = 'succeeded') THEN
        RAISE EXCEPTION 'order % is % and its payment still holds the money: not refunded',
            NEW.id, NEW.status USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER live_order_refunded_once_paid_back
    BEFORE UPDATE OF payment_status ON orders FOR EACH ROW
    WHEN (OLD.payment_status = 'paid' AND NEW.payment_status = 'refunded'
          AND NEW.status IN ('held', 'confirmed'))
    EXECUTE FUNCTION live_order_refunded_once_paid_back();
