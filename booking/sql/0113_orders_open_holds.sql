-- A traveler's open holds, counted under a lock by every order create (booking/limits.py): the
-- few pending or held orders of one owner, without scanning their whole order history.
CREATE INDEX orders_open_by_owner ON orders (owner) WHERE status IN ('pending', 'held');
