-- A first choice of seats (one that replaces no seat the order held) gets its own code,
-- `seats_chosen`, beside `seats_changed`: the trip's history titled a traveler's first seats
-- "Seats changed". booking/seats.py writes a first choice as "seats chosen: 14C (Ada Lovelace)"
-- and a change as before ("seats 14C (Ada Lovelace)"). The function below is 0145's with that one
-- shape added ahead of the change's, which would match it too.
--
-- Rows written before this release keep `seats_changed` (a first choice was not told apart
-- then, and the seats chosen at booking are in no history row, so it cannot be told now). A
-- process of the release before this one, running beside it, writes only the change's shape and
-- passes on a `seats_chosen` row's code as stored; a client that does not know the code words it
-- by the reason's text, as it does for any code it does not know (booking/history_codes.py).
-- 0149 gives its code to a first choice written by this release before this function was in force.
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
    WHEN reason ~ '^seats chosen: ' THEN 'seats_chosen'
    WHEN reason ~ '^seats ' THEN 'seats_changed'
    WHEN reason ~ '^passenger \d+ name corrected ' THEN 'name_corrected'
END;
