-- The last four digits of the card a flight change's difference or a seat bought after booking
-- was charged on, as the gateway reported them when the intent was created (payments have theirs
-- since payment/sql/0210): a refund split over those charges names the card ("your card ending
-- 4242") as a refund of the payment alone does. Four digits and nothing else, as 0210's.
-- NULL on charges made before it, and where the gateway named none: the mail says "your card".
ALTER TABLE order_changes ADD COLUMN card_last4 text CHECK (card_last4 ~ '^[0-9]{4}$');
ALTER TABLE seat_charges ADD COLUMN card_last4 text CHECK (card_last4 ~ '^[0-9]{4}$');
