-- Issue 5: invoices paid by bank transfer go overdue at their due date, the
-- deployment operator records the transfer (`licensedesk invoice pay`), and a
-- subscription an overdue invoice expired comes back when it is paid.
-- A new migration rather than an edit of 0001, so existing deployments upgrade.
-- (Tables are written one column per line: store/copy.cpp reads them.)

-- The lifecycle's scan for invoices that fall overdue.
CREATE INDEX invoices_due ON invoices(due_at) WHERE payment_status = 'due';

-- The operator's record of a transfer received for an invoice (status `paid`).
CREATE TABLE invoice_payments (
  tenant_id BYTEA NOT NULL,
  invoice_id BYTEA NOT NULL,
  paid_at BIGINT NOT NULL,
  reference TEXT NOT NULL,
  PRIMARY KEY (tenant_id, invoice_id)
);

-- An overdue invoice that expired an active subscription at `since`. The hold
-- holds while the subscription is still expired since then (or disabled at the
-- end of that grace); paying the last overdue invoice of it lifts it.
CREATE TABLE subscription_holds (
  tenant_id BYTEA NOT NULL,
  subscription_id BYTEA NOT NULL,
  invoice_id BYTEA NOT NULL,
  since BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, subscription_id, invoice_id)
);
