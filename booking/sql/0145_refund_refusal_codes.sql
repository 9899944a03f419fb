-- A refund the gateway refused gets its code (`refund_retrying`) whatever its gateway code looks
-- like. 0140 wrote that shape with the code as `\S+`, but payment/cancellation_refunds.py writes
-- the code as the gateway sent it (payment/wire.py `gateway_code`: any printable text, "Do Not
-- Honor"), so such a row got a NULL code while its `decline_code` (0143) kept the gateway's. The
-- function below is 0140's with that one pattern widened; no code is new, so processes of the
-- release before this one, running beside it, know every code it gives. Their rows and ours are
-- written through it from this commit on.
--
-- Replacing a function takes no lock on order_history: its writers go on. The rows already
-- written keep the code they were stored with (a stored generated column); 0146 gives the ones
-- this widening names theirs, in a transaction of its own that starts after this one has
-- committed, so a row written meanwhile (with 0140's function, which is what every writer sees
-- until this commit) is still found by it.
CREATE OR REPLACE FUNCTION order_history_code(reason text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
    WHEN reason = 'created' THEN 'created'
    WHEN reason = 'held at the airline' THEN 'held'
    WHEN reason = 'payment started' THEN 'payment_started'
    WHEN reason = 'payment captured' THEN 'payment_captured'
    WHEN reason = 'paid and ticketed' THEN 'ticketed'
    WHEN reason = 'cancelled by traveler' THEN 'cancelled_by_traveler'
    WHEN reason = 'cancelled by support' THEN 'cancelled_by_support'
    WHEN reason ~ '^cancelled by (traveler|support) as quoted \(' THEN 'cancelled_as_quoted'
    WHEN reason ~ '^card refused: ' THEN 'card_refused'
    WHEN reason ~ '^payment failed: ' THEN 'payment_failed'
    WHEN reason = 'payment captured after the order ended' THEN 'captured_after_end'
    WHEN reason ~ ' \(found by the reconciler\)$' THEN 'found_by_reconciler'
    WHEN reason = 'not paid by payment_required_by: released at the airline' THEN 'released_unpaid'
    WHEN reason ~ '^ticketing failed after payment \(.*\); the payment was refunded$'
        THEN 'ticketing_failed_refunded'
    WHEN reason = 'ticketing failed' THEN 'ticketing_failed'
    WHEN reason ~ '^the airline refused ' THEN 'airline_refused'
    WHEN reason ~ '^refund of .* refused by the payment gateway \(.+\); it is retried$'
        THEN 'refund_retrying'
    WHEN reason ~ '(^|: )refund owed: ' THEN 'refund_owed'
    WHEN reason ~ ': nothing to refund \(' THEN 'nothing_to_refund'
    WHEN reason ~ ': refunded ' THEN 'refunded'
    WHEN reason = 'refunded by the gateway' THEN 'refunded_by_gateway'
    WHEN reason = 'the order was no longer waiting for this payment' THEN 'late_payment_refunded'
    WHEN reason ~ '^slice \d+ changed to ' THEN 'flight_changed'
    WHEN reason ~ '^change [a-z]+_[0-9a-z]+ failed: ' THEN 'change_failed'
    WHEN reason ~ '^seat change refused after payment, refunded: ' THEN 'seat_change_refunded'
    WHEN reason ~ '^seats ' THEN 'seats_changed'
    WHEN reason ~ '^passenger \d+ name corrected ' THEN 'name_corrected'
END;
