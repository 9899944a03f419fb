-- The history rows written before 0145 whose refused refund carries a gateway code 0140 could not
-- read (one with a space, "Do Not Honor") get their code, once: writing `reason` as it is makes
-- PostgreSQL compute the stored `code` again with 0145's function. Only those rows are written
-- (0145 changed no other pattern, so no other row's code would change), and history rows are
-- never updated otherwise, so no writer waits on their row locks.
UPDATE order_history SET reason = reason
WHERE code IS NULL
  AND reason LIKE 'refund of %refused by the payment gateway (%); it is retried'
  AND order_history_code(reason) = 'refund_retrying';
