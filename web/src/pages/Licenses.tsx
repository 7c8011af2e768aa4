// Billing → Licenses: per product, who holds it
// (GET /v1.0/users?$filter=assignedLicenses/any(x:x/skuId eq <guid>)),
// with assign and unassign from there.
import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  SearchBox,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from '@fluentui/react-components';
import { ArrowLeftRegular, KeyRegular, KeyResetRegular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { api, relativeLink, type GraphUser, type ListResponse } from '../api';
import { AppLink, ErrorBar, InfoBar, Loading, PageHeader, useCommonStyles } from '../components/common';
import { ResultView } from '../components/LicenseDialogs';
import { useFormat } from '../format';
import { available, loadProducts, totalUnits, useLoad } from '../hooks';
import { assignToUsers, holds, removeFromUsers, type BatchResult } from '../licensing';
import { useSignedIn } from '../session';
import { EVENTUAL, usersQuery } from './ActiveUsers';

export function LicensesPage() {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const f = useFormat();
  const products = useLoad((signal) => loadProducts(signal, { subscriptions: false }), []);
  const skus = products.data?.skus ?? [];
  return (
    <div className={c.page}>
      <PageHeader title={t('licenses')} />
      <p className={c.muted}>{t('licensesIntro')}</p>
      <ErrorBar message={products.error} onRetry={products.reload} />
      {products.loading && !products.data ? <Loading /> : null}
      {products.data && skus.length === 0 ? <p className={c.p}>{t('noProducts')}</p> : null}
      {skus.length > 0 ? (
        <div className={c.tableWrap}>
          <Table aria-label={t('licenses')} style={{ minWidth: 520 }}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t('product')}</TableHeaderCell>
                <TableHeaderCell>{t('available')}</TableHeaderCell>
                <TableHeaderCell>{t('assigned')}</TableHeaderCell>
                <TableHeaderCell>{t('total')}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {skus.map((k) => (
                <TableRow key={k.skuId}>
                  <TableCell>
                    <AppLink to={`/licenses/${encodeURIComponent(k.skuId)}`}>{products.data!.nameOf(k.skuId)}</AppLink>
                  </TableCell>
                  <TableCell className={c.num}>{f.num(available(k))}</TableCell>
                  <TableCell className={c.num}>{f.num(k.consumedUnits)}</TableCell>
                  <TableCell className={c.num}>{f.num(totalUnits(k))}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      ) : null}
    </div>
  );
}

function PickUsersDialog({ skuId, name, onClose, onDone }: { skuId: string; name: string; onClose: () => void; onDone: (r: BatchResult) => void }) {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const { session } = useSignedIn();
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState<Map<string, GraphUser>>(new Map());
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<BatchResult | null>(null);
  useEffect(() => {
    const h = setTimeout(() => setQuery(search), 300);
    return () => clearTimeout(h);
  }, [search]);
  const users = useLoad((signal) => api.get<ListResponse<GraphUser>>(usersQuery(query), { ...EVENTUAL, signal }), [query]);

  return (
    <Dialog open onOpenChange={(_, d) => !d.open && !busy && onClose()}>
      <DialogSurface>
        <form
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            if (busy || chosen.size === 0) return;
            setBusy(true);
            setResult(null);
            try {
              const r = await assignToUsers([...chosen.values()], skuId, session.organization.countryLetterCode);
              onDone(r);
              if (r.failed.length > 0) setResult(r);
            } finally {
              setBusy(false);
            }
          }}
        >
          <DialogBody>
            <DialogTitle>{t('assignLicenses')}</DialogTitle>
            <DialogContent className={c.form}>
              <p className={c.p}>{name}</p>
              <SearchBox aria-label={t('searchUsersShort')} placeholder={t('searchUsersShort')} value={search} onChange={(_, d) => setSearch(d.value)} />
              <div role="group" aria-label={t('usersToAssign')} style={{ display: 'flex', flexDirection: 'column', maxHeight: 320, overflowY: 'auto' }}>
                {users.loading ? <Loading /> : null}
                <ErrorBar message={users.error} />
                {users.data?.value.map((u) => {
                  const has = holds(u, skuId);
                  return (
                    <Checkbox
                      key={u.id}
                      disabled={has}
                      checked={has || chosen.has(u.id)}
                      label={has ? `${u.displayName} (${t('alreadyAssigned')})` : u.displayName}
                      onChange={(_, d) =>
                        setChosen((cur) => {
                          const m = new Map(cur);
                          if (d.checked) m.set(u.id, u);
                          else m.delete(u.id);
                          return m;
                        })
                      }
                    />
                  );
                })}
              </div>
              <ResultView result={result} />
            </DialogContent>
            <DialogActions>
              <Button type="button" onClick={onClose} disabled={busy}>
                {result ? t('close') : t('cancel')}
              </Button>
              <Button type="submit" appearance="primary" disabled={busy || chosen.size === 0}>
                {t('assign')}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

export function LicenseDetail() {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const f = useFormat();
  const { skuId = '' } = useParams();
  const { perms } = useSignedIn();
  const products = useLoad((signal) => loadProducts(signal, { subscriptions: false }), []);
  const [holders, setHolders] = useState<GraphUser[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<BatchResult | null>(null);
  const sku = products.data?.skus.find((k) => k.skuId.toLowerCase() === skuId.toLowerCase());
  const name = products.data?.nameOf(skuId) ?? skuId;

  useEffect(() => {
    let stale = false;
    setLoading(true);
    setError(null);
    const filter = encodeURIComponent(`assignedLicenses/any(x:x/skuId eq ${skuId})`);
    api
      .get<ListResponse<GraphUser>>(`/v1.0/users?$top=100&$count=true&$filter=${filter}`, EVENTUAL)
      .then((r) => {
        if (stale) return;
        setHolders(r.value ?? []);
        setNext(r['@odata.nextLink'] ?? null);
        setSelected(new Set());
      })
      .catch((e: unknown) => !stale && setError(e instanceof Error ? e.message : String(e)))
      .finally(() => !stale && setLoading(false));
    return () => {
      stale = true;
    };
  }, [skuId, tick]);

  function done(r: BatchResult) {
    setResult(r);
    setTick((x) => x + 1);
    products.reload();
  }

  return (
    <div className={c.page}>
      <div>
        <AppLink to="/licenses">
          <ArrowLeftRegular aria-hidden style={{ verticalAlign: 'middle', marginRight: 4 }} />
          {t('backToLicenses')}
        </AppLink>
      </div>
      <PageHeader title={name}>
        {perms.canAssign ? (
          <>
            <Button appearance="primary" icon={<KeyRegular />} onClick={() => setDialog(true)} disabled={!products.data}>
              {t('assignLicenses')}
            </Button>
            <Button
              icon={<KeyResetRegular />}
              disabled={selected.size === 0 || busy}
              onClick={async () => {
                setBusy(true);
                try {
                  done(await removeFromUsers(holders.filter((h) => selected.has(h.id)), [skuId], t('notHeld')));
                } finally {
                  setBusy(false);
                }
              }}
            >
              {t('removeLicenses')}
            </Button>
          </>
        ) : null}
      </PageHeader>
      {sku ? (
        <p className={c.p}>
          {t('licensesSummary', { assigned: f.num(sku.consumedUnits), available: f.num(available(sku)), total: f.num(totalUnits(sku)) })}
        </p>
      ) : null}
      <ResultView result={result} />
      <ErrorBar message={error ?? products.error} onRetry={() => setTick((x) => x + 1)} />
      <h2 className={c.h2}>{t('holders')}</h2>
      {loading ? <Loading /> : null}
      {!loading && holders.length === 0 && !error ? <InfoBar>{t('noHolders')}</InfoBar> : null}
      {holders.length > 0 ? (
        <div className={c.tableWrap}>
          <Table aria-label={t('holders')} style={{ minWidth: 480 }}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell style={{ width: 44 }}>
                  <Checkbox
                    aria-label={t('selectAll')}
                    checked={selected.size === holders.length ? true : selected.size > 0 ? 'mixed' : false}
                    onChange={() => setSelected(selected.size === holders.length ? new Set() : new Set(holders.map((h) => h.id)))}
                  />
                </TableHeaderCell>
                <TableHeaderCell>{t('displayName')}</TableHeaderCell>
                <TableHeaderCell>{t('username')}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {holders.map((u) => (
                <TableRow key={u.id} data-testid="holder-row">
                  <TableCell>
                    <Checkbox
                      aria-label={t('selectUser', { name: u.displayName })}
                      checked={selected.has(u.id)}
                      onChange={(_, d) =>
                        setSelected((cur) => {
                          const s = new Set(cur);
                          if (d.checked) s.add(u.id);
                          else s.delete(u.id);
                          return s;
                        })
                      }
                    />
                  </TableCell>
                  <TableCell>{u.displayName}</TableCell>
                  <TableCell style={{ overflowWrap: 'anywhere' }}>{u.userPrincipalName}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      ) : null}
      {next && !loading ? (
        <div>
          <Button
            onClick={() =>
              api.get<ListResponse<GraphUser>>(relativeLink(next), EVENTUAL).then((r) => {
                setHolders((cur) => [...cur, ...(r.value ?? [])]);
                setNext(r['@odata.nextLink'] ?? null);
              }, (e: unknown) => setError(e instanceof Error ? e.message : String(e)))
            }
          >
            {t('loadMore')}
          </Button>
        </div>
      ) : null}
      {dialog ? (
        <PickUsersDialog
          skuId={sku?.skuId ?? skuId}
          name={name}
          onClose={() => setDialog(false)}
          onDone={(r) => {
            done(r);
            if (r.failed.length === 0) setDialog(false);
          }}
        />
      ) : null}
    </div>
  );
}
