-- One flight change of an order is confirmed at a time (booking/changes.py): two offers of one
-- order confirmed at once both had the airline swap the booking, and the airline's undo of the
-- one that could not stand put back the flights from before IT, dropping the other's. The second
-- `quoted → confirming` now fails here (the traveler gets a 409, nothing asked of the airline);
-- an offer a dead process left `confirming` holds the order until the change sweeper settles it.
CREATE UNIQUE INDEX order_changes_one_confirming ON order_changes (order_id)
    WHERE status = 'confirming';
