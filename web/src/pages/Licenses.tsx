// Billing → Licenses: per product, who holds it
// (GET /v1.0/users?$filter=assignedLicenses/any(x:x/skuId eq <guid>)),
// with assign and unassign from there.
import { Button } from '@fluentui/react-components';
import { ArrowLeftRegular, KeyRegular, KeyResetRegular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { api, relativeLink, type GraphUser, type ListResponse } from '../api';
import { AppLink, ErrorBar, InfoBar, Loading, PageHeader, useCommonStyles } from '../components/common';
import { DataTable } from '../components/DataTable';
import { FormDialog } from '../components/FormDialog';
import { ResultView } from '../components/LicenseDialogs';
import { UserPicker } from '../components/UserPicker';
import { useErrorText } from '../errors';
import { useFormat } from '../format';
import { available, loadProducts, totalUnits, useLoad } from '../hooks';
import { assignToUsers, holds, removeFromUsers, type BatchResult } from '../licensing';
import { useSignedIn } from '../session';
import { useSubmit } from '../submit';
import { EVENTUAL, useUserSelection } from './ActiveUsers';

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
        <DataTable
          label={t('licenses')}
          minWidth={520}
          rows={skus}
          rowKey={(k) => k.skuId}
          columns={[
            {
              key: 'product',
              header: t('product'),
              cell: (k) => <AppLink to={`/licenses/${encodeURIComponent(k.skuId)}`}>{products.data!.nameOf(k.skuId)}</AppLink>,
            },
            { key: 'available', header: t('available'), numeric: true, cell: (k) => f.num(available(k)) },
            { key: 'assigned', header: t('assigned'), numeric: true, cell: (k) => f.num(k.consumedUnits) },
            { key: 'total', header: t('total'), numeric: true, cell: (k) => f.num(totalUnits(k)) },
          ]}
        />
      ) : null}
    </div>
  );
}

function PickUsersDialog({ skuId, name, onClose, onDone }: { skuId: string; name: string; onClose: () => void; onDone: (r: BatchResult) => void }) {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const { session } = useSignedIn();
  const [chosen, setChosen] = useState<Map<string, GraphUser>>(new Map());
  const submit = useSubmit();
  const [result, setResult] = useState<BatchResult | null>(null);

  return (
    <FormDialog
      title={t('assignLicenses')}
      submitLabel={t('assign')}
      cancelLabel={result ? t('close') : t('cancel')}
      busy={submit.busy}
      canSubmit={chosen.size > 0}
      error={submit.message}
      onClose={onClose}
      onSubmit={() => {
        setResult(null);
        return submit.run(async () => {
          const r = await assignToUsers([...chosen.values()], skuId, session.organization.countryLetterCode);
          onDone(r);
          if (r.failed.length > 0) setResult(r);
        });
      }}
    >
      <p className={c.p}>{name}</p>
      <UserPicker
        label={t('usersToAssign')}
        searchLabel={t('searchUsersShort')}
        chosen={chosen}
        onChange={setChosen}
        unavailable={(u) => (holds(u, skuId) ? t('alreadyAssigned') : null)}
      />
      <ResultView result={result} />
    </FormDialog>
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
  const errorText = useErrorText();
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const [selected, setSelected] = useState<Map<string, GraphUser>>(new Map());
  const [dialog, setDialog] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<BatchResult | null>(null);
  const holderSelection = useUserSelection(holders, [selected, setSelected]);
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
        setSelected(new Map());
      })
      .catch((e: unknown) => !stale && setError(e))
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
      <ErrorBar message={error ? errorText(error) : products.error} onRetry={() => setTick((x) => x + 1)} />
      <h2 className={c.h2}>{t('holders')}</h2>
      {loading ? <Loading /> : null}
      {!loading && holders.length === 0 && !error ? <InfoBar>{t('noHolders')}</InfoBar> : null}
      {holders.length > 0 ? (
        <DataTable
          label={t('holders')}
          minWidth={480}
          rows={holders}
          rowKey={(u) => u.id}
          rowProps={() => ({ 'data-testid': 'holder-row' })}
          selection={holderSelection}
          columns={[
            { key: 'name', header: t('displayName'), cell: (u) => u.displayName },
            { key: 'upn', header: t('username'), wrapAnywhere: true, cell: (u) => u.userPrincipalName },
          ]}
        />
      ) : null}
      {next && !loading ? (
        <div>
          <Button
            onClick={() =>
              api.get<ListResponse<GraphUser>>(relativeLink(next), EVENTUAL).then((r) => {
                setHolders((cur) => [...cur, ...(r.value ?? [])]);
                setNext(r['@odata.nextLink'] ?? null);
              }, (e: unknown) => setError(e))
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
