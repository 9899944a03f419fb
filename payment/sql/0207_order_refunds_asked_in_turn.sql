-- The payment reconciler picks a batch of orders with owed refund parts each round
-- (payment/cancellation_refunds.py `reconcile_once`). It picked them in no order, so the same
-- orders came first every round: parts the gateway keeps refusing (no such intent) or never
-- answers (their `updated_at` does not move) could fill every batch and starve the orders behind
-- them. Each part now records when a round last picked it, and a round takes the orders asked
-- least recently first (never asked first): every owed order is asked within a few rounds,
-- however many keep failing.
ALTER TABLE order_refunds ADD COLUMN asked_at timestamptz;  -- a round last picked it; NULL: none
