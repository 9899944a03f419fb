-- A flight change whose difference is charged to a card whose bank asks the traveler to confirm
-- it (3-D Secure): the bank's page, as the gateway's intent named it
-- (`next_action.redirect_to_url.url`), and when the change first waited on it. Written while the
-- offer is `confirming`, when the intent answers `requires_action`; NULL for every other change.
-- The change's GET repeats the page as `next_action` while the offer is `confirming` (a reloaded
-- page can show it again); the change sweeper cancels the intent once the change has waited
-- SKYFARE_CHANGE_BANK_WAIT_S since `bank_asked_at`, then puts the old flights back
-- (docs/payments.md "Flight changes at the bank"). The same check as the payment's (0219).
ALTER TABLE order_changes ADD COLUMN action_url text
    CHECK (action_url IS NULL OR (action_url ~ '^https?://' AND length(action_url) <= 2048));
ALTER TABLE order_changes ADD COLUMN bank_asked_at timestamptz;
