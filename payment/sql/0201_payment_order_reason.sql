-- What the order's failure_reason becomes when a payment's refund is recorded, kept from the
-- moment the refund is owed: whichever path records the refund (our own call, or the gateway's
-- charge.refunded webhook arriving first) then tells the traveler why the money went back.
ALTER TABLE payments ADD COLUMN order_failure_reason text;
