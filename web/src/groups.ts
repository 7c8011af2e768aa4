// Groups and group-based licensing (issue 16) through Graph's /v1.0/groups:
// list (search, the groups with license errors, paging by @odata.nextLink),
// create, delete, members by $ref, the group's assignLicense (202, processed
// in the background), licensePreview, membersWithLicenseErrors and a user's
// reprocessLicenseAssignment. A user's licenseAssignmentStates give each
// license's source (direct, or the group) and its error.
import { useEffect, useState } from 'react';
import { api, EVENTUAL, odataString, type ListResponse } from './api';
import type { components } from './api-types';

type Schemas = components['schemas'];

export type ProcessingState = NonNullable<NonNullable<Schemas['Group']['licenseProcessingState']>['state']>;
export type Group = Omit<Schemas['Group'], 'id' | 'displayName' | 'assignedLicenses'> & {
  id: string;
  displayName: string;
  assignedLicenses?: { skuId: string; disabledPlans?: string[] }[];
};
export type LicensePreview = Schemas['LicensePreview'];
export type LicenseAssignmentState = NonNullable<Schemas['User']['licenseAssignmentStates']>[number];
export type LicenseErrorCode = NonNullable<LicenseAssignmentState['error']>;

export const GROUPS_PAGE_SIZE = 20;
export const LICENSE_ERRORS: LicenseErrorCode[] = [
  'CountViolation',
  'MutuallyExclusiveViolation',
  'DependencyViolation',
  'ProhibitedInUsageLocationViolation',
  'Other',
];

export function groupsQuery(search: string, withErrorsOnly: boolean): string {
  const filters: string[] = [];
  if (search.trim()) filters.push(`startswith(displayName,${odataString(search.trim())})`);
  if (withErrorsOnly) filters.push('hasMembersWithLicenseErrors eq true');
  let q = `/v1.0/groups?$top=${GROUPS_PAGE_SIZE}&$count=true`;
  if (filters.length) q += `&$filter=${encodeURIComponent(filters.join(' and '))}`;
  return q;
}

export function listGroups(path: string, signal?: AbortSignal) {
  return api.get<ListResponse<Group>>(path, { ...EVENTUAL, signal });
}

const gid = (id: string) => encodeURIComponent(id);

export function getGroup(id: string, signal?: AbortSignal) {
  return api.get<Group>(`/v1.0/groups/${gid(id)}`, { signal });
}

/** A mail nickname from the display name: letters, digits, '.', '_' and '-', at most 64; never empty. */
export function nicknameOf(displayName: string): string {
  const n = displayName
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '')
    .slice(0, 64);
  return n || `group-${Date.now().toString(36)}`;
}

export function createGroup(g: { displayName: string; description: string; mailNickname: string }) {
  return api.post<Group>('/v1.0/groups', {
    displayName: g.displayName,
    mailNickname: g.mailNickname,
    mailEnabled: false,
    securityEnabled: true,
    ...(g.description.trim() ? { description: g.description.trim() } : {}),
  });
}

export function deleteGroup(id: string) {
  return api.del<void>(`/v1.0/groups/${gid(id)}`);
}

export function addMember(groupId: string, userId: string) {
  return api.post<void>(`/v1.0/groups/${gid(groupId)}/members/$ref`, {
    '@odata.id': `${window.location.origin}/v1.0/directoryObjects/${userId}`,
  });
}

export function removeMember(groupId: string, userId: string) {
  return api.del<void>(`/v1.0/groups/${gid(groupId)}/members/${encodeURIComponent(userId)}/$ref`);
}

function licenseBody(add: string[], remove: string[]) {
  return { addLicenses: add.map((skuId) => ({ skuId, disabledPlans: [] })), removeLicenses: remove };
}

export function previewGroupLicense(groupId: string, add: string[], remove: string[] = [], signal?: AbortSignal) {
  return api.post<LicensePreview>(`/api/v1/groups/${gid(groupId)}/licensePreview`, licenseBody(add, remove), { signal });
}

export function assignGroupLicense(groupId: string, add: string[], remove: string[] = []) {
  return api.post<Group>(`/v1.0/groups/${gid(groupId)}/assignLicense`, licenseBody(add, remove));
}

export function reprocessUser(userId: string) {
  return api.post<unknown>(`/v1.0/users/${encodeURIComponent(userId)}/reprocessLicenseAssignment`);
}

export interface UserLicenseStates {
  id: string;
  displayName: string;
  userPrincipalName: string;
  licenseAssignmentStates?: LicenseAssignmentState[];
}

export function userLicenseStates(userId: string, signal?: AbortSignal) {
  return api.get<UserLicenseStates>(
    `/v1.0/users/${encodeURIComponent(userId)}?$select=id,displayName,userPrincipalName,licenseAssignmentStates`,
    { signal },
  );
}

// Display names of groups by id, read once per id (a user's licenses name the
// group that gives them by id only).
const names = new Map<string, Promise<string>>();

export function groupName(id: string): Promise<string> {
  const key = id.toLowerCase();
  let p = names.get(key);
  if (!p) {
    p = api.get<Group>(`/v1.0/groups/${gid(id)}?$select=id,displayName`).then(
      (g) => g.displayName,
      () => {
        names.delete(key);
        return id;
      },
    );
    names.set(key, p);
  }
  return p;
}

export function rememberGroupName(g: Group) {
  names.set(g.id.toLowerCase(), Promise.resolve(g.displayName));
}

/** Names of the groups `ids`, filled in as they arrive. */
export function useGroupNames(ids: string[]): Map<string, string> {
  const [map, setMap] = useState<Map<string, string>>(new Map());
  const key = [...new Set(ids.map((i) => i.toLowerCase()))].sort().join(',');
  useEffect(() => {
    let stale = false;
    const list = key ? key.split(',') : [];
    void Promise.all(list.map(async (id) => [id, await groupName(id)] as const)).then((pairs) => {
      if (!stale) setMap(new Map(pairs));
    });
    return () => {
      stale = true;
    };
  }, [key]);
  return map;
}
