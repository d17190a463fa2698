-- History's filters by provider, by operation and by a kind of operation (the provider/operation pairs of
-- that kind, as equalities: src/team/trail.rs) find their rows through this index instead of reading the
-- trail back from its newest row, so a provider or a kind no recent row has (look-ups in a trail of
-- resends) is answered at once rather than after a walk over every row.
CREATE INDEX audit_by_operation ON callback_desk.audit (provider, operation, id);
