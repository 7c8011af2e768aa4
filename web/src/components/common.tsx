import {
  Badge,
  Button,
  Link,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';

export const useCommonStyles = makeStyles({
  page: {
    display: 'flex',
    flexDirection: 'column',
    gap: '16px',
    maxWidth: '1200px',
    minWidth: 0,
  },
  header: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: '8px 16px',
  },
  h1: {
    margin: 0,
    fontSize: tokens.fontSizeHero700,
    lineHeight: tokens.lineHeightHero700,
    fontWeight: tokens.fontWeightSemibold,
    overflowWrap: 'anywhere',
  },
  h2: {
    margin: 0,
    fontSize: tokens.fontSizeBase500,
    lineHeight: tokens.lineHeightBase500,
    fontWeight: tokens.fontWeightSemibold,
  },
  h3: {
    margin: 0,
    fontSize: tokens.fontSizeBase400,
    lineHeight: tokens.lineHeightBase400,
    fontWeight: tokens.fontWeightSemibold,
    overflowWrap: 'anywhere',
  },
  muted: {
    color: tokens.colorNeutralForeground3,
    margin: 0,
  },
  p: { margin: 0 },
  card: {
    backgroundColor: tokens.colorNeutralBackground1,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusLarge,
    padding: '16px',
    display: 'flex',
    flexDirection: 'column',
    gap: '8px',
    minWidth: 0,
    boxShadow: tokens.shadow2,
  },
  grid: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(min(100%, 280px), 1fr))',
    gap: '16px',
  },
  row: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: '8px',
    alignItems: 'center',
  },
  tableWrap: {
    overflowX: 'auto',
    maxWidth: '100%',
    backgroundColor: tokens.colorNeutralBackground1,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  form: {
    display: 'flex',
    flexDirection: 'column',
    gap: '12px',
    maxWidth: '560px',
  },
  dl: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    gap: '4px 16px',
    margin: 0,
    '& dt': { color: tokens.colorNeutralForeground3 },
    '& dd': { margin: 0, overflowWrap: 'anywhere' },
  },
  totals: {
    display: 'grid',
    gridTemplateColumns: '1fr max-content',
    gap: '4px 24px',
    margin: 0,
    maxWidth: '420px',
    marginLeft: 'auto',
    width: '100%',
    '& dd': { margin: 0, textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  },
  totalRow: {
    fontWeight: tokens.fontWeightSemibold,
    fontSize: tokens.fontSizeBase400,
  },
  num: { fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' },
  visuallyHidden: {
    position: 'absolute',
    width: '1px',
    height: '1px',
    margin: '-1px',
    padding: 0,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
    border: 0,
  },
});

/** A form in the common layout that checks its own fields (no browser validation); a submit never reloads the page. */
export function CheckedForm({ onSubmit, children }: { onSubmit: () => void; children: ReactNode }) {
  const s = useCommonStyles();
  return (
    <form
      className={s.form}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}

/** The page heading; it takes focus when the page opens so screen readers and keyboard users start there. */
export function PageHeader({ title, children, focus = true }: { title: string; children?: ReactNode; focus?: boolean }) {
  const s = useCommonStyles();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focus) ref.current?.focus({ preventScroll: false });
  }, [focus, title]);
  return (
    <div className={s.header}>
      <h1 className={s.h1} tabIndex={-1} ref={ref} style={{ outline: 'none' }}>
        {title}
      </h1>
      {children ? <div className={s.row}>{children}</div> : null}
    </div>
  );
}

export function ErrorBar({ message, title, onRetry }: { message: string | null | undefined; title?: string; onRetry?: () => void }) {
  const { t } = useTranslation();
  if (!message) return null;
  return (
    <MessageBar intent="error" layout="multiline" role="alert">
      <MessageBarBody>
        {title ? <MessageBarTitle>{title}</MessageBarTitle> : null}
        {message}
      </MessageBarBody>
      {onRetry ? (
        <MessageBarActions>
          <Button onClick={onRetry}>{t('retry')}</Button>
        </MessageBarActions>
      ) : null}
    </MessageBar>
  );
}

export function InfoBar({ children, intent = 'info', title }: { children: ReactNode; intent?: 'info' | 'success' | 'warning'; title?: string }) {
  return (
    <MessageBar intent={intent} layout="multiline" role="status">
      <MessageBarBody>
        {title ? <MessageBarTitle>{title}</MessageBarTitle> : null}
        {children}
      </MessageBarBody>
    </MessageBar>
  );
}

export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return <Spinner size="small" label={label ?? t('loading')} labelPosition="after" />;
}

export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  const map: Record<string, { key: string; color: 'success' | 'warning' | 'danger' | 'informative' | 'subtle' }> = {
    active: { key: 'statusActive', color: 'success' },
    expired: { key: 'statusExpired', color: 'warning' },
    disabled: { key: 'statusDisabled', color: 'danger' },
    deleted: { key: 'statusDeleted', color: 'subtle' },
    completed: { key: 'statusCompleted', color: 'success' },
    failed: { key: 'statusFailed', color: 'danger' },
    captured: { key: 'paymentCaptured', color: 'success' },
    declined: { key: 'paymentDeclinedStatus', color: 'danger' },
    due: { key: 'paymentDue', color: 'warning' },
    overdue: { key: 'paymentOverdue', color: 'danger' },
    paid: { key: 'paymentPaid', color: 'success' },
    refunded: { key: 'paymentRefunded', color: 'informative' },
  };
  const m = map[status] ?? { key: status, color: 'informative' as const };
  return (
    <Badge appearance="tint" color={m.color} shape="rounded">
      {t(m.key, { defaultValue: status })}
    </Badge>
  );
}

/** A Fluent link that navigates inside the app (a real href, so it can also open in a new tab). */
export function AppLink({ to, children, state, 'aria-label': ariaLabel }: { to: string; children: ReactNode; state?: unknown; 'aria-label'?: string }) {
  const navigate = useNavigate();
  return (
    <Link
      href={to}
      aria-label={ariaLabel}
      onClick={(e) => {
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to, { state });
      }}
    >
      {children}
    </Link>
  );
}
