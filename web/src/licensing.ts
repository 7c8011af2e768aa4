// License changes go through Graph's assignLicense, one call per user, each
// all-or-nothing on the server. A move is one call with addLicenses B and
// removeLicenses A, so a user never ends up with neither.
import { api, type GraphUser } from './api';
import { errorText } from './errors';
import i18n from './i18n';

export interface BatchResult {
  ok: GraphUser[];
  failed: { user: GraphUser; message: string }[];
}

export function holds(user: GraphUser, skuId: string): boolean {
  return (user.assignedLicenses ?? []).some((l) => l.skuId.toLowerCase() === skuId.toLowerCase());
}

async function each(users: GraphUser[], fn: (u: GraphUser) => Promise<GraphUser | null>, skipMessage?: (u: GraphUser) => string | null): Promise<BatchResult> {
  const result: BatchResult = { ok: [], failed: [] };
  for (const u of users) {
    const skip = skipMessage?.(u);
    if (skip) {
      result.failed.push({ user: u, message: skip });
      continue;
    }
    try {
      const updated = await fn(u);
      result.ok.push(updated && updated.id ? { ...u, ...updated } : u);
    } catch (e) {
      result.failed.push({ user: u, message: errorText(i18n.t, e) });
    }
  }
  return result;
}

function assignLicense(u: GraphUser, add: string[], remove: string[]) {
  return api.post<GraphUser>(`/v1.0/users/${encodeURIComponent(u.id)}/assignLicense`, {
    addLicenses: add.map((skuId) => ({ skuId, disabledPlans: [] })),
    removeLicenses: remove,
  });
}

/** Assigns skuId to every user; a user without usage location gets `usageLocation` first (R8). */
export function assignToUsers(users: GraphUser[], skuId: string, usageLocation?: string): Promise<BatchResult> {
  return each(users, async (u) => {
    let user = u;
    if (!u.usageLocation && usageLocation) {
      await api.patch(`/v1.0/users/${encodeURIComponent(u.id)}`, { usageLocation });
      user = { ...u, usageLocation };
    }
    const updated = await assignLicense(user, [skuId], []);
    return { ...user, ...(updated ?? {}) };
  });
}

export function removeFromUsers(users: GraphUser[], skuIds: string[], notHeld: string): Promise<BatchResult> {
  return each(
    users,
    (u) => assignLicense(u, [], skuIds.filter((s) => holds(u, s))),
    (u) => (skuIds.some((s) => holds(u, s)) ? null : notHeld),
  );
}

export function moveUsers(users: GraphUser[], from: string, to: string, notHeld: string): Promise<BatchResult> {
  return each(
    users,
    (u) => assignLicense(u, [to], [from]),
    (u) => (holds(u, from) ? null : notHeld),
  );
}
