import { Button } from '@fluentui/react-components';
import { AddRegular, CartRegular, KeyRegular, PersonAddRegular, ReceiptRegular } from '@fluentui/react-icons';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { api, type ListResponse, type Organization } from '../api';
import { ErrorBar, Loading, PageHeader, StatusBadge, useCommonStyles } from '../components/common';
import { DataTable } from '../components/DataTable';
import { useFormat } from '../format';
import { loadProducts, totalUnits, useLoad } from '../hooks';
import { useSignedIn } from '../session';

const ROLE_KEYS: Record<string, string> = {
  'Global Administrator': 'roleGlobalAdministrator',
  'Billing Administrator': 'roleBillingAdministrator',
  'License Administrator': 'roleLicenseAdministrator',
  'User Administrator': 'roleUserAdministrator',
  'Global Reader': 'roleGlobalReader',
};

export function roleName(t: (k: string, o?: Record<string, unknown>) => string, role: string) {
  return ROLE_KEYS[role] ? t(ROLE_KEYS[role]) : role;
}

export function Home() {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const f = useFormat();
  const navigate = useNavigate();
  const { session, config, perms } = useSignedIn();
  const org = useLoad(
    (signal) => api.get<ListResponse<Organization>>('/v1.0/organization', { signal }).then((r) => r.value?.[0] ?? null),
    [],
  );
  const products = useLoad(
    (signal) => loadProducts(signal, { offers: false, subscriptions: perms.readBilling }),
    [perms.readBilling],
  );
  const domains = org.data?.verifiedDomains ?? [];
  const domain = domains.find((d) => d.isDefault) ?? domains.find((d) => d.isInitial) ?? domains[0];
  const subs = (products.data?.subscriptions ?? []).filter((s) => s.status !== 'deleted');

  return (
    <div className={c.page}>
      <PageHeader title={session.organization.displayName}>
        <span className={c.muted}>{t('welcome', { name: session.user.displayName })}</span>
      </PageHeader>
      <div className={c.grid}>
        <section className={c.card} aria-labelledby="home-org">
          <h2 id="home-org" className={c.h2}>
            {t('organization')}
          </h2>
          {org.loading ? <Loading /> : null}
          <ErrorBar message={org.error} />
          <dl className={c.dl}>
            <dt>{t('organizationName')}</dt>
            <dd>{org.data?.displayName ?? session.organization.displayName}</dd>
            <dt>{t('domain')}</dt>
            <dd>{domain?.name ?? session.user.userPrincipalName.split('@')[1]}</dd>
            <dt>{t('country')}</dt>
            <dd>{f.country(org.data?.countryLetterCode ?? session.organization.countryLetterCode)}</dd>
            <dt>{t('yourRoles')}</dt>
            <dd>{session.user.roles.map((r) => roleName(t, r)).join(', ')}</dd>
          </dl>
        </section>
        <section className={c.card} aria-labelledby="home-actions">
          <h2 id="home-actions" className={c.h2}>
            {t('quickActions')}
          </h2>
          <div className={c.row} style={{ flexDirection: 'column', alignItems: 'stretch' }}>
            {perms.canBuy ? (
              config.cloud === 'worldwide' ? (
                <Button icon={<CartRegular />} onClick={() => navigate('/billing/purchase')}>
                  {t('purchaseServices')}
                </Button>
              ) : (
                <Button icon={<AddRegular />} onClick={() => navigate('/billing/subscriptions/add')}>
                  {t('addSubscriptions')}
                </Button>
              )
            ) : null}
            {perms.canManageUsers ? (
              <Button icon={<PersonAddRegular />} onClick={() => navigate('/users', { state: { addUser: true } })}>
                {t('addUser')}
              </Button>
            ) : null}
            {perms.canAssign ? (
              <Button icon={<KeyRegular />} onClick={() => navigate('/licenses')}>
                {t('assignLicenses')}
              </Button>
            ) : null}
            {perms.readBilling ? (
              <Button icon={<ReceiptRegular />} onClick={() => navigate('/billing/bills')}>
                {t('billsAndPayments')}
              </Button>
            ) : null}
          </div>
        </section>
      </div>
      <section className={c.card} aria-labelledby="home-subs">
        <h2 id="home-subs" className={c.h2}>
          {t('subscriptionsAtGlance')}
        </h2>
        {products.loading ? <Loading /> : null}
        <ErrorBar message={products.error} onRetry={products.reload} />
        {products.data && perms.readBilling && subs.length === 0 ? <p className={c.p}>{t('noSubscriptions')}</p> : null}
        {products.data && perms.readBilling && subs.length > 0 ? (
          <DataTable
            label={t('subscriptionsAtGlance')}
            rows={subs}
            rowKey={(s) => s.id}
            columns={[
              { key: 'product', header: t('product'), cell: (s) => products.data!.nameOf(s.skuId) },
              { key: 'status', header: t('status'), cell: (s) => <StatusBadge status={s.status} /> },
              {
                key: 'licenses',
                header: t('licenses'),
                cell: (s) => {
                  const sku = products.data!.skus.find((k) => k.skuId.toLowerCase() === s.skuId.toLowerCase());
                  return sku ? t('licensesUsed', { used: f.num(sku.consumedUnits), total: f.num(totalUnits(sku)) }) : f.num(s.quantity);
                },
              },
              { key: 'nextBilling', header: t('nextBilling'), cell: (s) => f.date(s.currentPeriodEnd) },
            ]}
          />
        ) : null}
        {products.data && !perms.readBilling ? (
          <ul>
            {products.data.skus.map((k) => (
              <li key={k.skuId}>
                {products.data!.nameOf(k.skuId)}: {t('licensesUsed', { used: f.num(k.consumedUnits), total: f.num(totalUnits(k)) })}
              </li>
            ))}
          </ul>
        ) : null}
      </section>
    </div>
  );
}
