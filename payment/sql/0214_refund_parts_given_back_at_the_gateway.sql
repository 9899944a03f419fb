-- Money of a refund part (0203) the gateway gave back itself, at its dashboard, before we asked:
--
-- 1. A part asking more than its charge had left there was shrunk (payment/charge_left.py,
--    0212): its `amount` fell by what the dashboard had given back, so the ledger
--    (payment/ledger.py), which counts a charge's parts against it, read that money as still
--    on the charge; a later split (a cheaper change, the cancellation) could give a part to that
--    empty charge, which then ended "refunded by the gateway" while a charge still holding money
--    gave nothing.
-- 2. A part with nothing left to ask ended at the gateway (`refunded_by_gateway`) kept its whole
--    `amount`, read by finance as our refund.
--
-- A part now keeps its whole `amount` (what it gives back of its charge, whoever gave it) and
-- `by_gateway` says how much of it the gateway's dashboard gave, not our refund: what a shrink
-- found given back already, or all it had left to ask when it ended at the gateway. A part with
-- some of it (`by_gateway > 0`) asked everything its charge had left at the gateway (or found
-- nothing left): the ledger counts that charge as holding nothing more, whatever our sums say
-- (the dashboard may have given back more than a part counts: the audit records that).
ALTER TABLE order_refunds ADD COLUMN by_gateway numeric(12, 2) NOT NULL DEFAULT 0
    CHECK (by_gateway >= 0);

-- The parts that ended at the gateway before this: refunded, nothing asked (no gateway refund),
-- neither a change's refund 0204/0205 wrote for an older release (it asked, before them) nor
-- one whose money an older ask of ours had moved already (`asking` 0).
UPDATE order_refunds SET by_gateway = coalesce(asking, amount)
WHERE status = 'refunded' AND gateway_refund_id IS NULL AND coalesce(asking, amount) > 0
  AND reason !~ '^the flight change \S+ cost less$';

-- The parts shrunk before this get their whole amount back, the rest counted as the gateway's:
-- each shrink wrote what the part asked and what had gone back at the gateway on the order's
-- history (`refund_retrying`, `amount_too_large`). A part is known by its charge and the amount
-- its shrinks left it; two parts of one charge both shrunk match neither and stay as they are.
WITH shrinks AS (
    SELECT h.order_id, m[2] AS charge_id, max(m[1]::numeric) AS asked,
           sum(m[3]::numeric) AS elsewhere
    FROM order_history h,
         regexp_match(h.reason, '^refund of ([0-9.]+) [A-Z]{3} to (\S+) refused by the payment'
                                || ' gateway \(amount_too_large: ([0-9.]+) [A-Z]{3} of it given'
                                || ' back at the gateway already') AS m
    WHERE h.decline_code = 'amount_too_large'
    GROUP BY h.order_id, m[2]
)
UPDATE order_refunds r SET amount = s.asked, by_gateway = r.by_gateway + s.elsewhere
FROM shrinks s
WHERE r.order_id = s.order_id AND r.charge_id = s.charge_id AND r.amount = s.asked - s.elsewhere
  AND (SELECT count(*) FROM order_refunds o
       WHERE o.order_id = r.order_id AND o.charge_id = r.charge_id
         AND o.amount = s.asked - s.elsewhere) = 1;
