-- One request that gives a seat to a passenger who had none on that flight and replaces
-- another's (or the same passenger's on another flight) was coded by 0148's function as a change,
-- `seats_changed`, and titled "Seats changed" as a whole. booking/seat_history.py now words such
-- a request seat by seat, "seats chosen and changed: 14C (Ada Lovelace) in place of 12A, 14D
-- (Charles Babbage) chosen", and it gets its own code, `seats_chosen_and_changed`. The function
-- below is 0148's with that one shape added ahead of the change's (`^seats `), which would match
-- it too; a first choice's `^seats chosen: ` does not (the colon).
--
-- A process of the release before this one writes no such reason. One of this release running
-- before this function is in force writes it with 0148's `seats_changed`: 0151 gives those rows
-- their code, in a transaction of its own after this one has committed.
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
    WHEN reason ~ '^seats chosen and changed: ' THEN 'seats_chosen_and_changed'
    WHEN reason ~ '^seats chosen: ' THEN 'seats_chosen'
    WHEN reason ~ '^seats ' THEN 'seats_changed'
    WHEN reason ~ '^passenger \d+ name corrected ' THEN 'name_corrected'
END;
