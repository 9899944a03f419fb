-- The rule of a cancel racing a payment, stated where every writer must obey it: an order that
-- ended (cancelled, expired, failed) while `paid` never commits with the payment that paid it
-- still `succeeded` (the traveler's money kept, nobody owing it back). The refund is owed
-- (`refunding`) in the very transaction that ends the order, or that captures money for an
-- order already over; a crash after that commit leaves the refund owed, and the reconciler
-- pays it. Checked at commit (deferred), so one transaction's writes may come in any order; a
-- transaction that would break the rule fails whole and writes nothing.
CREATE FUNCTION assert_ended_order_keeps_no_money(ended_order text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM orders o JOIN payments p ON p.order_id = o.id
        WHERE o.id = ended_order
          AND o.status IN ('cancelled', 'expired', 'failed') AND o.payment_status = 'paid'
          AND p.order_paid AND p.status = 'succeeded'
    ) THEN
        RAISE EXCEPTION 'order % ended while its payment stays captured with no refund owed',
            ended_order USING ERRCODE = 'integrity_constraint_violation';
    END IF;
END $$;

CREATE FUNCTION order_ended_keeps_no_money() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM assert_ended_order_keeps_no_money(NEW.id);
    RETURN NULL;
END $$;

CREATE FUNCTION payment_of_ended_order_is_owed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM assert_ended_order_keeps_no_money(NEW.order_id);
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER ended_order_keeps_no_money
    AFTER UPDATE OF status, payment_status ON orders
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.status IN ('cancelled', 'expired', 'failed') AND NEW.payment_status = 'paid')
    EXECUTE FUNCTION order_ended_keeps_no_money();

CREATE CONSTRAINT TRIGGER payment_of_ended_order_is_owed
    AFTER UPDATE OF status, order_paid ON payments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.status = 'succeeded' AND NEW.order_paid)
    EXECUTE FUNCTION payment_of_ended_order_is_owed();
