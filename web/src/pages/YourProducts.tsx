// Billing → Your products: one line per product (license pool): licenses used
// and available (GET /v1.0/subscribedSkus), and its subscriptions.
import { useTranslation } from 'react-i18next';
import { AppLink, ErrorBar, Loading, PageHeader, useCommonStyles } from '../components/common';
import { DataTable } from '../components/DataTable';
import { useFormat } from '../format';
import { available, loadProducts, totalUnits, useLoad } from '../hooks';
import { useSignedIn } from '../session';

export function YourProducts() {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const f = useFormat();
  const { perms } = useSignedIn();
  const products = useLoad((signal) => loadProducts(signal, { subscriptions: perms.readBilling, offers: perms.readBilling }), [perms.readBilling]);
  const skus = products.data?.skus ?? [];

  return (
    <div className={c.page}>
      <PageHeader title={t('yourProducts')} />
      <ErrorBar message={products.error} onRetry={products.reload} />
      {products.loading && !products.data ? <Loading /> : null}
      {products.data && skus.length === 0 ? <p className={c.p}>{t('noProducts')}</p> : null}
      {skus.length > 0 ? (
        <DataTable
          label={t('yourProducts')}
          minWidth={640}
          rows={skus}
          rowKey={(k) => k.skuId}
          columns={[
            {
              key: 'product',
              header: t('product'),
              cell: (k) => {
                const name = products.data!.nameOf(k.skuId);
                return (
                  <>
                    {perms.readDirectory ? <AppLink to={`/licenses/${encodeURIComponent(k.skuId)}`}>{name}</AppLink> : name}
                    <div className={c.muted}>{k.skuPartNumber}</div>
                  </>
                );
              },
            },
            { key: 'assigned', header: t('assigned'), numeric: true, cell: (k) => f.num(k.consumedUnits) },
            { key: 'available', header: t('available'), numeric: true, cell: (k) => f.num(available(k)) },
            { key: 'total', header: t('total'), numeric: true, cell: (k) => f.num(totalUnits(k)) },
            {
              key: 'subscriptions',
              header: t('subscriptions'),
              cell: (k) => {
                const subs = (products.data?.subscriptions ?? []).filter((s) => s.skuId.toLowerCase() === k.skuId.toLowerCase());
                return subs.length > 0
                  ? subs
                      .map(
                        (s) =>
                          `${f.num(s.quantity)} · ${s.billingCycle === 'annual' ? t('cycleAnnual') : t('cycleMonthly')} · ${t(
                            `status${s.status.charAt(0).toUpperCase()}${s.status.slice(1)}`,
                          )}`,
                      )
                      .join('; ')
                  : t('subscriptionCount', { count: k.subscriptionIds?.length ?? 0 });
              },
            },
          ]}
        />
      ) : null}
    </div>
  );
}
