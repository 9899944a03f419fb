-- A failed flight change's history step carries why it failed as a stable word in its details
-- (`details.failure_code`, booking.model.ChangeFailure), so clients word the step by it and
-- never by our English note. booking/change_store.py `fail` stores it with the step from this
-- release on. The steps written before get the code their change offer carries
-- (`order_changes.failure_code`: written with it since 0155, derived from its reason by 0155
-- before that), found by the offer's id in the step's reason ("change och_… failed: …"), as 0143
-- found a declined card's; not derived from the reason a second time. A step whose offer has no
-- code (a reason of a shape 0155 does not know) is left as it is: clients word it generally.
--
-- A step written before 0154 has no details: it gets its note as booking/history_reasons.py reads
-- it (everything after "failed: ") beside the code, so it is served as a step written today is.
CREATE FUNCTION order_history_change_failure(details jsonb, said text, of_order text)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (
    SELECT coalesce(details,
                    jsonb_build_object('note', substring(said FROM '^change [a-z]+_[0-9a-z]+ failed: (.*)$')))
           || jsonb_build_object('failure_code', c.failure_code)
    FROM order_changes c
    WHERE c.order_id = of_order
      AND c.id = substring(said FROM '^change ([a-z]+_[0-9a-z]+) failed: ')
      AND c.failure_code IS NOT NULL
);

UPDATE order_history
SET details = order_history_change_failure(details, reason, order_id)
WHERE code = 'change_failed'
  AND (details IS NULL OR NOT details ? 'failure_code')
  AND order_history_change_failure(details, reason, order_id) IS NOT NULL;

-- A process of the release before this one, still running during the upgrade, writes the step
-- with its note only (having written the offer's code first, in the same transaction): the
-- trigger adds the code. New writers name it, so it never fires for their steps. The trigger
-- and its functions go in a migration of the release after this one, once no process of the
-- release before is left.
CREATE FUNCTION order_history_change_failure_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.details := coalesce(order_history_change_failure(NEW.details, NEW.reason, NEW.order_id),
                            NEW.details);
    RETURN NEW;
END $$;

CREATE TRIGGER order_history_change_failure_written
    BEFORE INSERT ON order_history FOR EACH ROW
    WHEN (NEW.details IS NOT NULL AND NOT NEW.details ? 'failure_code'
          AND NEW.reason ~ '^change [a-z]+_[0-9a-z]+ failed: ')
    EXECUTE FUNCTION order_history_change_failure_written();
