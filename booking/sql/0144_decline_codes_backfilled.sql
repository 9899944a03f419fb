-- The history rows written before 0143 get the decline code 0142's function could not give them,
-- once (0143 says which and why in a file of its own); only the rows that gain one are written.
UPDATE order_history SET decline_code = order_history_decline_code_as_before(reason, order_id)
WHERE decline_code IS NULL
  AND (code IN ('card_refused', 'payment_failed', 'change_failed')
       OR reason LIKE 'refund of %refused by the payment gateway (%')
  AND order_history_decline_code_as_before(reason, order_id) IS NOT NULL;
