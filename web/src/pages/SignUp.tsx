// "If you haven't yet purchased the first subscription, go here to choose a
// plan": create the organization (POST /api/v1/signup), sign in as its admin,
// then choose a plan in the cloud's purchase flow.
import { Button, Field, Input, Select } from '@fluentui/react-components';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { AppLink, CheckedForm, ErrorBar, InfoBar, useCommonStyles } from '../components/common';
import { useFormat } from '../format';
import { setAfterSignIn, useSession } from '../session';
import { useCheckedSubmit } from '../submit';
import { AuthPage } from './SignIn';

interface SignupResult {
  tenantId: string;
  domain: string;
  adminUserPrincipalName: string;
}

export function SignUp() {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const f = useFormat();
  const { config, signIn, locale } = useSession();
  const markets = config?.markets ?? [];
  const [orgName, setOrgName] = useState('');
  const [prefix, setPrefix] = useState('');
  const [prefixEdited, setPrefixEdited] = useState(false);
  const [country, setCountry] = useState(markets[0]?.country ?? '');
  const [adminName, setAdminName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const submit = useCheckedSubmit();
  const { busy, touched } = submit;

  const suggested = orgName
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '')
    .slice(0, 40);
  const domainPrefix = prefixEdited ? prefix : suggested;
  const prefixValid = /^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$/.test(domainPrefix);
  const passwordsMatch = password === confirm;
  const valid = orgName.trim() !== '' && prefixValid && country !== '' && adminName.trim() !== '' && password !== '' && passwordsMatch;

  return (
    <AuthPage title={t('signUpTitle')}>
      <ol className={c.row} style={{ margin: 0, paddingLeft: 20, columnGap: 32 }}>
        <li aria-current="step">
          <strong>{t('stepOrganization')}</strong>
        </li>
        <li>{t('stepPlan')}</li>
        <li>{t('stepCheckout')}</li>
      </ol>
      {!config?.signupEnabled ? (
        <InfoBar intent="warning">{t('signupDisabled')}</InfoBar>
      ) : (
        <CheckedForm
          onSubmit={() =>
            void submit.runIfValid(valid, async () => {
              const r = await api.post<SignupResult>(
                '/api/v1/signup',
                {
                  organizationName: orgName.trim(),
                  domainPrefix,
                  countryCode: country,
                  admin: { displayName: adminName.trim(), password },
                  preferredLanguage: locale,
                },
                { allow401: true },
              );
              setAfterSignIn({
                to: config.cloud === 'worldwide' ? '/billing/purchase' : '/billing/subscriptions/add',
                state: { welcome: { organization: orgName.trim(), upn: r.adminUserPrincipalName } },
              });
              await signIn(r.adminUserPrincipalName, password);
            })
          }
        >
          <p className={c.muted}>{t('signUpIntro')}</p>
          <Field label={t('organizationName')} required validationMessage={touched && !orgName.trim() ? t('required') : undefined}>
            <Input value={orgName} onChange={(_, d) => setOrgName(d.value)} autoComplete="organization" />
          </Field>
          <Field
            label={t('domainPrefix')}
            required
            validationMessage={touched && !prefixValid ? t('domainInvalid') : undefined}
            hint={domainPrefix ? t('domainHint', { domain: `${domainPrefix}.${config.deploymentDomain}` }) : undefined}
          >
            <Input
              value={domainPrefix}
              onChange={(_, d) => {
                setPrefix(d.value.toLowerCase());
                setPrefixEdited(true);
              }}
              contentAfter={<span aria-hidden>.{config.deploymentDomain}</span>}
              autoComplete="off"
            />
          </Field>
          <Field label={t('country')} required>
            <Select value={country} onChange={(_, d) => setCountry(d.value)}>
              {markets.map((m) => (
                <option key={m.country} value={m.country}>
                  {`${f.country(m.country)} (${m.currency})`}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t('adminName')} required validationMessage={touched && !adminName.trim() ? t('required') : undefined}>
            <Input value={adminName} onChange={(_, d) => setAdminName(d.value)} autoComplete="name" />
          </Field>
          <Field label={t('password')} required validationMessage={touched && !password ? t('required') : undefined}>
            <Input type="password" value={password} onChange={(_, d) => setPassword(d.value)} autoComplete="new-password" />
          </Field>
          <Field label={t('confirmPassword')} required validationMessage={touched && !passwordsMatch ? t('passwordsDiffer') : undefined}>
            <Input type="password" value={confirm} onChange={(_, d) => setConfirm(d.value)} autoComplete="new-password" />
          </Field>
          <ErrorBar message={submit.message} />
          <div>
            <Button type="submit" appearance="primary" disabled={busy}>
              {t('createOrganization')}
            </Button>
          </div>
        </CheckedForm>
      )}
      <p className={c.p}>
        {t('haveAccount')} <AppLink to="/signin">{t('signIn')}</AppLink>
      </p>
    </AuthPage>
  );
}
