-- A payment's whole refund (a failed ticketing, a late capture) and a seat charge's (seats the
-- airline refused) now name themselves in the gateway refund's metadata, as a refund part does
-- (0214, payment/named_refunds.py), and one asked anew after its key moved other money counts
-- the money the gateway's dashboard gave back of it as the gateway's, not ours: `by_gateway`, of
-- what it gives back (`payments.refunded_amount`, `seat_charges.amount`), as `order_refunds`
-- has it. Those refunded before this counted all of it as ours: nothing tells them apart now.
ALTER TABLE payments ADD COLUMN by_gateway numeric(12, 2) NOT NULL DEFAULT 0
    CHECK (by_gateway >= 0);
ALTER TABLE seat_charges ADD COLUMN by_gateway numeric(12, 2) NOT NULL DEFAULT 0
    CHECK (by_gateway >= 0);
