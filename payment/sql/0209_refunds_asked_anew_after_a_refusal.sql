-- A payment's whole refund (a charge that came after its order ended, a failed ticketing) and a
-- seat charge's refund were asked of the gateway under one key for ever (`<id>:refund`). A
-- refusal moves nothing, but the gateway keeps it for its key and replays it (Stripe's
-- semantics, and the sim's): a refund refused once (a charge disputed for a while) was refused
-- again at every reconciler round, and the money was never given back. Each now counts its
-- refusals, as a cancellation's refund parts do (0203 `attempt`): the next ask after a refusal
-- is a new request, `<id>:refund:<n>`; attempt 0 keeps the key it always had, so a refund an
-- older process asked without an answer is replayed, never made twice.
ALTER TABLE payments ADD COLUMN refund_attempt integer NOT NULL DEFAULT 0;
ALTER TABLE seat_charges ADD COLUMN refund_attempt integer NOT NULL DEFAULT 0;
