import { Button, Field, Input, makeStyles, tokens } from '@fluentui/react-components';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router-dom';
import { LanguageMenu } from '../App';
import { api } from '../api';
import { AppLink, ErrorBar, PageHeader, useCommonStyles } from '../components/common';
import { expectSessionOnReturn, setAfterSignIn, useSession } from '../session';
import { useSubmit } from '../submit';

const useAuthStyles = makeStyles({
  shell: {
    minHeight: '100vh',
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    backgroundColor: tokens.colorNeutralBackground2,
    padding: '16px',
  },
  top: { width: '100%', maxWidth: '560px', display: 'flex', justifyContent: 'space-between', alignItems: 'center' },
  brand: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase500, color: tokens.colorBrandForeground1 },
  panel: {
    width: '100%',
    maxWidth: '560px',
    marginTop: '5vh',
    backgroundColor: tokens.colorNeutralBackground1,
    boxShadow: tokens.shadow16,
    borderRadius: tokens.borderRadiusXLarge,
    padding: '32px',
    display: 'flex',
    flexDirection: 'column',
    gap: '16px',
    '@media (max-width: 599px)': { padding: '20px 16px' },
  },
});

/** The frame of the pages before sign-in: the brand and the language menu above a panel with the page's heading. */
export function AuthPage({ title, children }: { title: string; children: ReactNode }) {
  const s = useAuthStyles();
  return (
    <div className={s.shell}>
      <div className={s.top}>
        <span className={s.brand}>licensedesk</span>
        <LanguageMenu />
      </div>
      <main className={s.panel}>
        <PageHeader title={title} focus={false} />
        {children}
      </main>
    </div>
  );
}

type SsoStart = { sso: boolean; redirect?: string };

/**
 * Sign-in asks for the user principal name first. When its domain signs in
 * with single sign-on the browser goes to the identity provider (which comes
 * back to /api/v1/auth/oidc/callback with the session cookie); otherwise the
 * password field appears.
 */
export function SignIn() {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const { signIn, config } = useSession();
  const loc = useLocation();
  const from = (loc.state as { from?: string } | null)?.from;
  const ssoError = new URLSearchParams(loc.search).get('ssoError');
  const [upn, setUpn] = useState('');
  const [step, setStep] = useState<'upn' | 'password' | 'redirect'>('upn');
  const [password, setPassword] = useState('');
  const submit = useSubmit();

  return (
    <AuthPage title={t('signInTitle')}>
      <form
        className={c.form}
        onSubmit={(e) => {
          e.preventDefault();
          if (step === 'upn') {
            void submit.run(async () => {
              const r = await api.post<SsoStart>('/api/v1/auth/oidc/start', { userPrincipalName: upn.trim() });
              if (r.sso && r.redirect) {
                setStep('redirect');
                expectSessionOnReturn();
                window.location.assign(r.redirect);
              } else {
                setStep('password');
              }
            });
            return;
          }
          void submit.run(async () => {
            setAfterSignIn({ to: from && !from.startsWith('/signin') && !from.startsWith('/signup') ? from : '/' });
            await signIn(upn.trim(), password);
          });
        }}
      >
        <Field label={t('userPrincipalName')} required hint={t('userPrincipalNameHint')}>
          <Input
            value={upn}
            onChange={(_, d) => {
              setUpn(d.value);
              if (step !== 'upn') setStep('upn');
            }}
            autoComplete="username"
            type="email"
            autoFocus
          />
        </Field>
        {step === 'password' ? (
          <Field label={t('password')} required>
            <Input value={password} onChange={(_, d) => setPassword(d.value)} autoComplete="current-password" type="password" autoFocus />
          </Field>
        ) : null}
        {step === 'redirect' ? <p className={c.p}>{t('ssoRedirecting')}</p> : null}
        <ErrorBar message={submit.message ?? (ssoError && step === 'upn' ? t('ssoSignInFailed') : null)} />
        <div>
          {step === 'password' ? (
            <Button type="submit" appearance="primary" disabled={submit.busy || !upn || !password}>
              {t('signIn')}
            </Button>
          ) : (
            <Button type="submit" appearance="primary" disabled={submit.busy || !upn.trim() || step === 'redirect'}>
              {t('next')}
            </Button>
          )}
          {step === 'upn' ? (
            // The break-glass administrator of an organization with single sign-on.
            <Button appearance="transparent" onClick={() => setStep('password')} disabled={!upn.trim()}>
              {t('usePasswordInstead')}
            </Button>
          ) : null}
        </div>
      </form>
      {config?.signupEnabled ? (
        <p className={c.p}>
          {t('signupPrompt')} <AppLink to="/signup">{t('signupLink')}</AppLink>
        </p>
      ) : null}
    </AuthPage>
  );
}
