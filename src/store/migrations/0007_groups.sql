-- Issue 16: groups and group-based licensing (groups.md, R16-R19).
-- A group's members are users only; each membership has a seq (from the
-- group's next_member_seq) so processing goes oldest membership first (R17).
-- display_name_lower (ASCII case folding, as users.display_name_lower) makes
-- displayName unique per organization. processing_state is Graph's
-- licenseProcessingState (QueuedForProcessing, ProcessingInProgress,
-- ProcessingComplete).
-- (One column per line: store/copy.cpp reads them.)
CREATE TABLE groups (
  tenant_id BYTEA NOT NULL,
  id BYTEA NOT NULL,
  display_name TEXT NOT NULL,
  display_name_lower TEXT NOT NULL,
  description TEXT NOT NULL,
  mail_nickname TEXT NOT NULL,
  mail_enabled INTEGER NOT NULL,
  security_enabled INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  processing_state TEXT NOT NULL,
  next_member_seq BIGINT NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX groups_display_name ON groups(tenant_id, display_name_lower);

CREATE TABLE group_members (
  tenant_id BYTEA NOT NULL,
  group_id BYTEA NOT NULL,
  user_id BYTEA NOT NULL,
  added_at BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, group_id, user_id)
);
CREATE INDEX group_members_seq ON group_members(tenant_id, group_id, seq);
CREATE INDEX group_members_user ON group_members(tenant_id, user_id);

CREATE TABLE group_licenses (
  tenant_id BYTEA NOT NULL,
  group_id BYTEA NOT NULL,
  sku_id BYTEA NOT NULL,
  disabled_plans TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (tenant_id, group_id, sku_id)
);
CREATE INDEX group_licenses_sku ON group_licenses(tenant_id, sku_id);

-- R16: the sources of a user's license of a SKU. license_assignments keeps
-- one row per (user, SKU), the license the user holds and the seat it takes;
-- license_sources has one row per (user, SKU, source). source_id is the
-- directory object the license was assigned to: the user itself for a direct
-- assignment, else the group it is inherited from (users and groups share
-- one id space, as Graph's directoryObjects do). A group's source in state
-- Error did not get the license (error says why) and holds no seat; every
-- license_assignments row has at least one source in another state.
CREATE TABLE license_sources (
  tenant_id BYTEA NOT NULL,
  user_id BYTEA NOT NULL,
  sku_id BYTEA NOT NULL,
  source_id BYTEA NOT NULL,
  disabled_plans TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL,
  error TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, user_id, sku_id, source_id)
);
CREATE INDEX license_sources_source ON license_sources(tenant_id, source_id, state);

-- Every license held so far was assigned directly.
INSERT INTO license_sources (tenant_id, user_id, sku_id, source_id, disabled_plans, state, error,
                             updated_at)
SELECT tenant_id, user_id, sku_id, user_id, disabled_plans, 'Active', 'None', assigned_at
FROM license_assignments;
