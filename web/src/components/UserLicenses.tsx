// A user's licenses with their source ("Direct" or "Inherited from <group>")
// and state, from licenseAssignmentStates; and the groups the user is in.
import { Badge, Button, DrawerBody, DrawerHeader, DrawerHeaderTitle, OverlayDrawer } from '@fluentui/react-components';
import { DismissRegular } from '@fluentui/react-icons';
import { useTranslation } from 'react-i18next';
import { api, type ListResponse } from '../api';
import { rememberGroupName, useGroupNames, userLicenseStates, type Group, type LicenseAssignmentState } from '../groups';
import { loadProducts, useLoad } from '../hooks';
import { ErrorBar, Loading, useCommonStyles } from './common';
import { DataTable } from './DataTable';

export function LicenseStateBadge({ s }: { s: LicenseAssignmentState }) {
  const { t } = useTranslation();
  const state = s.state ?? 'Active';
  const color = state === 'Active' ? 'success' : state === 'Error' ? 'danger' : 'warning';
  return (
    <Badge appearance="tint" shape="rounded" color={color}>
      {t(`licenseState${state}`)}
    </Badge>
  );
}

export function LicenseErrorText({ s }: { s: LicenseAssignmentState }) {
  const { t } = useTranslation();
  if (!s.error || s.error === 'None') return null;
  return <span data-testid="license-error">{t(`licenseError${s.error}`)}</span>;
}

export function SourceText({ s, names }: { s: LicenseAssignmentState; names: Map<string, string> }) {
  const { t } = useTranslation();
  if (!s.assignedByGroup) return <>{t('sourceDirect')}</>;
  return <>{t('sourceInherited', { group: names.get(s.assignedByGroup.toLowerCase()) ?? s.assignedByGroup })}</>;
}

export function UserLicensesDrawer({ userId, name, onClose }: { userId: string; name: string; onClose: () => void }) {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const products = useLoad((signal) => loadProducts(signal, { subscriptions: false }), []);
  const user = useLoad((signal) => userLicenseStates(userId, signal), [userId]);
  const groups = useLoad(
    (signal) =>
      api.get<ListResponse<Group>>(`/v1.0/users/${encodeURIComponent(userId)}/memberOf`, { signal }).then((r) => {
        (r.value ?? []).forEach(rememberGroupName);
        return r.value ?? [];
      }),
    [userId],
  );
  const states = user.data?.licenseAssignmentStates ?? [];
  const names = useGroupNames(states.map((s) => s.assignedByGroup ?? '').filter(Boolean));
  return (
    <OverlayDrawer open position="end" size="medium" onOpenChange={(_, d) => !d.open && onClose()} aria-label={name}>
      <DrawerHeader>
        <DrawerHeaderTitle action={<Button appearance="subtle" aria-label={t('close')} icon={<DismissRegular />} onClick={onClose} />}>
          {name}
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody>
        <div className={c.page}>
          <h2 className={c.h2}>{t('licenses')}</h2>
          <ErrorBar message={user.error ?? products.error} onRetry={user.reload} />
          {user.loading ? <Loading /> : null}
          {user.data && states.length === 0 ? <p className={c.p}>{t('unlicensed')}</p> : null}
          {states.length > 0 ? (
            <DataTable
              label={t('licenses')}
              minWidth={420}
              rows={states}
              rowKey={(s, i) => `${s.skuId}-${s.assignedByGroup ?? 'direct'}-${i}`}
              rowProps={() => ({ 'data-testid': 'user-license-row' })}
              columns={[
                { key: 'product', header: t('product'), cell: (s) => products.data?.nameOf(s.skuId ?? '') ?? s.skuId },
                { key: 'source', header: t('assignmentPath'), cell: (s) => <SourceText s={s} names={names} /> },
                {
                  key: 'state',
                  header: t('status'),
                  cell: (s) => (
                    <div className={c.row}>
                      <LicenseStateBadge s={s} />
                      <LicenseErrorText s={s} />
                    </div>
                  ),
                },
              ]}
            />
          ) : null}
          <h2 className={c.h2}>{t('groups')}</h2>
          <ErrorBar message={groups.error} />
          {groups.data && groups.data.length === 0 ? <p className={c.p}>{t('notInAnyGroup')}</p> : null}
          {groups.data && groups.data.length > 0 ? (
            <ul style={{ margin: 0, paddingLeft: 20 }}>
              {groups.data.map((g) => (
                <li key={g.id}>{g.displayName}</li>
              ))}
            </ul>
          ) : null}
        </div>
      </DrawerBody>
    </OverlayDrawer>
  );
}
