-- Which adult holds which infant on their lap (Duffel's `infant_passenger_id` on the adult):
-- airlines ticket each infant on a named adult, one infant per adult. Stored on the adult's
-- row as the infant's position in the same order (booking/rows.py shows it as `pas_N`, N the
-- position + 1, as seats name passengers):
-- - the foreign key keeps it a passenger of the same order (checked at the end of the insert
--   statement, which writes every passenger of the order at once);
-- - the unique index keeps one adult per infant; the column holds one infant per adult;
-- - only an adult holds one. That the position is an infant's is checked by the request's
--   validation (booking/validation.py): a CHECK cannot read another row.
ALTER TABLE order_passengers
    ADD COLUMN infant_position smallint CHECK (infant_position IS NULL OR type = 'adult'),
    ADD FOREIGN KEY (order_id, infant_position)
        REFERENCES order_passengers (order_id, position);
CREATE UNIQUE INDEX order_passengers_one_lap ON order_passengers (order_id, infant_position)
    WHERE infant_position IS NOT NULL;

-- Orders booked before: their infants were on the first adults' laps, one each, in order (what
-- the seat rules assumed: seats/view.py `infant_carriers`); recorded so, once. The k-th infant
-- of an order goes to its k-th adult; an order with more infants than adults (none could be
-- booked) leaves the extra ones unnamed.
UPDATE order_passengers a SET infant_position = i.position
FROM (
    SELECT order_id, position, row_number() OVER (PARTITION BY order_id ORDER BY position) AS k
    FROM order_passengers WHERE type = 'infant'
) i, (
    SELECT order_id, position, row_number() OVER (PARTITION BY order_id ORDER BY position) AS k
    FROM order_passengers WHERE type = 'adult'
) h
WHERE a.order_id = h.order_id AND a.position = h.position
  AND i.order_id = h.order_id AND i.k = h.k;
