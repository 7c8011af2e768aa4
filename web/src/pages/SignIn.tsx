import { Button, Field, Input, makeStyles, tokens } from '@fluentui/react-components';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router-dom';
import { LanguageMenu } from '../App';
import { AppLink, ErrorBar, PageHeader, useCommonStyles } from '../components/common';
import { setAfterSignIn, useSession } from '../session';
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

export function SignIn() {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const { signIn, config } = useSession();
  const loc = useLocation();
  const from = (loc.state as { from?: string } | null)?.from;
  const [upn, setUpn] = useState('');
  const [password, setPassword] = useState('');
  const submit = useSubmit();

  return (
    <AuthPage title={t('signInTitle')}>
      <form
        className={c.form}
        onSubmit={(e) => {
          e.preventDefault();
          void submit.run(async () => {
            setAfterSignIn({ to: from && !from.startsWith('/signin') && !from.startsWith('/signup') ? from : '/' });
            await signIn(upn.trim(), password);
          });
        }}
      >
        <Field label={t('userPrincipalName')} required hint={t('userPrincipalNameHint')}>
          <Input value={upn} onChange={(_, d) => setUpn(d.value)} autoComplete="username" type="email" autoFocus />
        </Field>
        <Field label={t('password')} required>
          <Input value={password} onChange={(_, d) => setPassword(d.value)} autoComplete="current-password" type="password" />
        </Field>
        <ErrorBar message={submit.message} />
        <div>
          <Button type="submit" appearance="primary" disabled={submit.busy || !upn || !password}>
            {t('signIn')}
          </Button>
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
