-- Issue 14 #1/#2: an idempotency key records how its request ended as an
-- app outcome (app/idempotency.h: 1 completed, 2 declined, 3 refused), no
-- longer as an HTTP status. The column keeps its name; its values move.
UPDATE idempotency_keys SET status_code = CASE
  WHEN status_code = 402 THEN 2
  WHEN status_code = 409 THEN 3
  WHEN status_code >= 200 AND status_code < 300 THEN 1
  ELSE status_code END;
