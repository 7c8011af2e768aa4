// Billing → Your products: one line per product (license pool): licenses used
// and available (GET /v1.0/subscribedSkus), and its subscriptions.
import { Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { AppLink, ErrorBar, Loading, PageHeader, useCommonStyles } from '../components/common';
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
        <div className={c.tableWrap}>
          <Table aria-label={t('yourProducts')} style={{ minWidth: 640 }}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t('product')}</TableHeaderCell>
                <TableHeaderCell>{t('assigned')}</TableHeaderCell>
                <TableHeaderCell>{t('available')}</TableHeaderCell>
                <TableHeaderCell>{t('total')}</TableHeaderCell>
                <TableHeaderCell>{t('subscriptions')}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {skus.map((k) => {
                const subs = (products.data?.subscriptions ?? []).filter((s) => s.skuId.toLowerCase() === k.skuId.toLowerCase());
                const name = products.data!.nameOf(k.skuId);
                return (
                  <TableRow key={k.skuId}>
                    <TableCell>
                      {perms.readDirectory ? <AppLink to={`/licenses/${encodeURIComponent(k.skuId)}`}>{name}</AppLink> : name}
                      <div className={c.muted}>{k.skuPartNumber}</div>
                    </TableCell>
                    <TableCell className={c.num}>{f.num(k.consumedUnits)}</TableCell>
                    <TableCell className={c.num}>{f.num(available(k))}</TableCell>
                    <TableCell className={c.num}>{f.num(totalUnits(k))}</TableCell>
                    <TableCell>
                      {subs.length > 0
                        ? subs
                            .map(
                              (s) =>
                                `${f.num(s.quantity)} · ${s.billingCycle === 'annual' ? t('cycleAnnual') : t('cycleMonthly')} · ${t(
                                  `status${s.status.charAt(0).toUpperCase()}${s.status.slice(1)}`,
                                )}`,
                            )
                            .join('; ')
                        : t('subscriptionCount', { count: k.subscriptionIds?.length ?? 0 })}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      ) : null}
    </div>
  );
}
