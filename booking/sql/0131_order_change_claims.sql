-- Who may work on a `confirming` change offer (booking/changes.py, booking/change_sweeper.py):
-- a confirming request or a sweeper round claims it until `claimed_until`; a request that ends
-- without settling it frees it at once (its traveler may retry), and the change sweeper settles
-- an offer nobody claimed for a while (the process that confirmed it died half way).
ALTER TABLE order_changes ADD COLUMN claimed_until timestamptz NOT NULL DEFAULT now();
CREATE INDEX order_changes_confirming ON order_changes (claimed_until)
    WHERE status = 'confirming';
