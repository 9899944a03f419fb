-- A `refunded_by_gateway` history step (money the card gateway gave back itself, at its
-- dashboard: payment/settlement.py, payment/charge_left.py) said only "refunded by the gateway":
-- how much, and of which charge, was in no field and no sentence. It now says it as every money
-- step does, "refunded by the gateway: 612.40 USD to pay_…", its amounts in its details
-- (payment/refund_steps.py `refunded_by_gateway`). The code is derived from the reason
-- (booking/sql/0140's generated column), so the function below is booking/sql/0150's with that
-- shape added beside the bare sentence, which the rows written before this keep (their code
-- stays as stored: a generated column is not recomputed by replacing its function).
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
    WHEN reason = 'refunded by the gateway' OR reason ~ '^refunded by the gateway: '
        THEN 'refunded_by_gateway'
    WHEN reason = 'the order was no longer waiting for this payment' THEN 'late_payment_refunded'
    WHEN reason ~ '^slice \d+ changed to ' THEN 'flight_changed'
    WHEN reason ~ '^change [a-z]+_[0-9a-z]+ failed: ' THEN 'change_failed'
    WHEN reason ~ '^seat change refused after payment, refunded: ' THEN 'seat_change_refunded'
    WHEN reason ~ '^seats chosen and changed: ' THEN 'seats_chosen_and_changed'
    WHEN reason ~ '^seats chosen: ' THEN 'seats_chosen'
    WHEN reason ~ '^seats ' THEN 'seats_changed'
    WHEN reason ~ '^passenger \d+ name corrected ' THEN 'name_corrected'
END;
