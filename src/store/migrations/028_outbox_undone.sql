-- The notifier reads the outbox rows it has not fanned out, oldest first,
-- on every pass, and a pass follows every transition. The index of
-- migration 004 on (hooks_done, inbox_done, id) cannot give the order of
-- that OR: PostgreSQL walked the primary key through every row ever
-- written (5.4 ms with 7,469 rows, growing with the outbox; issue #17).
-- A partial index holds just the rows still to do, in id order.
DROP INDEX outbox_pending;
CREATE INDEX outbox_undone ON outbox (id) WHERE hooks_done = 0 OR inbox_done = 0;
