// Deployment config, the browser session and the active language.
// Language: the user's preferredLanguage, else the browser's language when
// supported, else the cloud's defaultLocale (GET /api/v1/config). A choice made
// in the language switch is stored on the user (PATCH /v1.0/me).
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api, ApiError, setCsrfToken, setUnauthorizedHandler, type Config, type Session } from './api';
import { errorText } from './errors';
import i18n, { HTML_LANG, matchLocale, type AppLocale } from './i18n';

export const ADMIN_ROLES = [
  'Global Administrator',
  'Billing Administrator',
  'License Administrator',
  'User Administrator',
  'Global Reader',
] as const;

export interface Permissions {
  isAdmin: boolean;
  readAll: boolean;
  canBuy: boolean;
  canAssign: boolean;
  canManageUsers: boolean;
  readBilling: boolean;
  readDirectory: boolean;
}

export function permissionsOf(roles: string[] | undefined): Permissions {
  const r = new Set(roles ?? []);
  const ga = r.has('Global Administrator');
  const ba = r.has('Billing Administrator');
  const la = r.has('License Administrator');
  const ua = r.has('User Administrator');
  const gr = r.has('Global Reader');
  return {
    isAdmin: ga || ba || la || ua || gr,
    readAll: ga || gr,
    canBuy: ga || ba,
    canAssign: ga || la || ua,
    canManageUsers: ga || ua,
    readBilling: ga || ba || gr,
    readDirectory: ga || la || ua || gr,
  };
}

type Status = 'loading' | 'signedOut' | 'signedIn' | 'error';

interface SessionValue {
  status: Status;
  config: Config | null;
  session: Session | null;
  perms: Permissions;
  locale: AppLocale;
  loadError: string | null;
  signIn: (userPrincipalName: string, password: string) => Promise<Session>;
  signOut: () => Promise<void>;
  setLanguage: (locale: AppLocale) => Promise<void>;
  reload: () => void;
}

const SessionContext = createContext<SessionValue | null>(null);

// A hint (not a secret) that a session cookie may exist: without it the app
// skips the session probe, so a first visit makes no request that answers 401.
const HINT_KEY = 'licensedesk.session';
// A language picked before signing in (this tab only).
const PICKED_KEY = 'licensedesk.language';

function browserLocale(): AppLocale | null {
  const langs = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const l of langs) {
    const m = matchLocale(l);
    if (m) return m;
  }
  return null;
}

function readStorage(store: Storage, key: string): string | null {
  try {
    return store.getItem(key);
  } catch {
    return null;
  }
}

function writeStorage(store: Storage, key: string, value: string | null): void {
  try {
    if (value === null) store.removeItem(key);
    else store.setItem(key, value);
  } catch {
    /* storage unavailable: the hint is only an optimisation */
  }
}

export function applyLocale(locale: AppLocale): void {
  if (i18n.language !== locale) void i18n.changeLanguage(locale);
  document.documentElement.lang = HTML_LANG[locale];
  document.title = `${i18n.t('adminCenter', { lng: locale })} · licensedesk`;
}

/** The language to show before the config and the session are known. */
export function initialLocale(): AppLocale {
  return matchLocale(readStorage(sessionStorage, PICKED_KEY)) ?? browserLocale() ?? 'en-US';
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Status>('loading');
  const [config, setConfig] = useState<Config | null>(null);
  const [session, setSession] = useState<Session | null>(null);
  const [locale, setLocale] = useState<AppLocale>(initialLocale);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const configRef = useRef<Config | null>(null);

  const resolveLocale = useCallback((s: Session | null, cfg: Config | null): AppLocale => {
    return (
      matchLocale(s?.user.preferredLanguage) ??
      matchLocale(readStorage(sessionStorage, PICKED_KEY)) ??
      browserLocale() ??
      matchLocale(cfg?.defaultLocale) ??
      'en-US'
    );
  }, []);

  const adopt = useCallback(
    (s: Session | null, cfg: Config | null) => {
      setSession(s);
      setCsrfToken(s?.csrfToken ?? null);
      writeStorage(localStorage, HINT_KEY, s ? '1' : null);
      const loc = resolveLocale(s, cfg);
      setLocale(loc);
      applyLocale(loc);
      setStatus(s ? 'signedIn' : 'signedOut');
    },
    [resolveLocale],
  );

  useEffect(() => {
    let cancelled = false;
    setStatus('loading');
    (async () => {
      try {
        const cfg = await api.get<Config>('/api/v1/config');
        if (cancelled) return;
        configRef.current = cfg;
        setConfig(cfg);
        let s: Session | null = null;
        if (readStorage(localStorage, HINT_KEY)) {
          try {
            s = await api.get<Session>('/api/v1/auth/session', { allow401: true });
          } catch (e) {
            if (!(e instanceof ApiError && e.status === 401)) throw e;
          }
        }
        if (!cancelled) adopt(s, cfg);
      } catch (e) {
        if (cancelled) return;
        setLoadError(errorText(i18n.t, e));
        setStatus('error');
        applyLocale(resolveLocale(null, null));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [attempt, adopt, resolveLocale]);

  useEffect(() => {
    setUnauthorizedHandler(() => adopt(null, configRef.current));
    return () => setUnauthorizedHandler(null);
  }, [adopt]);

  const signIn = useCallback(
    async (userPrincipalName: string, password: string) => {
      const s = await api.post<Session>('/api/v1/auth/session', { userPrincipalName, password }, { allow401: true });
      const picked = matchLocale(readStorage(sessionStorage, PICKED_KEY));
      if (picked && picked !== matchLocale(s.user.preferredLanguage)) {
        // A language chosen on the sign-in page is this user's choice: remember it.
        setCsrfToken(s.csrfToken);
        try {
          await api.patch('/v1.0/me', { preferredLanguage: picked });
          s.user.preferredLanguage = picked;
        } catch {
          /* the language still applies to this session */
        }
      }
      adopt(s, configRef.current);
      return s;
    },
    [adopt],
  );

  const signOut = useCallback(async () => {
    try {
      await api.post('/api/v1/auth/logout', {}, { allow401: true });
    } catch {
      /* the session is dropped locally either way */
    }
    writeStorage(sessionStorage, PICKED_KEY, null);
    adopt(null, configRef.current);
  }, [adopt]);

  const setLanguage = useCallback(
    async (loc: AppLocale) => {
      setLocale(loc);
      applyLocale(loc);
      if (session) {
        setSession({ ...session, user: { ...session.user, preferredLanguage: loc } });
        await api.patch('/v1.0/me', { preferredLanguage: loc });
      } else {
        writeStorage(sessionStorage, PICKED_KEY, loc);
      }
    },
    [session],
  );

  const value = useMemo<SessionValue>(
    () => ({
      status,
      config,
      session,
      perms: permissionsOf(session?.user.roles),
      locale,
      loadError,
      signIn,
      signOut,
      setLanguage,
      reload: () => setAttempt((a) => a + 1),
    }),
    [status, config, session, locale, loadError, signIn, signOut, setLanguage],
  );

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

// Where to go once signed in. The sign-in and sign-up pages set it before
// signing in; the signed-in app's /signin and /signup routes then redirect there
// (navigating from the page itself would race with that route's redirect).
let afterSignIn: { to: string; state?: unknown } | null = null;

export function setAfterSignIn(target: { to: string; state?: unknown } | null): void {
  afterSignIn = target;
}

export function takeAfterSignIn(): { to: string; state?: unknown } {
  const t = afterSignIn ?? { to: '/' };
  afterSignIn = null;
  return t;
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

/** The signed-in session; only for components rendered behind the sign-in gate. */
export function useSignedIn(): SessionValue & { session: Session; config: Config } {
  const v = useSession();
  if (!v.session || !v.config) throw new Error('useSignedIn without a session');
  return v as SessionValue & { session: Session; config: Config };
}

/**
 * Before the browser leaves for the identity provider (single sign-on): the
 * session cookie comes back with the callback, so the app looks for a
 * session when it loads again.
 */
export function expectSessionOnReturn(): void {
  writeStorage(localStorage, HINT_KEY, '1');
}
