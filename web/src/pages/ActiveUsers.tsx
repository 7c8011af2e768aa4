// Users → Active users: search (startswith(displayName,'…')), paging by
// @odata.nextLink, add a user, and license changes for many selected users.
import { Button, Link, SearchBox, Toolbar, ToolbarButton, makeStyles } from '@fluentui/react-components';
import { ArrowRepeatAllRegular, ArrowSyncRegular, KeyRegular, KeyResetRegular, PersonAddRegular } from '@fluentui/react-icons';
import { useCallback, useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router-dom';
import { api, EVENTUAL, odataString, relativeLink, type GraphUser, type ListResponse, type Organization } from '../api';
import { ErrorBar, InfoBar, Loading, PageHeader, useCommonStyles } from '../components/common';
import { DataTable, keyedSelection, type RowSelection } from '../components/DataTable';
import { UserLicensesDrawer } from '../components/UserLicenses';
import { AddUserDialog, AssignDialog, MoveDialog, RemoveDialog } from '../components/LicenseDialogs';
import { useErrorText } from '../errors';
import { useFormat } from '../format';
import { loadProducts, useLoad } from '../hooks';
import type { BatchResult } from '../licensing';
import { useSignedIn } from '../session';

export const PAGE_SIZE = 20;

const useStyles = makeStyles({
  toolbar: { flexWrap: 'wrap', padding: 0, gap: '4px' },
  search: { maxWidth: '360px', width: '100%' },
});

export function usersQuery(search: string, extraFilter?: string): string {
  const filters: string[] = [];
  if (search.trim()) filters.push(`startswith(displayName,${odataString(search.trim())})`);
  if (extraFilter) filters.push(extraFilter);
  let q = `/v1.0/users?$top=${PAGE_SIZE}&$count=true`;
  if (filters.length) q += `&$filter=${encodeURIComponent(filters.join(' and '))}`;
  return q;
}

export { EVENTUAL };

/** The checkbox column of a table of users; selected maps a user's id to the user. */
export function useUserSelection(
  users: GraphUser[],
  selection: [Map<string, GraphUser>, Dispatch<SetStateAction<Map<string, GraphUser>>>],
): RowSelection<GraphUser> {
  const { t } = useTranslation();
  return keyedSelection(users, (u) => u.id, selection, {
    allLabel: t('selectAll'),
    label: (u) => t('selectUser', { name: u.displayName }),
  });
}

export function ActiveUsers() {
  const s = useStyles();
  const c = useCommonStyles();
  const { t } = useTranslation();
  const f = useFormat();
  const loc = useLocation();
  const { perms } = useSignedIn();
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [users, setUsers] = useState<GraphUser[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [count, setCount] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const errorText = useErrorText();
  const [error, setError] = useState<unknown>(null);
  const [selected, setSelected] = useState<Map<string, GraphUser>>(new Map());
  const [dialog, setDialog] = useState<'add' | 'assign' | 'remove' | 'move' | null>(
    (loc.state as { addUser?: boolean } | null)?.addUser && perms.canManageUsers ? 'add' : null,
  );
  const [notice, setNotice] = useState<string | null>(null);
  const [details, setDetails] = useState<GraphUser | null>(null);
  const [tick, setTick] = useState(0);
  const products = useLoad((signal) => loadProducts(signal, { subscriptions: false }), []);
  const org = useLoad((signal) => api.get<ListResponse<Organization>>('/v1.0/organization', { signal }).then((r) => r.value?.[0] ?? null), []);
  const reqId = useRef(0);

  useEffect(() => {
    const h = setTimeout(() => setQuery(search), 300);
    return () => clearTimeout(h);
  }, [search]);

  useEffect(() => {
    const id = ++reqId.current;
    setLoading(true);
    setError(null);
    api
      .get<ListResponse<GraphUser>>(usersQuery(query), EVENTUAL)
      .then((r) => {
        if (id !== reqId.current) return;
        setUsers(r.value ?? []);
        setNext(r['@odata.nextLink'] ?? null);
        setCount(typeof r['@odata.count'] === 'number' ? r['@odata.count'] : null);
      })
      .catch((e: unknown) => id === reqId.current && setError(e))
      .finally(() => id === reqId.current && setLoading(false));
  }, [query, tick]);

  useEffect(() => setSelected(new Map()), [query]);

  const loadMore = useCallback(() => {
    if (!next) return;
    const id = ++reqId.current;
    setLoading(true);
    api
      .get<ListResponse<GraphUser>>(relativeLink(next), EVENTUAL)
      .then((r) => {
        if (id !== reqId.current) return;
        setUsers((cur) => {
          const seen = new Set(cur.map((u) => u.id));
          return [...cur, ...(r.value ?? []).filter((u) => !seen.has(u.id))];
        });
        setNext(r['@odata.nextLink'] ?? null);
      })
      .catch((e: unknown) => id === reqId.current && setError(e))
      .finally(() => id === reqId.current && setLoading(false));
  }, [next]);

  const selectedUsers = [...selected.values()];
  const userSelection = useUserSelection(users, [selected, setSelected]);

  function applyResult(r: BatchResult) {
    const byId = new Map(r.ok.map((u) => [u.id, u]));
    setUsers((cur) => cur.map((u) => byId.get(u.id) ?? u));
    setSelected((cur) => new Map([...cur].map(([id, u]) => [id, byId.get(id) ?? u])));
    products.reload();
    if (r.failed.length === 0) {
      setDialog(null);
      setNotice(t('doneForUsers', { count: r.ok.length }));
    }
  }

  const licenseNames = (u: GraphUser) => {
    const l = u.assignedLicenses ?? [];
    if (l.length === 0) return t('unlicensed');
    return l.map((x) => products.data?.nameOf(x.skuId) ?? x.skuId).join(', ');
  };

  return (
    <div className={c.page}>
      <PageHeader title={t('activeUsers')} />
      <Toolbar aria-label={t('activeUsers')} className={s.toolbar}>
        {perms.canManageUsers ? (
          <ToolbarButton icon={<PersonAddRegular />} onClick={() => setDialog('add')}>
            {t('addUser')}
          </ToolbarButton>
        ) : null}
        {perms.canAssign ? (
          <>
            <ToolbarButton icon={<KeyRegular />} disabled={selectedUsers.length === 0 || !products.data} onClick={() => setDialog('assign')}>
              {t('assignLicenses')}
            </ToolbarButton>
            <ToolbarButton icon={<KeyResetRegular />} disabled={selectedUsers.length === 0 || !products.data} onClick={() => setDialog('remove')}>
              {t('removeLicenses')}
            </ToolbarButton>
            <ToolbarButton icon={<ArrowRepeatAllRegular />} disabled={selectedUsers.length === 0 || !products.data} onClick={() => setDialog('move')}>
              {t('moveUsers')}
            </ToolbarButton>
          </>
        ) : null}
        <ToolbarButton
          icon={<ArrowSyncRegular />}
          onClick={() => {
            setTick((x) => x + 1);
            products.reload();
          }}
        >
          {t('refresh')}
        </ToolbarButton>
      </Toolbar>
      <div className={c.row} style={{ justifyContent: 'space-between' }}>
        <SearchBox
          className={s.search}
          aria-label={t('searchUsers')}
          placeholder={t('searchUsers')}
          value={search}
          onChange={(_, d) => setSearch(d.value)}
        />
        <span className={c.muted} aria-live="polite">
          {selectedUsers.length > 0 ? `${t('selectedCount', { count: selectedUsers.length })} · ` : ''}
          {count !== null ? t('showingOf', { shown: f.num(users.length), total: f.num(count) }) : t('showing', { shown: f.num(users.length) })}
        </span>
      </div>
      {notice ? <InfoBar intent="success">{notice}</InfoBar> : null}
      <ErrorBar message={error ? errorText(error) : null} onRetry={() => setTick((x) => x + 1)} />
      <ErrorBar message={products.error} />
      <DataTable
        label={t('activeUsers')}
        minWidth={600}
        rows={users}
        rowKey={(u) => u.id}
        rowProps={(u) => ({ 'data-testid': 'user-row', 'aria-selected': selected.has(u.id) })}
        selection={userSelection}
        columns={[
          {
            key: 'name',
            header: t('displayName'),
            cell: (u) => (
              <>
                <Link as="button" onClick={() => setDetails(u)}>
                  {u.displayName}
                </Link>
                {u.accountEnabled === false ? <span className={c.muted}> · {t('signInBlocked')}</span> : null}
              </>
            ),
          },
          { key: 'upn', header: t('username'), wrapAnywhere: true, cell: (u) => u.userPrincipalName },
          { key: 'licenses', header: t('licenses'), 'data-testid': 'user-licenses', cell: (u) => licenseNames(u) },
        ]}
      />
      {loading ? <Loading /> : null}
      {!loading && users.length === 0 && !error ? <p className={c.p}>{t('noUsers')}</p> : null}
      {next && !loading ? (
        <div>
          <Button onClick={loadMore}>{t('loadMore')}</Button>
        </div>
      ) : null}

      {details ? <UserLicensesDrawer userId={details.id} name={details.displayName} onClose={() => setDetails(null)} /> : null}
      {dialog === 'add' ? (
        <AddUserDialog
          org={org.data ?? null}
          onClose={() => setDialog(null)}
          onAdded={(u) => {
            setDialog(null);
            setNotice(t('userAdded', { name: u.displayName }));
            setTick((x) => x + 1);
          }}
        />
      ) : null}
      {dialog === 'assign' && products.data ? (
        <AssignDialog users={selectedUsers} products={products.data} onClose={() => setDialog(null)} onDone={applyResult} />
      ) : null}
      {dialog === 'remove' && products.data ? (
        <RemoveDialog users={selectedUsers} products={products.data} onClose={() => setDialog(null)} onDone={applyResult} />
      ) : null}
      {dialog === 'move' && products.data ? (
        <MoveDialog users={selectedUsers} products={products.data} onClose={() => setDialog(null)} onDone={applyResult} />
      ) : null}
    </div>
  );
}
