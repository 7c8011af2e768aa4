-- Issue 14 #5: the retention pass (app/retention.h) deletes expired tokens
-- and sessions, old idempotency keys and long-expired carts in bounded
-- batches; these indexes let each batch find its rows without a scan.
CREATE INDEX tokens_expiry ON tokens(expires_at);
CREATE INDEX idempotency_keys_age ON idempotency_keys(created_at);
CREATE INDEX carts_expiry ON carts(expires_at) WHERE status = 'active';
