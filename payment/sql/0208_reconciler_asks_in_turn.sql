-- The payment reconciler takes a batch of payments (`refunding`, `processing`) and of seat
-- charges (the same) unchanged for a while each round (payment/reconciler.py). It took the oldest
-- `updated_at` first, but a refund or a charge the gateway never answers or keeps refusing does
-- not move `updated_at`: the same rows came first every round and could fill every batch,
-- starving the rows behind them (as 0207 found for the cancellations' refund parts). Each row now
-- records when a round last took it, and a round takes the least recently asked first, never
-- asked first (payment/asked_in_turn.py): every row waiting is asked within a few rounds.
-- `updated_at` still says when the row last changed, and so when it becomes the reconciler's.
ALTER TABLE payments ADD COLUMN asked_at timestamptz;      -- a round last took it; NULL: none
ALTER TABLE seat_charges ADD COLUMN asked_at timestamptz;  -- the same
