-- licensedesk schema, version 1. One file for both backends: the types are
-- chosen so SQLite and PostgreSQL read them alike (BYTEA holds 16-byte ids,
-- BIGINT money in minor units and instants in Unix milliseconds, INTEGER 0/1
-- for booleans). Every tenant table leads its key with tenant_id (R13, and
-- the distribution column for a Citus-style deployment).

CREATE TABLE tenants (
  id BYTEA PRIMARY KEY,
  display_name TEXT NOT NULL,
  country TEXT NOT NULL,
  initial_domain TEXT NOT NULL UNIQUE,
  invoice_eligible INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);

CREATE TABLE domains (
  name TEXT PRIMARY KEY,
  tenant_id BYTEA NOT NULL REFERENCES tenants(id),
  is_initial INTEGER NOT NULL,
  is_default INTEGER NOT NULL
);
CREATE INDEX domains_tenant ON domains(tenant_id);

CREATE TABLE users (
  tenant_id BYTEA NOT NULL,
  id BYTEA NOT NULL,
  upn TEXT NOT NULL,
  display_name TEXT NOT NULL,
  display_name_lower TEXT NOT NULL,
  mail_nickname TEXT NOT NULL,
  usage_location TEXT,
  preferred_language TEXT,
  account_enabled INTEGER NOT NULL,
  password_hash TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX users_upn ON users(tenant_id, upn);
CREATE INDEX users_created ON users(tenant_id, created_at, id);
CREATE INDEX users_display_name ON users(tenant_id, display_name_lower);

CREATE TABLE user_roles (
  tenant_id BYTEA NOT NULL,
  user_id BYTEA NOT NULL,
  role TEXT NOT NULL,
  PRIMARY KEY (tenant_id, user_id, role)
);

CREATE TABLE license_pools (
  tenant_id BYTEA NOT NULL,
  sku_id BYTEA NOT NULL,
  consumed BIGINT NOT NULL DEFAULT 0,
  next_seq BIGINT NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, sku_id)
);

CREATE TABLE license_assignments (
  tenant_id BYTEA NOT NULL,
  user_id BYTEA NOT NULL,
  sku_id BYTEA NOT NULL,
  disabled_plans TEXT NOT NULL DEFAULT '',
  assigned_at BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, user_id, sku_id)
);
CREATE INDEX license_assignments_sku ON license_assignments(tenant_id, sku_id, seq);

CREATE TABLE subscriptions (
  tenant_id BYTEA NOT NULL,
  id BYTEA NOT NULL,
  sku_id BYTEA NOT NULL,
  quantity BIGINT NOT NULL,
  billing_cycle TEXT NOT NULL,
  status TEXT NOT NULL,
  start_date BIGINT NOT NULL,
  period_start BIGINT NOT NULL,
  current_period_end BIGINT NOT NULL,
  anchor_day INTEGER NOT NULL,
  auto_renew INTEGER NOT NULL,
  order_id BYTEA NOT NULL,
  payment_method_id BYTEA NOT NULL,
  currency TEXT NOT NULL,
  unit_price BIGINT NOT NULL,
  tax_rate_bp INTEGER NOT NULL,
  status_changed_at BIGINT NOT NULL,
  next_action_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  renewal_attempts INTEGER NOT NULL DEFAULT 0,
  retry_at BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX subscriptions_sku ON subscriptions(tenant_id, sku_id);
CREATE INDEX subscriptions_due ON subscriptions(next_action_at);

CREATE TABLE carts (
  tenant_id BYTEA NOT NULL,
  id BYTEA NOT NULL,
  owner_id BYTEA NOT NULL,
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX carts_owner ON carts(tenant_id, owner_id, status, created_at);

CREATE TABLE cart_lines (
  tenant_id BYTEA NOT NULL,
  cart_id BYTEA NOT NULL,
  line_no INTEGER NOT NULL,
  id BYTEA NOT NULL,
  sku_id BYTEA NOT NULL,
  quantity BIGINT NOT NULL,
  billing_cycle TEXT NOT NULL,
  auto_assign INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, cart_id, line_no)
);

CREATE TABLE payment_methods (
  tenant_id BYTEA NOT NULL,
  id BYTEA NOT NULL,
  type TEXT NOT NULL,
  brand TEXT NOT NULL,
  last4 TEXT NOT NULL,
  exp_month INTEGER NOT NULL,
  exp_year INTEGER NOT NULL,
  holder_name TEXT NOT NULL,
  gateway_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE orders (
  tenant_id BYTEA NOT NULL,
  id BYTEA NOT NULL,
  cart_id BYTEA NOT NULL,
  created_by BYTEA NOT NULL,
  status TEXT NOT NULL,
  currency TEXT NOT NULL,
  subtotal BIGINT NOT NULL,
  tax BIGINT NOT NULL,
  total BIGINT NOT NULL,
  payment_method_id BYTEA NOT NULL,
  payment_status TEXT NOT NULL,
  charge_id TEXT NOT NULL,
  brand TEXT NOT NULL,
  last4 TEXT NOT NULL,
  failure_code TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
-- R5: a cart has at most one order that is not failed.
CREATE UNIQUE INDEX orders_live_cart ON orders(tenant_id, cart_id) WHERE status <> 'failed';
CREATE INDEX orders_pending ON orders(created_at) WHERE status = 'pending';

CREATE TABLE order_lines (
  tenant_id BYTEA NOT NULL,
  order_id BYTEA NOT NULL,
  line_no INTEGER NOT NULL,
  sku_id BYTEA NOT NULL,
  quantity BIGINT NOT NULL,
  billing_cycle TEXT NOT NULL,
  auto_assign INTEGER NOT NULL,
  unit_price BIGINT NOT NULL,
  amount BIGINT NOT NULL,
  tax BIGINT NOT NULL,
  subscription_id BYTEA,
  licenses_auto_assigned BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, order_id, line_no)
);

CREATE TABLE invoices (
  tenant_id BYTEA NOT NULL,
  id BYTEA NOT NULL,
  number BIGINT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  order_id BYTEA,
  subscription_id BYTEA,
  currency TEXT NOT NULL,
  subtotal BIGINT NOT NULL,
  tax BIGINT NOT NULL,
  total BIGINT NOT NULL,
  payment_status TEXT NOT NULL,
  issued_at BIGINT NOT NULL,
  due_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE invoice_lines (
  tenant_id BYTEA NOT NULL,
  invoice_id BYTEA NOT NULL,
  line_no INTEGER NOT NULL,
  description TEXT NOT NULL,
  sku_id BYTEA NOT NULL,
  quantity BIGINT NOT NULL,
  unit_price BIGINT NOT NULL,
  amount BIGINT NOT NULL,
  tax BIGINT NOT NULL,
  period_start BIGINT NOT NULL,
  period_end BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, invoice_id, line_no)
);

CREATE TABLE audit_log (
  tenant_id BYTEA NOT NULL,
  id BYTEA NOT NULL,
  at BIGINT NOT NULL,
  actor_id BYTEA,
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  before_json TEXT NOT NULL,
  after_json TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE idempotency_keys (
  tenant_id BYTEA NOT NULL,
  idem_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  state TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  resource_type TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  response TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, idem_key)
);

CREATE TABLE tokens (
  token_hash TEXT PRIMARY KEY,
  tenant_id BYTEA NOT NULL,
  user_id BYTEA NOT NULL,
  kind TEXT NOT NULL,
  csrf_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX tokens_user ON tokens(tenant_id, user_id);

CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('invoice_number', 0);
