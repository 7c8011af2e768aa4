-- Issue 14: the one durable background-work mechanism (app/work.h). An item
-- is written in the same transaction as the change that causes it (the
-- outbox); servers claim due items under a lease (on PostgreSQL with FOR
-- UPDATE SKIP LOCKED) and finish or reschedule each in one transaction. A
-- dead server's items are claimed again once its lease has passed.
-- tenant_id is all zeros for deployment-wide work. due_at is billing time
-- (the test clock drives it); lease_until is real time.
-- version counts the enqueues: a finish deletes only the version it ran.
-- (One column per line: store/copy.cpp reads them.)
CREATE TABLE work_items (
  kind TEXT NOT NULL,
  tenant_id BYTEA NOT NULL,
  item_key TEXT NOT NULL,
  due_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL,
  lease_owner TEXT NOT NULL,
  lease_until BIGINT NOT NULL,
  payload TEXT NOT NULL,
  last_error TEXT NOT NULL,
  state TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (kind, tenant_id, item_key)
);
CREATE INDEX work_items_due ON work_items(kind, state, due_at);
