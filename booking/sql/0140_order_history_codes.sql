-- A stable, machine-readable code beside each history row's free-text reason, so clients (the
-- web app's trip timeline) choose their words by code instead of matching our sentences.
--
-- The code is derived from the reason by one function, here, in one place: a stored generated
-- column, so the rows already written get theirs once, by this migration, and every new row
-- gets its own as it is inserted, whichever writer in booking/ or payment/ wrote it. A reason of
-- a shape not listed gets NULL (the client then shows the text). The codes are the API's
-- vocabulary (booking/history_codes.py, `HistoryCode`): a new one is a new migration that
-- replaces the function; rows keep the code they were written with.
CREATE FUNCTION order_history_code(reason text) RETURNS text
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
    WHEN reason ~ '^refund of .* refused by the payment gateway \(\S+\); it is retried$'
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

ALTER TABLE order_history
    ADD COLUMN code text GENERATED ALWAYS AS (order_history_code(reason)) STORED;
