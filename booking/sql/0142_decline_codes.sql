-- The card gateway's decline code (Stripe's `decline_code`, else its `code`; ours for the gateway
-- itself) as a field of its own wherever a declined card payment reaches a traveler, so clients
-- never read it out of our sentences: each history row that records a declined payment, the
-- order's `last_change`, and a failed change offer.
--
-- New change offers and `last_change` notes are written with the code (booking/change_store.py);
-- the history's is derived from the reason, as `code` is (0140), by the one function below,
-- which lists the shapes our writers give a declined card's reason:
--   `card refused: <code>`                     payment/service.py, the gateway refused at once
--   `payment failed: <code>`                   payment/settlement.py, declined by webhook
--   `… the card payment of <amount> <currency> failed (<code>) …`
--                                              booking/change_money.py, a flight change's charge
-- The rows and notes written before this migration get theirs from it once, here.
CREATE FUNCTION decline_code_in(reason text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(
    substring(reason FROM '^(?:card refused|payment failed): ([a-z0-9_]+)$'),
    substring(reason FROM 'the card payment of [0-9.]+ [A-Z]{3} failed \(([a-z0-9_]+)\)')
);

ALTER TABLE order_history
    ADD COLUMN decline_code text GENERATED ALWAYS AS (decline_code_in(reason)) STORED;

ALTER TABLE order_changes ADD COLUMN decline_code text;
UPDATE order_changes SET decline_code = decline_code_in(failure_reason) WHERE status = 'failed';

-- `updated_at` is left alone: the order did not change, its note only gained a field.
UPDATE orders
SET last_change = last_change || jsonb_build_object('decline_code', decline_code_in(
    CASE WHEN last_change ->> 'status' = 'failed' THEN last_change ->> 'detail' END))
WHERE last_change IS NOT NULL AND NOT last_change ? 'decline_code';
