-- Everyone's orders, newest first, by cursor (created_at, id): the support role's list
-- (GET /v1/orders, booking/order_lists.py). Without it that list sorted the whole table for every
-- page (97 ms at 300,000 orders). Partial on the statuses a list shows (booking/model.py
-- VISIBLE_STATUSES), so an order's insert (`pending`) adds no entry to it; its move to `held`
-- does, since no update of `orders` is HOT: +2–6 µs of PostgreSQL a hold, measured (issue 18).
-- Built in this migration's transaction, as every index here: writes to `orders` wait for the
-- build (≈ 0.6 s per million visible orders measured; reads go on).
CREATE INDEX orders_newest ON orders (created_at DESC, id DESC)
    WHERE status IN ('held', 'confirmed', 'cancelled', 'expired');
