-- A refund part's `by_gateway` (0214) said two things at once: how much of it the gateway's
-- dashboard gave back, and (any of it) that the part asked all its charge had left, so the
-- ledger (payment/ledger.py) reads that charge as holding nothing more. A part asked anew after
-- its key had moved other money (`idempotency_error`, payment/charge_left.py `ask_anew`) now
-- counts the dashboard's money it holds as the gateway's too, without having asked all its
-- charge had left: that charge may still hold money a later split must be able to give back.
-- `emptied_charge` says the second thing alone: set by a part that asked all its charge had
-- left (a shrink after `amount_too_large`) or found nothing left there; until now every part
-- with some `by_gateway` was one of those.
ALTER TABLE order_refunds ADD COLUMN emptied_charge boolean NOT NULL DEFAULT false;
UPDATE order_refunds SET emptied_charge = true WHERE by_gateway > 0;
