// Users → Groups: the list (search by startswith(displayName,'…'), the groups
// with members in license error, paging by @odata.nextLink), create; a group's
// page with its members (add with a user picker, remove), its licenses (assign
// after a licensePreview, remove, licenseProcessingState) and its users with
// license errors (Reprocess).
import {
  Badge,
  Button,
  Field,
  Input,
  Radio,
  RadioGroup,
  SearchBox,
  Switch,
  Tab,
  TabList,
  Textarea,
  Toolbar,
  ToolbarButton,
} from '@fluentui/react-components';
import { AddRegular, ArrowLeftRegular, ArrowSyncRegular, DeleteRegular, KeyRegular, PeopleAddRegular } from '@fluentui/react-icons';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { api, relativeLink, type GraphUser, type ListResponse } from '../api';
import { AppLink, ErrorBar, InfoBar, Loading, PageHeader, useCommonStyles } from '../components/common';
import { DataTable } from '../components/DataTable';
import { FormDialog } from '../components/FormDialog';
import { LicenseErrorText, LicenseStateBadge } from '../components/UserLicenses';
import { UserPicker } from '../components/UserPicker';
import { useErrorText } from '../errors';
import { useFormat } from '../format';
import {
  addMember,
  assignGroupLicense,
  createGroup,
  deleteGroup,
  getGroup,
  groupsQuery,
  LICENSE_ERRORS,
  listGroups,
  nicknameOf,
  previewGroupLicense,
  rememberGroupName,
  removeMember,
  reprocessUser,
  type UserLicenseStates,
  type Group,
  type LicenseAssignmentState,
  type LicensePreview,
  type ProcessingState,
} from '../groups';
import { available, loadProducts, totalUnits, useLoad, type Products } from '../hooks';
import { useSignedIn } from '../session';
import { useCheckedSubmit, useSubmit } from '../submit';

export function ProcessingBadge({ state }: { state: ProcessingState | undefined }) {
  const { t } = useTranslation();
  const s = state ?? 'ProcessingComplete';
  return (
    <Badge appearance="tint" shape="rounded" color={s === 'ProcessingComplete' ? 'success' : 'informative'} data-testid="processing-state">
      {t(`processing${s}`)}
    </Badge>
  );
}

/** A list paged by @odata.nextLink: the first page on `path`, more with loadMore. */
function usePagedList<T extends { id: string }>(path: string | null, load: (p: string, signal?: AbortSignal) => Promise<ListResponse<T>>) {
  const [rows, setRows] = useState<T[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [count, setCount] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const reqId = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    if (!path) return;
    const id = ++reqId.current;
    setLoading(true);
    setError(null);
    loadRef
      .current(path)
      .then((r) => {
        if (id !== reqId.current) return;
        setRows(r.value ?? []);
        setNext(r['@odata.nextLink'] ?? null);
        setCount(typeof r['@odata.count'] === 'number' ? r['@odata.count'] : null);
      })
      .catch((e: unknown) => id === reqId.current && setError(e))
      .finally(() => id === reqId.current && setLoading(false));
  }, [path, tick]);

  const loadMore = useCallback(() => {
    if (!next) return;
    const id = ++reqId.current;
    setLoading(true);
    loadRef
      .current(relativeLink(next))
      .then((r) => {
        if (id !== reqId.current) return;
        setRows((cur) => {
          const seen = new Set(cur.map((x) => x.id));
          return [...cur, ...(r.value ?? []).filter((x) => !seen.has(x.id))];
        });
        setNext(r['@odata.nextLink'] ?? null);
      })
      .catch((e: unknown) => id === reqId.current && setError(e))
      .finally(() => id === reqId.current && setLoading(false));
  }, [next]);

  const reload = useCallback(() => setTick((x) => x + 1), []);
  return { rows, setRows, next, count, loading, error, loadMore, reload };
}

function CreateGroupDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (g: Group) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [nickname, setNickname] = useState('');
  const [nickEdited, setNickEdited] = useState(false);
  const submit = useCheckedSubmit();
  const nick = nickEdited ? nickname : nicknameOf(name);
  const nameError = submit.touched && !name.trim() ? t('required') : undefined;
  const nickError = submit.touched && !/^[A-Za-z0-9._-]{1,64}$/.test(nick) ? t('errors.InvalidMailNickname') : undefined;
  return (
    <FormDialog
      title={t('addGroup')}
      submitLabel={t('add')}
      busy={submit.busy}
      error={submit.message}
      onClose={onClose}
      onSubmit={() =>
        submit.runIfValid(Boolean(name.trim()) && /^[A-Za-z0-9._-]{1,64}$/.test(nick), async () => {
          const g = await createGroup({ displayName: name.trim(), description, mailNickname: nick });
          rememberGroupName(g);
          onCreated(g);
        })
      }
    >
      <Field label={t('groupName')} required validationMessage={nameError}>
        <Input value={name} onChange={(_, d) => setName(d.value)} maxLength={256} />
      </Field>
      <Field label={t('groupDescription')}>
        <Textarea value={description} onChange={(_, d) => setDescription(d.value)} maxLength={1024} />
      </Field>
      <Field label={t('mailNickname')} hint={t('mailNicknameHint')} required validationMessage={nickError}>
        <Input
          value={nick}
          onChange={(_, d) => {
            setNickEdited(true);
            setNickname(d.value);
          }}
          maxLength={64}
        />
      </Field>
    </FormDialog>
  );
}

export function GroupsPage() {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const f = useFormat();
  const navigate = useNavigate();
  const { perms } = useSignedIn();
  const errorText = useErrorText();
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [errorsOnly, setErrorsOnly] = useState(false);
  const [dialog, setDialog] = useState(false);
  const products = useLoad((signal) => loadProducts(signal, { subscriptions: false }), []);
  useEffect(() => {
    const h = setTimeout(() => setQuery(search), 300);
    return () => clearTimeout(h);
  }, [search]);
  const list = usePagedList<Group>(groupsQuery(query, errorsOnly), listGroups);
  useEffect(() => list.rows.forEach(rememberGroupName), [list.rows]);

  return (
    <div className={c.page}>
      <PageHeader title={t('groups')} />
      <Toolbar aria-label={t('groups')} style={{ flexWrap: 'wrap', padding: 0, gap: 4 }}>
        {perms.canManageUsers ? (
          <ToolbarButton icon={<AddRegular />} onClick={() => setDialog(true)}>
            {t('addGroup')}
          </ToolbarButton>
        ) : null}
        <ToolbarButton icon={<ArrowSyncRegular />} onClick={list.reload}>
          {t('refresh')}
        </ToolbarButton>
      </Toolbar>
      <div className={c.row} style={{ justifyContent: 'space-between' }}>
        <div className={c.row}>
          <SearchBox
            style={{ maxWidth: 360, width: '100%' }}
            aria-label={t('searchGroups')}
            placeholder={t('searchGroups')}
            value={search}
            onChange={(_, d) => setSearch(d.value)}
          />
          <Switch label={t('onlyGroupsWithErrors')} checked={errorsOnly} onChange={(_, d) => setErrorsOnly(d.checked)} />
        </div>
        <span className={c.muted} aria-live="polite">
          {list.count !== null
            ? t('showingOf', { shown: f.num(list.rows.length), total: f.num(list.count) })
            : t('showing', { shown: f.num(list.rows.length) })}
        </span>
      </div>
      <ErrorBar message={list.error ? errorText(list.error) : null} onRetry={list.reload} />
      <DataTable
        label={t('groups')}
        minWidth={640}
        rows={list.rows}
        rowKey={(g) => g.id}
        rowProps={() => ({ 'data-testid': 'group-row' })}
        columns={[
          { key: 'name', header: t('groupName'), cell: (g) => <AppLink to={`/groups/${encodeURIComponent(g.id)}`}>{g.displayName}</AppLink> },
          { key: 'description', header: t('groupDescription'), cell: (g) => g.description ?? '' },
          {
            key: 'licenses',
            header: t('licenses'),
            cell: (g) => (g.assignedLicenses ?? []).map((l) => products.data?.nameOf(l.skuId) ?? l.skuId).join(', '),
          },
          { key: 'state', header: t('licenseProcessing'), cell: (g) => <ProcessingBadge state={g.licenseProcessingState?.state} /> },
        ]}
      />
      {list.loading ? <Loading /> : null}
      {!list.loading && list.rows.length === 0 && !list.error ? <p className={c.p}>{t('noGroups')}</p> : null}
      {list.next && !list.loading ? (
        <div>
          <Button onClick={list.loadMore}>{t('loadMore')}</Button>
        </div>
      ) : null}
      {dialog ? (
        <CreateGroupDialog
          onClose={() => setDialog(false)}
          onCreated={(g) => {
            setDialog(false);
            navigate(`/groups/${encodeURIComponent(g.id)}`, { state: { created: true } });
          }}
        />
      ) : null}
    </div>
  );
}

// ---- One group ----

function AddMembersDialog({ group, onClose, onDone }: { group: Group; onClose: () => void; onDone: (count: number) => void }) {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [chosen, setChosen] = useState<Map<string, GraphUser>>(new Map());
  const [failed, setFailed] = useState<string[]>([]);
  const submit = useSubmit();
  return (
    <FormDialog
      title={t('addMembers')}
      submitLabel={t('add')}
      busy={submit.busy}
      canSubmit={chosen.size > 0}
      error={submit.message}
      onClose={onClose}
      onSubmit={() =>
        submit.run(async () => {
          const bad: string[] = [];
          let ok = 0;
          for (const u of chosen.values()) {
            try {
              await addMember(group.id, u.id);
              ok++;
            } catch (e) {
              bad.push(t('failedForUser', { name: u.displayName, message: errorText(e) }));
            }
          }
          setFailed(bad);
          if (bad.length === 0) onDone(ok);
        })
      }
    >
      <p className={c.p}>{group.displayName}</p>
      <UserPicker label={t('usersToAdd')} searchLabel={t('searchUsersShort')} chosen={chosen} onChange={setChosen} />
      {chosen.size > 0 ? <p className={c.muted}>{t('selectedUsers', { names: [...chosen.values()].map((u) => u.displayName).join(', ') })}</p> : null}
      {failed.length > 0 ? (
        <ErrorBar title={t('errorTitle')} message={failed.join(' · ')} />
      ) : null}
    </FormDialog>
  );
}

function MembersTab({ group, onChanged }: { group: Group; onChanged: () => void }) {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const { perms } = useSignedIn();
  const errorText = useErrorText();
  const [dialog, setDialog] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const remove = useSubmit();
  const list = usePagedList<GraphUser>(`/v1.0/groups/${encodeURIComponent(group.id)}/members?$top=50`, (p, signal) =>
    api.get<ListResponse<GraphUser>>(p, { signal }),
  );
  return (
    <div className={c.page}>
      {perms.canManageUsers ? (
        <div className={c.row}>
          <Button icon={<PeopleAddRegular />} onClick={() => setDialog(true)}>
            {t('addMembers')}
          </Button>
        </div>
      ) : null}
      {notice ? <InfoBar intent="success">{notice}</InfoBar> : null}
      <ErrorBar message={list.error ? errorText(list.error) : remove.message} onRetry={list.reload} />
      <DataTable
        label={t('members')}
        minWidth={480}
        rows={list.rows}
        rowKey={(u) => u.id}
        rowProps={() => ({ 'data-testid': 'member-row' })}
        columns={[
          { key: 'name', header: t('displayName'), cell: (u) => u.displayName },
          { key: 'upn', header: t('username'), wrapAnywhere: true, cell: (u) => u.userPrincipalName },
          ...(perms.canManageUsers
            ? [
                {
                  key: 'remove',
                  header: <span className={c.visuallyHidden}>{t('remove')}</span>,
                  cell: (u: GraphUser) => (
                    <Button
                      size="small"
                      appearance="subtle"
                      icon={<DeleteRegular />}
                      aria-label={t('removeNamed', { name: u.displayName })}
                      disabled={remove.busy}
                      onClick={() =>
                        void remove.run(async () => {
                          await removeMember(group.id, u.id);
                          list.setRows((cur) => cur.filter((x) => x.id !== u.id));
                          setNotice(t('memberRemoved', { name: u.displayName }));
                          onChanged();
                        })
                      }
                    />
                  ),
                },
              ]
            : []),
        ]}
      />
      {list.loading ? <Loading /> : null}
      {!list.loading && list.rows.length === 0 && !list.error ? <p className={c.p}>{t('noMembers')}</p> : null}
      {list.next && !list.loading ? (
        <div>
          <Button onClick={list.loadMore}>{t('loadMore')}</Button>
        </div>
      ) : null}
      {dialog ? (
        <AddMembersDialog
          group={group}
          onClose={() => setDialog(false)}
          onDone={(n) => {
            setDialog(false);
            setNotice(t('membersAdded', { count: n }));
            list.reload();
            onChanged();
          }}
        />
      ) : null}
    </div>
  );
}

function PreviewView({ preview, products }: { preview: LicensePreview; products: Products }) {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const f = useFormat();
  const failing = LICENSE_ERRORS.filter((e) => (preview.wouldFail[e] ?? 0) > 0);
  const failTotal = failing.reduce((n, e) => n + (preview.wouldFail[e] ?? 0), 0);
  return (
    <section aria-label={t('previewTitle')} data-testid="license-preview" className={c.card}>
      <h3 className={c.h3}>{t('previewTitle')}</h3>
      <dl className={c.dl}>
        <dt>{t('previewMembersAffected')}</dt>
        <dd data-testid="preview-members">{f.num(preview.membersAffected)}</dd>
        <dt>{t('previewWouldAssign')}</dt>
        <dd data-testid="preview-assign">{f.num(preview.wouldAssign)}</dd>
        <dt>{t('previewWouldFail')}</dt>
        <dd data-testid="preview-fail">{f.num(failTotal)}</dd>
        {failing.map((e) => (
          <FailRow key={e} label={t(`licenseError${e}`)} n={f.num(preview.wouldFail[e] ?? 0)} />
        ))}
      </dl>
      {preview.additionalLicensesNeeded.map((n) => (
        <InfoBar key={n.skuId} intent="warning">
          {t('previewNeeded', {
            quantity: f.num(n.quantity ?? 0),
            name: products.nameOf(n.skuId ?? ''),
            cost: f.money(n.monthlyCost),
          })}
        </InfoBar>
      ))}
    </section>
  );
}

function FailRow({ label, n }: { label: string; n: string }) {
  return (
    <>
      <dt style={{ paddingLeft: 12 }}>{label}</dt>
      <dd>{n}</dd>
    </>
  );
}

function AssignGroupLicenseDialog({ group, products, onClose, onDone }: { group: Group; products: Products; onClose: () => void; onDone: (g: Group) => void }) {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const f = useFormat();
  const errorText = useErrorText();
  const held = new Set((group.assignedLicenses ?? []).map((l) => l.skuId.toLowerCase()));
  const choices = products.skus.filter((k) => !held.has(k.skuId.toLowerCase()));
  const [sku, setSku] = useState('');
  const [preview, setPreview] = useState<LicensePreview | null>(null);
  const [previewError, setPreviewError] = useState<unknown>(null);
  const [previewing, setPreviewing] = useState(false);
  const submit = useSubmit();

  useEffect(() => {
    if (!sku) return;
    const ctrl = new AbortController();
    setPreview(null);
    setPreviewError(null);
    setPreviewing(true);
    previewGroupLicense(group.id, [sku], [], ctrl.signal)
      .then((p) => !ctrl.signal.aborted && setPreview(p))
      .catch((e: unknown) => !ctrl.signal.aborted && setPreviewError(e))
      .finally(() => !ctrl.signal.aborted && setPreviewing(false));
    return () => ctrl.abort();
  }, [group.id, sku]);

  return (
    <FormDialog
      title={t('assignLicenses')}
      submitLabel={t('confirmAssign')}
      busy={submit.busy}
      canSubmit={Boolean(sku && preview)}
      error={submit.message}
      onClose={onClose}
      onSubmit={() =>
        submit.run(async () => {
          onDone(await assignGroupLicense(group.id, [sku]));
        })
      }
    >
      <p className={c.muted}>{t('groupAssignIntro', { name: group.displayName })}</p>
      {choices.length === 0 ? <p className={c.p}>{t('noProducts')}</p> : null}
      <Field label={t('productToAssign')} required>
        <RadioGroup value={sku} onChange={(_, d) => setSku(d.value)}>
          {choices.map((k) => (
            <div key={k.skuId} style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', columnGap: 8 }}>
              <Radio value={k.skuId} label={products.nameOf(k.skuId)} aria-describedby={`gavail-${k.skuId}`} />
              <span id={`gavail-${k.skuId}`} className={c.muted}>
                {t('availableOfTotal', { available: f.num(available(k)), total: f.num(totalUnits(k)) })}
              </span>
            </div>
          ))}
        </RadioGroup>
      </Field>
      {previewing ? <Loading label={t('previewLoading')} /> : null}
      <ErrorBar message={previewError ? errorText(previewError) : null} />
      {preview ? <PreviewView preview={preview} products={products} /> : null}
    </FormDialog>
  );
}

function LicensesTab({ group, products, onGroup }: { group: Group; products: Products | undefined; onGroup: (g: Group) => void }) {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const { perms } = useSignedIn();
  const [dialog, setDialog] = useState(false);
  const [removing, setRemoving] = useState<string | null>(null);
  const remove = useSubmit();
  const licenses = group.assignedLicenses ?? [];
  const nameOf = (skuId: string) => products?.nameOf(skuId) ?? skuId;
  return (
    <div className={c.page}>
      <div className={c.row}>
        <span>{t('licenseProcessing')}:</span>
        <ProcessingBadge state={group.licenseProcessingState?.state} />
      </div>
      {perms.canAssign ? (
        <div className={c.row}>
          <Button icon={<KeyRegular />} disabled={!products} onClick={() => setDialog(true)}>
            {t('assignLicenses')}
          </Button>
        </div>
      ) : null}
      {licenses.length === 0 ? <p className={c.p}>{t('noGroupLicenses')}</p> : null}
      {licenses.length > 0 ? (
        <DataTable
          label={t('licenses')}
          minWidth={420}
          rows={licenses}
          rowKey={(l) => l.skuId}
          rowProps={() => ({ 'data-testid': 'group-license-row' })}
          columns={[
            { key: 'product', header: t('product'), cell: (l) => nameOf(l.skuId) },
            ...(perms.canAssign
              ? [
                  {
                    key: 'remove',
                    header: <span className={c.visuallyHidden}>{t('remove')}</span>,
                    cell: (l: { skuId: string }) => (
                      <Button size="small" icon={<DeleteRegular />} onClick={() => setRemoving(l.skuId)} aria-label={t('removeNamed', { name: nameOf(l.skuId) })}>
                        {t('remove')}
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
      ) : null}
      {dialog && products ? (
        <AssignGroupLicenseDialog
          group={group}
          products={products}
          onClose={() => setDialog(false)}
          onDone={(g) => {
            setDialog(false);
            onGroup(g);
          }}
        />
      ) : null}
      {removing ? (
        <FormDialog
          alert
          title={t('removeLicenses')}
          submitLabel={t('remove')}
          busy={remove.busy}
          error={remove.message}
          onClose={() => setRemoving(null)}
          onSubmit={() =>
            remove.run(async () => {
              onGroup(await assignGroupLicense(group.id, [], [removing]));
              setRemoving(null);
            })
          }
        >
          <p className={c.p}>{t('removeGroupLicenseConfirm', { name: nameOf(removing), group: group.displayName })}</p>
        </FormDialog>
      ) : null}
    </div>
  );
}

interface ErrorMember {
  id: string;
  displayName: string;
  userPrincipalName: string;
  states: LicenseAssignmentState[];
}

function LicenseErrorsTab({ group, products, tick, onChanged }: { group: Group; products: Products | undefined; tick: number; onChanged: () => void }) {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const { perms } = useSignedIn();
  const errorText = useErrorText();
  const [notice, setNotice] = useState<string | null>(null);
  const reprocess = useSubmit();
  // Each member's errors from this group: the page's licenseAssignmentStates
  // come with it ($select), filtered to this group's sources in error.
  const withStates = useCallback(
    async (p: string, signal?: AbortSignal): Promise<ListResponse<ErrorMember>> => {
      const page = await api.get<ListResponse<UserLicenseStates>>(p, { signal });
      const value = (page.value ?? []).map((u) => ({
        id: u.id,
        displayName: u.displayName,
        userPrincipalName: u.userPrincipalName,
        states: (u.licenseAssignmentStates ?? []).filter(
          (x) => x.assignedByGroup?.toLowerCase() === group.id.toLowerCase() && x.error && x.error !== 'None',
        ),
      }));
      return { ...page, value };
    },
    [group.id],
  );
  const list = usePagedList<ErrorMember>(
    `/v1.0/groups/${encodeURIComponent(group.id)}/membersWithLicenseErrors?$top=50&$select=id,displayName,userPrincipalName,licenseAssignmentStates`,
    withStates,
  );
  const { reload } = list;
  useEffect(() => {
    if (tick > 0) reload();
  }, [tick, reload]);
  return (
    <div className={c.page}>
      {notice ? <InfoBar intent="success">{notice}</InfoBar> : null}
      <ErrorBar message={list.error ? errorText(list.error) : reprocess.message} onRetry={list.reload} />
      <DataTable
        label={t('usersWithLicenseErrors')}
        minWidth={560}
        rows={list.rows}
        rowKey={(u) => u.id}
        rowProps={() => ({ 'data-testid': 'license-error-row' })}
        columns={[
          { key: 'name', header: t('displayName'), cell: (u) => u.displayName },
          {
            key: 'errors',
            header: t('licenseErrorColumn'),
            cell: (u) => (
              <div style={{ display: 'flex', flexDirection: 'column', gap: 4 }}>
                {u.states.map((s) => (
                  <div key={s.skuId} className={c.row}>
                    <span>{products?.nameOf(s.skuId ?? '') ?? s.skuId}</span>
                    <LicenseStateBadge s={s} />
                    <LicenseErrorText s={s} />
                  </div>
                ))}
              </div>
            ),
          },
          ...(perms.canAssign
            ? [
                {
                  key: 'reprocess',
                  header: <span className={c.visuallyHidden}>{t('reprocess')}</span>,
                  cell: (u: ErrorMember) => (
                    <Button
                      size="small"
                      icon={<ArrowSyncRegular />}
                      disabled={reprocess.busy}
                      aria-label={t('reprocessNamed', { name: u.displayName })}
                      onClick={() =>
                        void reprocess.run(async () => {
                          await reprocessUser(u.id);
                          setNotice(t('reprocessed', { name: u.displayName }));
                          list.reload();
                          onChanged();
                        })
                      }
                    >
                      {t('reprocess')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      {list.loading ? <Loading /> : null}
      {!list.loading && list.rows.length === 0 && !list.error ? <InfoBar>{t('noLicenseErrors')}</InfoBar> : null}
      {list.next && !list.loading ? (
        <div>
          <Button onClick={list.loadMore}>{t('loadMore')}</Button>
        </div>
      ) : null}
    </div>
  );
}

type TabKey = 'members' | 'licenses' | 'errors';

export function GroupDetail() {
  const c = useCommonStyles();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { id = '' } = useParams();
  const { perms } = useSignedIn();
  const group = useLoad((signal) => getGroup(id, signal), [id]);
  const products = useLoad((signal) => loadProducts(signal, { subscriptions: false }), []);
  const [tab, setTab] = useState<TabKey>('members');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [errorsTick, setErrorsTick] = useState(0);
  const del = useSubmit();
  const g = group.data;
  const state = g?.licenseProcessingState?.state;
  const { reload: reloadGroup, setData: setGroup } = group;
  const { reload: reloadProducts } = products;

  // Poll while the group's licenses are being processed.
  useEffect(() => {
    if (!state || state === 'ProcessingComplete') return;
    const h = setTimeout(reloadGroup, 700);
    return () => clearTimeout(h);
  }, [state, g, reloadGroup]);
  const wasProcessing = useRef(false);
  useEffect(() => {
    if (state && state !== 'ProcessingComplete') wasProcessing.current = true;
    else if (state === 'ProcessingComplete' && wasProcessing.current) {
      wasProcessing.current = false;
      setErrorsTick((x) => x + 1);
      reloadProducts();
    }
  }, [state, reloadProducts]);

  return (
    <div className={c.page}>
      <div>
        <AppLink to="/groups">
          <ArrowLeftRegular aria-hidden style={{ verticalAlign: 'middle', marginRight: 4 }} />
          {t('backToGroups')}
        </AppLink>
      </div>
      {g ? (
        <PageHeader title={g.displayName}>
          {perms.canManageUsers ? (
            <Button icon={<DeleteRegular />} onClick={() => setConfirmDelete(true)}>
              {t('deleteGroup')}
            </Button>
          ) : null}
        </PageHeader>
      ) : null}
      <ErrorBar message={group.error ?? products.error} onRetry={group.reload} />
      {group.loading && !g ? <Loading /> : null}
      {g?.description ? <p className={c.muted}>{g.description}</p> : null}
      {g ? (
        <>
          <TabList selectedValue={tab} onTabSelect={(_, d) => setTab(d.value as TabKey)} aria-label={g.displayName}>
            <Tab value="members">{t('members')}</Tab>
            <Tab value="licenses">{t('licenses')}</Tab>
            <Tab value="errors">{t('usersWithLicenseErrors')}</Tab>
          </TabList>
          <div role="tabpanel" aria-label={t(tab === 'members' ? 'members' : tab === 'licenses' ? 'licenses' : 'usersWithLicenseErrors')}>
            {tab === 'members' ? <MembersTab group={g} onChanged={reloadGroup} /> : null}
            {tab === 'licenses' ? <LicensesTab group={g} products={products.data} onGroup={setGroup} /> : null}
            {tab === 'errors' ? (
              <LicenseErrorsTab group={g} products={products.data} tick={errorsTick} onChanged={() => { reloadGroup(); reloadProducts(); }} />
            ) : null}
          </div>
        </>
      ) : null}
      {confirmDelete && g ? (
        <FormDialog
          alert
          title={t('deleteGroup')}
          submitLabel={t('delete')}
          busy={del.busy}
          error={del.message}
          onClose={() => {
            del.clear();
            setConfirmDelete(false);
          }}
          onSubmit={() =>
            del.run(async () => {
              await deleteGroup(g.id);
              navigate('/groups', { replace: true });
            })
          }
        >
          <p className={c.p}>{t('deleteGroupConfirm', { name: g.displayName })}</p>
        </FormDialog>
      ) : null}
    </div>
  );
}
