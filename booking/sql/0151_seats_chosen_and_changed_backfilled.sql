-- A request that both chose and replaced seats, written before 0150's function was in force (by
-- this release, beside a migration still running), got 0148's `seats_changed`: writing `reason`
-- as it is computes the stored `code` again with 0150's function. Only such rows are written (no
-- row of an earlier release says "seats chosen and changed: ").
UPDATE order_history SET reason = reason
WHERE code = 'seats_changed'
  AND reason LIKE 'seats chosen and changed: %'
  AND order_history_code(reason) = 'seats_chosen_and_changed';
