-- A refund part (0203) asked the gateway for its whole `amount` under `<id>:refund:<attempt>`
-- (or 0205's `first_key`). When that key had already moved money with other figures (an older
-- process asked another amount under it), the gateway answers `idempotency_error` and moves
-- nothing: the part only logged it and stayed owed for ever. It now counts an attempt, as a
-- refusal does, and asks anew for what the gateway has not given back of it yet (the money the
-- old ask moved is the traveler's already). The part keeps its whole `amount` (what it gives
-- back, counted against its charge by payment/ledger.py and told to the traveler); `asking` is
-- what it still asks of the gateway, when less. NULL: all of `amount` (every part before this).
ALTER TABLE order_refunds ADD COLUMN asking numeric(12, 2) CHECK (asking >= 0);
