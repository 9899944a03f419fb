-- A traveler's open holds (booking/limits.py) counted under their lock, for the order create
-- that checks them in the same statement as its insert (booking/rows.py, `CREATE_ORDER_LIMITED`).
--
-- The lock is the owner's transaction-scoped advisory lock on (`lock_space`, `lock_key`), the
-- keys of booking/rows.py's `lock_owner`, passed by the caller; the calling statement's
-- transaction holds it until its insert commits. VOLATILE and PL/pgSQL: the counting query
-- takes a snapshot of its own after the lock is granted (READ COMMITTED), so it sees every order that a create holding the
-- lock before us committed; the calling statement's snapshot, older than the lock, is only used
-- by its inserts, which read nothing.
--
-- Returns the owner's open holds, the seats they take (infants sit on a lap) and, for each of
-- the new order's flights (`flight_numbers[i]` departing on local date `days[i]`, 'YYYY-MM-DD'),
-- the seats held on it: what `check_totals` compares with the caps.
-- No flights given (no per-flight cap, or one the seat cap implies): the seats per flight are not
-- counted, which spares reading every open hold's slices.
CREATE FUNCTION booking_open_holds(
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
            SELECT (SELECT count(*) FROM order_passengers p
                    WHERE p.order_id = o.id AND p.type <> 'infant') AS taken
            FROM orders o
            WHERE o.owner = owner_id AND o.status IN ('pending', 'held')
              AND o.payment_status IN ('unpaid', 'failed')
        ) AS h;
        RETURN;
    END IF;
    RETURN QUERY
    WITH open_hold AS (
        SELECT o.slices,
               (SELECT count(*) FROM order_passengers p
                WHERE p.order_id = o.id AND p.type <> 'infant')::int AS taken
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
