// A user without an admin role sees only their own user and licenses.
import { useTranslation } from 'react-i18next';
import { api, type GraphUser, type ListResponse } from '../api';
import { ErrorBar, Loading, PageHeader, useCommonStyles } from '../components/common';
import { useLoad } from '../hooks';
import { useSignedIn } from '../session';

interface LicenseDetail {
  id: string;
  skuId: string;
  skuPartNumber: string;
  servicePlans?: { servicePlanId?: string; servicePlanName?: string; provisioningStatus?: string }[];
}

export function MyLicenses() {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const { session } = useSignedIn();
  const me = useLoad((signal) => api.get<GraphUser>('/v1.0/me', { signal }), []);
  const details = useLoad(
    (signal) =>
      api.get<ListResponse<LicenseDetail>>(`/v1.0/users/${encodeURIComponent(session.user.id)}/licenseDetails`, { signal }),
    [session.user.id],
  );
  const list = details.data?.value ?? [];
  return (
    <div className={c.page}>
      <PageHeader title={t('myLicenses')} />
      <section className={c.card} aria-labelledby="me-title">
        <h2 id="me-title" className={c.h2}>
          {me.data?.displayName ?? session.user.displayName}
        </h2>
        <dl className={c.dl}>
          <dt>{t('username')}</dt>
          <dd>{me.data?.userPrincipalName ?? session.user.userPrincipalName}</dd>
          <dt>{t('organization')}</dt>
          <dd>{session.organization.displayName}</dd>
          {me.data?.usageLocation ? (
            <>
              <dt>{t('usageLocation')}</dt>
              <dd>{me.data.usageLocation}</dd>
            </>
          ) : null}
        </dl>
      </section>
      <h2 className={c.h2}>{t('myLicensesIntro')}</h2>
      {details.loading ? <Loading /> : null}
      <ErrorBar message={details.error ?? me.error} onRetry={details.reload} />
      {details.data && list.length === 0 ? <p className={c.p}>{t('noMyLicenses')}</p> : null}
      <div className={c.grid}>
        {list.map((l) => (
          <section key={l.id ?? l.skuId} className={c.card} aria-label={l.skuPartNumber}>
            <h3 className={c.h3}>{l.skuPartNumber}</h3>
            {l.servicePlans?.length ? (
              <ul style={{ margin: 0 }}>
                {l.servicePlans.map((p, i) => (
                  <li key={p.servicePlanId ?? i}>{p.servicePlanName ?? p.servicePlanId}</li>
                ))}
              </ul>
            ) : null}
          </section>
        ))}
      </div>
    </div>
  );
}
