-- BENCH ONLY, not a migration (issue 18, bench/results/2026-12-05-booking-one-call.md).
-- Apply to a bench database: psql "$DATABASE_URL" -f bench/booking_one_call.sql
--
-- A hold's "claim the Idempotency-Key" folded into its "insert the order" (booking/rows.py
-- `CREATE_ORDER_LIMITED`), one call, one transaction: the owner's lock and open holds
-- (booking_open_holds, 0141), then the claim with its recovery point already set, then the order,
-- its passengers, its history row, its `order.created` outbox event and its seats. Nothing is
-- written unless the order fits the caps AND the key was free:
--
--   'created'   the order (`made` + `made_version`, `made_passengers`, `made_seats`, as
--               `order_from_row` reads them);
--   'limited'   the counts `check_totals` names the cap from (nothing written);
--   'key_taken' (owner, key) exists: the caller answers from it as `PgIdempotencyStore.claim`
--               does today (replay, 409 in progress, 422 other request, take-over, expired).
--
-- What it changes (why it is a prototype): today the claim is its own transaction BEFORE the
-- airline re-price, so a replay, a duplicate in flight and a lapsed attempt are answered
-- without calling the airline, and a refused re-price costs a claim + a release. Folded, the
-- claim happens AFTER the re-price: see the results note for the guarantees this moves.
-- The `pending → held` change cannot join it: the airline hold sits between them, and the order
-- with its recovery point must be committed before the airline is asked (booking/creation.py).
CREATE OR REPLACE FUNCTION bench_hold_create(
    p_id text, p_owner text, p_reference text, p_type text, p_offer_id text, p_connector text,
    p_total numeric, p_currency text, p_slices jsonb,
    p_types text[], p_given text[], p_family text[], p_born date[], p_gender text[],
    p_email text[], p_phone text[],
    p_actor text, p_event_id uuid, p_event jsonb, p_key text,
    p_tax numeric, p_refundable boolean, p_changeable boolean,
    p_seg text[], p_pax text[], p_designator text[], p_amount numeric[],
    -- the gate (`_gate_args`); p_lock_key NULL: no limits
    p_lock_space int, p_lock_key int, p_flights text[], p_days text[],
    p_max_holds int, p_max_seats int, p_max_per_flight int, p_seats int,
    -- the claim (`PgIdempotencyStore.claim`'s fingerprint, lease and TTL)
    p_method text, p_path text, p_hash bytea, p_lease_s float8, p_ttl_s float8
)
RETURNS TABLE (
    outcome text, gate_holds int, gate_seats int, gate_flights int[],
    made orders, made_version xid, made_passengers jsonb, made_seats jsonb
)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    g record;
BEGIN
    IF p_lock_key IS NOT NULL THEN
        SELECT * INTO g FROM booking_open_holds(p_owner, p_lock_space, p_lock_key, p_flights, p_days);
        IF (p_max_holds <> 0 AND g.open_holds + 1 > p_max_holds)
           OR (p_max_seats <> 0 AND g.held_seats + p_seats > p_max_seats)
           OR (p_max_per_flight <> 0 AND EXISTS (
                   SELECT FROM unnest(g.on_flights) AS c(n) WHERE c.n + p_seats > p_max_per_flight))
        THEN
            RETURN QUERY SELECT 'limited', g.open_holds, g.held_seats, g.on_flights,
                                NULL::orders, NULL::xid, NULL::jsonb, NULL::jsonb;
            RETURN;
        END IF;
    END IF;
    INSERT INTO idempotency_keys
        (owner, key, request_method, request_path, request_hash, resource_id, locked_until,
         expires_at)
    VALUES (p_owner, p_key, p_method, p_path, p_hash, p_id,
            now() + make_interval(secs => p_lease_s), now() + make_interval(secs => p_ttl_s))
    ON CONFLICT (owner, key) DO NOTHING;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'key_taken', NULL::int, NULL::int, NULL::int[],
                            NULL::orders, NULL::xid, NULL::jsonb, NULL::jsonb;
        RETURN;
    END IF;
    RETURN QUERY
    WITH o AS (
        INSERT INTO orders AS ins (id, owner, booking_reference, type, status, offer_id, connector,
                                   total_amount, total_currency, slices, tax_amount, refundable,
                                   changeable, seats_taken)
        VALUES (p_id, p_owner, p_reference, p_type, 'pending', p_offer_id, p_connector, p_total,
                p_currency, p_slices, p_tax, p_refundable, p_changeable,
                (SELECT count(*)::int FROM unnest(p_types) AS k(type) WHERE k.type <> 'infant'))
        RETURNING ins AS row_, ins.xmin AS version
    ), passengers AS (
        INSERT INTO order_passengers
            (order_id, position, type, given_name, family_name, born_on, gender, email,
             phone_number)
        SELECT p_id, t.n - 1, t.type, t.given_name, t.family_name, t.born_on, t.gender, t.email,
               t.phone_number
        FROM unnest(p_types, p_given, p_family, p_born, p_gender, p_email, p_phone)
             WITH ORDINALITY AS t(type, given_name, family_name, born_on, gender, email,
                                  phone_number, n)
        RETURNING to_jsonb(order_passengers) AS passenger, order_passengers.position AS pos
    ), history AS (
        INSERT INTO order_history
            (order_id, from_status, to_status, from_payment_status, to_payment_status, reason,
             actor)
        VALUES (p_id, NULL, 'pending', NULL, 'unpaid', 'created', p_actor)
    ), event AS (
        INSERT INTO outbox (event_id, type, order_id, payload)
        VALUES (p_event_id, 'order.created', p_id, p_event)
    ), s AS (
        INSERT INTO order_seats AS st
            (order_id, segment_id, passenger_id, designator, amount, currency)
        SELECT p_id, t.segment_id, t.passenger_id, t.designator, t.amount, p_currency
        FROM unnest(p_seg, p_pax, p_designator, p_amount)
             AS t(segment_id, passenger_id, designator, amount)
        RETURNING st.segment_id, st.passenger_id, st.designator, st.amount, st.currency
    )
    SELECT 'created', NULL::int, NULL::int, NULL::int[], o.row_, o.version,
           (SELECT jsonb_agg(p.passenger ORDER BY p.pos) FROM passengers p),
           (SELECT coalesce(jsonb_agg(jsonb_build_object(
                       'segment_id', s.segment_id, 'passenger_id', s.passenger_id,
                       'designator', s.designator, 'total_amount', s.amount,
                       'total_currency', s.currency) ORDER BY s.segment_id, s.passenger_id),
                    '[]'::jsonb) FROM s)
    FROM o;
END
$$;
