import {
  Checkbox,
  Field,
  Input,
  Label,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Radio,
  RadioGroup,
  Select,
} from '@fluentui/react-components';
import { useId, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type GraphUser, type Organization } from '../api';
import { useFormat } from '../format';
import { available, totalUnits, type Products } from '../hooks';
import { assignToUsers, holds, moveUsers, removeFromUsers, type BatchResult } from '../licensing';
import { useSignedIn } from '../session';
import { InfoBar, useCommonStyles } from './common';
import { FormDialog } from './FormDialog';
import { useCheckedSubmit, useSubmit } from '../submit';

export function ResultView({ result }: { result: BatchResult | null }) {
  const { t } = useTranslation();
  if (!result) return null;
  return (
    <>
      {result.ok.length > 0 ? <InfoBar intent="success">{t('doneForUsers', { count: result.ok.length })}</InfoBar> : null}
      {result.failed.length > 0 ? (
        <MessageBar intent="error" layout="multiline" role="alert">
          <MessageBarBody>
            <MessageBarTitle>{t('errorTitle')}</MessageBarTitle>
            <ul style={{ margin: '4px 0 0', paddingLeft: 20 }}>
              {result.failed.map((f) => (
                <li key={f.user.id}>{t('failedForUser', { name: f.user.displayName, message: f.message })}</li>
              ))}
            </ul>
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </>
  );
}

function BatchDialog({
  title,
  submitLabel,
  users,
  canSubmit,
  onClose,
  run,
  onDone,
  children,
}: {
  title: string;
  submitLabel: string;
  users: GraphUser[];
  canSubmit: boolean;
  onClose: () => void;
  run: () => Promise<BatchResult>;
  onDone: (r: BatchResult) => void;
  children: ReactNode;
}) {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const submit = useSubmit();
  const [result, setResult] = useState<BatchResult | null>(null);
  return (
    <FormDialog
      title={title}
      submitLabel={submitLabel}
      cancelLabel={result ? t('close') : t('cancel')}
      busy={submit.busy}
      canSubmit={canSubmit}
      error={submit.message}
      onClose={onClose}
      onSubmit={() => {
        setResult(null);
        return submit.run(async () => {
          const r = await run();
          onDone(r);
          if (r.failed.length > 0) setResult(r);
        });
      }}
    >
      <p className={c.muted}>{t('selectedUsers', { names: users.map((u) => u.displayName).join(', ') })}</p>
      {children}
      <ResultView result={result} />
    </FormDialog>
  );
}

export function countryOptions(markets: { country: string }[], extra: (string | null | undefined)[]): string[] {
  const set = new Set<string>();
  for (const m of markets) set.add(m.country);
  for (const e of extra) if (e) set.add(e);
  return [...set];
}

function UsageLocationField({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { config, session } = useSignedIn();
  const options = countryOptions(config.markets ?? [], [session.organization.countryLetterCode, value]);
  return (
    <Field label={t('usageLocation')} hint={t('usageLocationNeeded')}>
      <Select value={value} onChange={(_, d) => onChange(d.value)}>
        {options.map((code) => (
          <option key={code} value={code}>
            {f.country(code)}
          </option>
        ))}
      </Select>
    </Field>
  );
}

type DialogProps = { users: GraphUser[]; products: Products; onClose: () => void; onDone: (r: BatchResult) => void };

function ProductRadios({ products, value, onChange, label, exclude }: { products: Products; value: string; onChange: (v: string) => void; label: string; exclude?: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const c = useCommonStyles();
  return (
    <Field label={label} required>
      <RadioGroup value={value} onChange={(_, d) => onChange(d.value)}>
        {products.skus
          .filter((k) => k.skuId !== exclude)
          .map((k) => (
            <div key={k.skuId} style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', columnGap: 8 }}>
              <Radio value={k.skuId} label={products.nameOf(k.skuId)} aria-describedby={`avail-${k.skuId}`} />
              <span id={`avail-${k.skuId}`} className={c.muted}>
                {t('availableOfTotal', { available: f.num(available(k)), total: f.num(totalUnits(k)) })}
              </span>
            </div>
          ))}
      </RadioGroup>
    </Field>
  );
}

function TooFew({ products, skuId, users }: { products: Products; skuId: string; users: GraphUser[] }) {
  const { t } = useTranslation();
  const sku = products.skus.find((k) => k.skuId === skuId);
  if (!sku) return null;
  const need = users.filter((u) => !holds(u, skuId)).length;
  if (need <= available(sku)) return null;
  return (
    <InfoBar intent="warning">
      {t('tooFewLicenses', { name: products.nameOf(skuId), available: available(sku), count: need })}
    </InfoBar>
  );
}

export function AssignDialog({ users, products, onClose, onDone }: DialogProps) {
  const { t } = useTranslation();
  const { session } = useSignedIn();
  const [skuId, setSkuId] = useState('');
  const needsLocation = users.some((u) => !u.usageLocation);
  const [location, setLocation] = useState(session.organization.countryLetterCode);
  return (
    <BatchDialog
      title={t('assignLicenses')}
      submitLabel={t('assign')}
      users={users}
      canSubmit={Boolean(skuId)}
      onClose={onClose}
      onDone={onDone}
      run={() => assignToUsers(users, skuId, needsLocation ? location : undefined)}
    >
      <ProductRadios products={products} value={skuId} onChange={setSkuId} label={t('productToAssign')} />
      {skuId ? <TooFew products={products} skuId={skuId} users={users} /> : null}
      {needsLocation ? <UsageLocationField value={location} onChange={setLocation} /> : null}
    </BatchDialog>
  );
}

export function RemoveDialog({ users, products, onClose, onDone }: DialogProps) {
  const { t } = useTranslation();
  const held = useMemo(() => products.skus.filter((k) => users.some((u) => holds(u, k.skuId))), [products, users]);
  const [chosen, setChosen] = useState<string[]>(() => (held.length === 1 ? [held[0].skuId] : []));
  const groupId = useId();
  return (
    <BatchDialog
      title={t('removeLicenses')}
      submitLabel={t('remove')}
      users={users}
      canSubmit={chosen.length > 0}
      onClose={onClose}
      onDone={onDone}
      run={() => removeFromUsers(users, chosen, t('notHeld'))}
    >
      <div role="group" aria-labelledby={groupId} style={{ display: 'flex', flexDirection: 'column' }}>
        <Label id={groupId} weight="semibold">
          {t('productsToRemove')}
        </Label>
        {held.map((k) => (
            <Checkbox
              key={k.skuId}
              label={products.nameOf(k.skuId)}
              checked={chosen.includes(k.skuId)}
              onChange={(_, d) => setChosen((cur) => (d.checked ? [...cur, k.skuId] : cur.filter((x) => x !== k.skuId)))}
            />
        ))}
      </div>
      {held.length === 0 ? <p>{t('noUsers')}</p> : null}
    </BatchDialog>
  );
}

export function MoveDialog({ users, products, onClose, onDone }: DialogProps) {
  const { t } = useTranslation();
  const f = useFormat();
  const held = useMemo(() => products.skus.filter((k) => users.some((u) => holds(u, k.skuId))), [products, users]);
  const [from, setFrom] = useState(held[0]?.skuId ?? '');
  const targets = products.skus.filter((k) => k.skuId !== from);
  const [to, setTo] = useState('');
  const toValid = targets.some((k) => k.skuId === to);
  return (
    <BatchDialog
      title={t('moveUsers')}
      submitLabel={t('move')}
      users={users}
      canSubmit={Boolean(from) && toValid && from !== to}
      onClose={onClose}
      onDone={onDone}
      run={() => moveUsers(users, from, to, t('notHeld'))}
    >
      <Field label={t('moveFrom')} required>
        <Select value={from} onChange={(_, d) => setFrom(d.value)}>
          {held.map((k) => (
            <option key={k.skuId} value={k.skuId}>
              {products.nameOf(k.skuId)}
            </option>
          ))}
        </Select>
      </Field>
      <Field label={t('moveTo')} required>
        <Select value={toValid ? to : ''} onChange={(_, d) => setTo(d.value)}>
          <option value="" disabled>
            {t('chooseProduct')}
          </option>
          {targets.map((k) => (
            <option key={k.skuId} value={k.skuId}>
              {`${products.nameOf(k.skuId)} (${t('availableOfTotal', { available: f.num(available(k)), total: f.num(totalUnits(k)) })})`}
            </option>
          ))}
        </Select>
      </Field>
      {toValid ? <TooFew products={products} skuId={to} users={users.filter((u) => holds(u, from))} /> : null}
    </BatchDialog>
  );
}

export function AddUserDialog({ org, onClose, onAdded }: { org: Organization | null; onClose: () => void; onAdded: (u: GraphUser) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { config, session } = useSignedIn();
  const domains = org?.verifiedDomains?.map((d) => d.name) ?? [session.user.userPrincipalName.split('@')[1]];
  const defaultDomain = org?.verifiedDomains?.find((d) => d.isDefault)?.name ?? domains[0] ?? '';
  const [displayName, setDisplayName] = useState('');
  const [nick, setNick] = useState('');
  const [nickEdited, setNickEdited] = useState(false);
  const [domain, setDomain] = useState(defaultDomain);
  const [password, setPassword] = useState('');
  const [location, setLocation] = useState(session.organization.countryLetterCode);
  const submit = useCheckedSubmit();
  const { touched } = submit;
  const countries = countryOptions(config.markets ?? [], [session.organization.countryLetterCode]);
  const suggested = displayName
    .trim()
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.+|\.+$/g, '');
  const nickname = nickEdited ? nick : suggested;
  const valid = displayName.trim() !== '' && /^[A-Za-z0-9._-]+$/.test(nickname) && password.length > 0 && Boolean(domain);

  return (
    <FormDialog
      title={t('addUser')}
      submitLabel={t('add')}
      busy={submit.busy}
      error={submit.message}
      onClose={onClose}
      onSubmit={() =>
        submit.runIfValid(valid, async () => {
          const u = await api.post<GraphUser>('/v1.0/users', {
            accountEnabled: true,
            displayName: displayName.trim(),
            mailNickname: nickname,
            userPrincipalName: `${nickname}@${domain}`,
            passwordProfile: { password },
            usageLocation: location,
          });
          onAdded(u);
        })
      }
    >
      <Field label={t('displayName')} required validationMessage={touched && !displayName.trim() ? t('required') : undefined}>
        <Input value={displayName} onChange={(_, d) => setDisplayName(d.value)} autoComplete="off" />
      </Field>
      <Field label={t('username')} required validationMessage={touched && !/^[A-Za-z0-9._-]+$/.test(nickname) ? t('required') : undefined}>
        <Input
          value={nickname}
          onChange={(_, d) => {
            setNick(d.value);
            setNickEdited(true);
          }}
          autoComplete="off"
        />
      </Field>
      <Field label={t('domain')}>
        <Select value={domain} onChange={(_, d) => setDomain(d.value)}>
          {domains.map((d) => (
            <option key={d} value={d}>
              {`@${d}`}
            </option>
          ))}
        </Select>
      </Field>
      <Field label={t('password')} required validationMessage={touched && !password ? t('required') : undefined}>
        <Input type="password" value={password} onChange={(_, d) => setPassword(d.value)} autoComplete="new-password" />
      </Field>
      <Field label={t('usageLocation')}>
        <Select value={location} onChange={(_, d) => setLocation(d.value)}>
          {countries.map((code) => (
            <option key={code} value={code}>
              {f.country(code)}
            </option>
          ))}
        </Select>
      </Field>
    </FormDialog>
  );
}
