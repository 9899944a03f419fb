-- Why a flight change failed, as a stable word beside its sentence (booking.model.ChangeFailure),
-- so clients choose their words by it and never read our English `failure_reason`: on the
-- failed change offer and the order's `last_change` (booking/change_store.py writes both; the
-- confirmation's 409 carries it as `failure_code`).
--
-- The offers and notes failed before this migration get theirs from their reason once, here, by
-- the shapes their writers gave it (booking/changes.py, change_money.py, change_compensation.py,
-- change_airline.py); a reason of another shape keeps NULL (clients then word it generically).
-- The airline keeping the new flights is named first: it is what the traveler must act on.
CREATE FUNCTION change_failure_in(reason text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN CASE
    WHEN reason LIKE '%the airline''s booking keeps the new flights%' THEN 'airline_kept_new_flights'
    WHEN reason ~ 'the card payment of [0-9.]+ [A-Z]{3} failed' THEN 'card_declined'
    WHEN reason ~ 'the card payment of [0-9.]+ [A-Z]{3} was never made' THEN 'card_not_charged'
    WHEN reason ~ '^the [0-9.]+ [A-Z]{3} cannot be given back' THEN 'refund_not_possible'
    WHEN reason LIKE 'the order changed while the change was confirmed%' THEN 'order_moved'
    WHEN reason LIKE 'the airline refused to change the flights%' THEN 'airline_refused'
    WHEN reason LIKE 'the airline says this fare does not allow changes%' THEN 'fare_not_changeable'
    WHEN reason LIKE 'the airline of this order (%) does not support changes%' THEN 'change_unsupported'
END;

ALTER TABLE order_changes ADD COLUMN failure_code text;
UPDATE order_changes SET failure_code = change_failure_in(failure_reason)
WHERE status = 'failed';

-- `updated_at` is left alone: the order did not change, its note only gained a field.
UPDATE orders
SET last_change = last_change || jsonb_build_object('failure_code',
    change_failure_in(last_change ->> 'detail'))
WHERE last_change ->> 'status' = 'failed' AND NOT last_change ? 'failure_code';

DROP FUNCTION change_failure_in(text);
