-- A payment whose card's bank asks the traveler to confirm it (3-D Secure): the bank's page, as
-- the gateway's intent named it (`next_action.redirect_to_url.url`), written when the intent
-- answers `requires_action`; NULL for every other payment. While the payment is `processing`
-- it tells a payment waiting for the traveler at their bank from one the gateway is charging:
-- the order's `payment_next_action` (GET /v1/orders), and a new payment with another card may
-- cancel it at the gateway and take its place (docs/payments.md "3-D Secure").
ALTER TABLE payments ADD COLUMN action_url text
    CHECK (action_url IS NULL OR (action_url ~ '^https?://' AND length(action_url) <= 2048));
