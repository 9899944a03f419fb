-- A first choice of seats written before 0148's function was in force (by this release, beside a
-- migration still running) got 0145's `seats_changed`: writing `reason` as it is computes the
-- stored `code` again with 0148's function. Only such rows are written (no row of the release
-- before says "seats chosen: "), in a transaction of its own after 0148's has committed.
UPDATE order_history SET reason = reason
WHERE code = 'seats_changed'
  AND reason LIKE 'seats chosen: %'
  AND order_history_code(reason) = 'seats_chosen';
