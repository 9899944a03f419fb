-- The seats an order takes (its passengers but infants, who sit on a lap), written once by its
-- insert (booking/rows.py): the one statement that writes an order's passengers, whose number
-- never changes after (amendments rename, erasure blanks contacts). The open-holds count of every
-- limited create (booking_open_holds, 0141) reads it from the order's row, which the count reads
-- anyway, instead of probing order_passengers once per open hold (issue 18: with the benchmark's
-- tens of open holds per traveler, most of the count's cost). NULL for an order written before
-- this column or by a process still running the older insert: the count falls back to the probe
-- for that order alone (COALESCE evaluates its second argument only when the first is NULL).
-- No CHECK: validating one would scan the whole table under this statement's exclusive lock;
-- the insert's count of non-infant passengers cannot be negative.
ALTER TABLE orders ADD COLUMN seats_taken int;

-- As 0141, each open hold's seats from its row when written there.
CREATE OR REPLACE FUNCTION booking_open_holds(
    owner_id text, lock_space int, lock_key int, flight_numbers text[], days text[]
)
RETURNS TABLE (open_holds int, held_seats int, on_flights int[])
LANGUAGE plpgsql VOLATILE
-- PL/pgSQL's plan cache kept choosing a custom plan for the count, planning it again on every
-- call (as long as running it, pg_stat_statements; issue 18): the generic plan is the same
-- (the partial index orders_open_by_owner, then each order's passengers by primary key).
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_space, lock_key);
    IF cardinality(flight_numbers) = 0 THEN
        RETURN QUERY
        SELECT count(*)::int, coalesce(sum(h.taken), 0)::int, '{}'::int[]
        FROM (
            SELECT coalesce(o.seats_taken, (SELECT count(*) FROM order_passengers p
                    WHERE p.order_id = o.id AND p.type <> 'infant')) AS taken
            FROM orders o
            WHERE o.owner = owner_id AND o.status IN ('pending', 'held')
              AND o.payment_status IN ('unpaid', 'failed')
        ) AS h;
        RETURN;
    END IF;
    RETURN QUERY
    WITH open_hold AS (
        SELECT o.slices,
               coalesce(o.seats_taken, (SELECT count(*) FROM order_passengers p
                WHERE p.order_id = o.id AND p.type <> 'infant'))::int AS taken
        FROM orders o
        WHERE o.owner = owner_id AND o.status IN ('pending', 'held')
          AND o.payment_status IN ('unpaid', 'failed')
    )
    SELECT count(*)::int,
           coalesce(sum(h.taken), 0)::int,
           ARRAY(
               SELECT coalesce(sum(f_h.taken), 0)::int
               FROM unnest(flight_numbers, days) WITH ORDINALITY AS f(flight_number, day, n)
               LEFT JOIN open_hold f_h ON EXISTS (
                   SELECT FROM jsonb_array_elements(f_h.slices) s,
                               jsonb_array_elements(s -> 'segments') g
                   WHERE g ->> 'flight_number' = f.flight_number
                     AND left(g ->> 'departing_at', 10) = f.day)
               GROUP BY f.n ORDER BY f.n)
    FROM open_hold h;
END
$$;
