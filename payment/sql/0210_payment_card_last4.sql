-- The last four digits of the card a payment charged, as the gateway reported them when the
-- intent was created: a refund's mail names the card ("your card ending 4242"). Four digits
-- and nothing else: a receipt may show that much of a card, no more (never the number).
ALTER TABLE payments ADD COLUMN card_last4 text CHECK (card_last4 ~ '^[0-9]{4}$');
