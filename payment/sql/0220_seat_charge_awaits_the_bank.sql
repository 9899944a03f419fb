-- A seat charge whose card's bank asks the traveler to confirm it (3-D Secure): the bank's page,
-- as the gateway's intent named it (`next_action.redirect_to_url.url`), written when the intent
-- answers `requires_action`; NULL for every other charge. While the charge is `processing` the
-- seats' GET repeats it as `seat_charge.next_action`, so a trip page reloaded (or opened later)
-- can show the bank's page again instead of "Charging…" (docs/payments.md "Seats bought on a
-- paid trip"), as the order payment's `action_url` (0219) does.
ALTER TABLE seat_charges ADD COLUMN action_url text
    CHECK (action_url IS NULL OR (action_url ~ '^https?://' AND length(action_url) <= 2048));
