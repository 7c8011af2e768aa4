-- Issue 13 #2: a quantity change that charges a card claims its subscription
-- before it charges (as a checkout claims its cart): a concurrent change then
-- loses before any money moves. One claim per subscription; the claim names
-- the gateway key it charges with, so that recovery voids exactly that charge
-- when the change never completed. (One column per line: store/copy.cpp.)
CREATE TABLE subscription_changes (
  tenant_id BYTEA NOT NULL,
  subscription_id BYTEA NOT NULL,
  gateway_key TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  state TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, subscription_id)
);
CREATE INDEX subscription_changes_started ON subscription_changes(started_at);
