import { useEffect, useId, useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { AlertRule, CreatedAlertRule, NewAlertRule } from '../api/types.ts';
import { AdminSignIn } from '../components/admin-sign-in.tsx';
import { ChannelField, CHANNEL_NEEDED, CreatedNotice, OutboxCard, TargetOptions, useOutboxCard } from '../components/outbox-parts.tsx';
import { describeAdminFailure, useAdminToken } from '../lib/admin-session.ts';
import { useAdminAction } from '../lib/use-admin-action.ts';
import { useResource } from '../lib/use-resource.ts';
import { DigestSubscriptions } from './digests-section.tsx';

type Kind = AlertRule['kind'];

const KINDS: { value: Kind; label: string; hint: string }[] = [
  { value: 'shift', label: 'Shift', hint: 'sentiment moves against the window before, significantly' },
  { value: 'spike', label: 'Spike', hint: 'volume or negativity spikes' },
  { value: 'aspect', label: 'Aspect', hint: "an aspect's share or polarity moves" },
  { value: 'mention', label: 'Mention', hint: 'every new post that passes the filters' },
  { value: 'regression', label: 'Regression', hint: 'sentiment falls below what its history and releases lead one to expect' },
];
const METRICS: Record<Kind, { value: string; label: string }[]> = {
  shift: [
    { value: 'mean', label: 'Mean sentiment' },
    { value: 'net', label: 'Net sentiment' },
  ],
  spike: [
    { value: '', label: 'Volume and negativity' },
    { value: 'volume', label: 'Volume' },
    { value: 'negativity', label: 'Negativity' },
  ],
  aspect: [
    { value: 'share', label: 'Share' },
    { value: 'polarity', label: 'Polarity' },
  ],
  mention: [],
  regression: [],
};

type EntityKind = NonNullable<NewAlertRule['entityKind']>;

interface Draft {
  kind: Kind;
  /** An entity's slug, or `kind:model` (a KIND_TARGETS value) for a rule on every entity of a kind. */
  entity: string;
  channel: string;
  name: string;
  metric: string;
  threshold: string;
  windowHours: string;
  source: string;
  aspect: string;
  polarity: string;
  include: string;
  exclude: string;
}
const EMPTY: Draft = {
  kind: 'shift',
  entity: '',
  channel: '',
  name: '',
  metric: 'mean',
  threshold: '',
  windowHours: '',
  source: '',
  aspect: '',
  polarity: '',
  include: '',
  exclude: '',
};

const words = (text: string) => [
  ...new Set(
    text
      .split(',')
      .map((w) => w.trim())
      .filter(Boolean),
  ),
];

/** The body POST /api/v1/alerts takes: only the fields the kind uses, and only those filled in. */
export function toNewAlertRule(d: Draft): NewAlertRule {
  const target = d.entity.startsWith('kind:') ? { entityKind: d.entity.slice('kind:'.length) as EntityKind } : { entity: d.entity };
  const rule: NewAlertRule = { kind: d.kind, ...target, channel: d.channel.trim() };
  if (d.name.trim()) rule.name = d.name.trim();
  if (d.source && d.kind !== 'regression') rule.source = d.source.trim();
  if (d.metric && METRICS[d.kind].some((m) => m.value === d.metric)) rule.metric = d.metric;
  if ((d.kind === 'shift' || d.kind === 'aspect') && d.threshold.trim()) rule.threshold = Number(d.threshold);
  if ((d.kind === 'shift' || d.kind === 'aspect') && d.windowHours.trim()) rule.windowHours = Number(d.windowHours);
  if ((d.kind === 'aspect' || d.kind === 'mention') && d.aspect.trim()) rule.aspect = d.aspect.trim();
  if (d.kind === 'mention') {
    if (d.polarity) rule.polarity = d.polarity as NonNullable<NewAlertRule['polarity']>;
    if (words(d.include).length) rule.include = words(d.include);
    if (words(d.exclude).length) rule.exclude = words(d.exclude);
  }
  return rule;
}

export function AlertsPage() {
  const token = useAdminToken();
  return (
    <section aria-labelledby="alerts-title">
      <div className="page-head">
        <h1 id="alerts-title" tabIndex={-1}>
          Alerts
        </h1>
        <p className="muted">
          Rules that send a message to a webhook, Slack, Discord or e-mail when something matters, and daily or weekly digests to the same
          channels. Managing them needs the admin token.
        </p>
      </div>
      <AdminSignIn />
      {token ? (
        <>
          <AlertRules token={token} />
          <DigestSubscriptions token={token} />
        </>
      ) : (
        <p className="muted">Sign in to see and manage alert rules and digests.</p>
      )}
    </section>
  );
}

function AlertRules({ token }: { token: string }) {
  const [version, setVersion] = useState(0);
  const rules = useResource(`alerts-${version}`, (signal) => api.listAlerts(token, { signal }));
  const [created, setCreated] = useState<CreatedAlertRule | null>(null);
  useEffect(() => {
    // A refused token signs out; the sign-in form says why.
    if (rules.error) describeAdminFailure(rules.error, '');
  }, [rules.error]);
  const reload = () => setVersion((v) => v + 1);

  return (
    <>
      <AddAlertForm
        token={token}
        onAdded={(rule) => {
          setCreated(rule);
          reload();
        }}
      />
      {created && <CreatedNotice what="rule" created={created} onDismiss={() => setCreated(null)} />}
      <h2>Rules</h2>
      {rules.error && !(rules.error.status === 401 || rules.error.status === 403) && (
        <p className="form-error" role="alert">
          {rules.error.message}
        </p>
      )}
      {rules.data && rules.data.items.length === 0 && <p className="muted">No alert rules yet.</p>}
      {rules.data && rules.data.items.length > 0 && (
        <ul className="alert-rules">
          {rules.data.items.map((rule) => (
            <RuleCard key={rule.id} rule={rule} token={token} onRemoved={reload} />
          ))}
        </ul>
      )}
    </>
  );
}

function RuleCard({ rule, token, onRemoved }: { rule: AlertRule; token: string; onRemoved: () => void }) {
  const card = useOutboxCard(`rule-${rule.id}`, (signal) => api.listDeliveries(token, rule.id, { signal }));
  const sendTest = () =>
    card.send(async () => {
      const result = await api.testAlert(token, rule.id);
      const status = result.status ? ` (HTTP ${result.status})` : '';
      return result.ok
        ? { tone: 'ok', text: `Test delivered${status} in ${result.durationMs} ms.` }
        : { tone: 'bad', text: `Test failed${status}: ${result.cause ?? 'no cause given'}.` };
    }, 'The test could not be sent.');
  const remove = () =>
    card.remove(async () => {
      await api.removeAlert(token, rule.id);
      onRemoved();
    }, 'The rule could not be removed.');

  return (
    <OutboxCard
      id={rule.id}
      name={rule.name}
      what="rule"
      facts={[
        { label: 'Kind', value: rule.kind },
        { label: 'Entity', value: rule.entity ?? `Every ${rule.entityKind ?? 'entity'} (${rule.entities} now)` },
        { label: 'Channel', value: rule.channel, className: 'channel' },
        {
          label: 'Alerts',
          value: `${rule.alerts.fired} fired, ${rule.alerts.delivered} delivered, ${rule.alerts.pending} waiting, ${rule.alerts.dead} failed`,
        },
      ]}
      sendLabel="Send a test"
      onSend={() => void sendTest()}
      onRemove={() => void remove()}
      card={card}
    />
  );
}

function AddAlertForm({ token, onAdded }: { token: string; onAdded: (rule: CreatedAlertRule) => void }) {
  const entities = useResource('alerts-entities', (signal) => api.listEntities({}, { signal }));
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const action = useAdminAction<CreatedAlertRule>();
  const id = useId();
  const f = (name: string) => `${id}-${name}`;
  const update = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const k = draft.kind;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft.entity) return action.refuse('Choose the entity the rule watches.');
    if (!draft.channel.trim()) return action.refuse(CHANNEL_NEEDED);
    const added = await action.run(async () => {
      const created = await api.addAlert(token, toNewAlertRule(draft));
      onAdded(created);
      return created;
    }, 'The rule could not be added.');
    if (added) setDraft({ ...EMPTY, kind: draft.kind, metric: draft.metric });
  };

  return (
    <form className="admin-form" onSubmit={(event) => void submit(event)} aria-labelledby={f('title')} noValidate>
      <h2 id={f('title')}>Add a rule</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={f('kind')}>Kind</label>
          <select
            id={f('kind')}
            value={k}
            onChange={(e) => update({ kind: e.target.value as Kind, metric: METRICS[e.target.value as Kind][0]?.value ?? '' })}
            aria-describedby={f('kind-hint')}
          >
            {KINDS.map((kind) => (
              <option key={kind.value} value={kind.value}>
                {kind.label}
              </option>
            ))}
          </select>
          <span id={f('kind-hint')}>{KINDS.find((kind) => kind.value === k)?.hint}</span>
        </div>
        <div className="field">
          <label htmlFor={f('entity')}>Entity</label>
          <select id={f('entity')} value={draft.entity} onChange={(e) => update({ entity: e.target.value })}>
            <option value="">Choose…</option>
            <TargetOptions entities={entities.data?.items ?? []} />
          </select>
        </div>
        <ChannelField id={f('channel')} value={draft.channel} onChange={(channel) => update({ channel })} />
        <div className="field">
          <label htmlFor={f('name')}>Name (optional)</label>
          <input id={f('name')} maxLength={200} value={draft.name} onChange={(e) => update({ name: e.target.value })} />
        </div>
        {METRICS[k].length > 0 && (
          <div className="field">
            <label htmlFor={f('metric')}>Measure</label>
            <select id={f('metric')} value={draft.metric} onChange={(e) => update({ metric: e.target.value })}>
              {METRICS[k].map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>
          </div>
        )}
        {(k === 'shift' || k === 'aspect') && (
          <>
            <div className="field">
              <label htmlFor={f('threshold')}>Least change that fires (optional)</label>
              <input
                id={f('threshold')}
                type="number"
                step="0.01"
                min="0.01"
                max="2"
                value={draft.threshold}
                onChange={(e) => update({ threshold: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor={f('window')}>Window in hours (optional)</label>
              <input
                id={f('window')}
                type="number"
                step="1"
                min="1"
                max="8760"
                value={draft.windowHours}
                onChange={(e) => update({ windowHours: e.target.value })}
              />
            </div>
          </>
        )}
        {k !== 'regression' && (
          <div className="field">
            <label htmlFor={f('source')}>Only from source (optional)</label>
            <input
              id={f('source')}
              spellCheck={false}
              value={draft.source}
              onChange={(e) => update({ source: e.target.value })}
              placeholder="hn"
            />
          </div>
        )}
        {(k === 'aspect' || k === 'mention') && (
          <div className="field">
            <label htmlFor={f('aspect')}>Aspect{k === 'mention' ? ' (optional)' : ''}</label>
            <input
              id={f('aspect')}
              spellCheck={false}
              value={draft.aspect}
              onChange={(e) => update({ aspect: e.target.value })}
              placeholder="limits"
            />
          </div>
        )}
        {k === 'mention' && (
          <>
            <div className="field">
              <label htmlFor={f('polarity')}>Polarity</label>
              <select id={f('polarity')} value={draft.polarity} onChange={(e) => update({ polarity: e.target.value })}>
                <option value="">Any</option>
                <option value="negative">Negative</option>
                <option value="neutral">Neutral</option>
                <option value="positive">Positive</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor={f('include')}>Words to include (comma-separated)</label>
              <input id={f('include')} value={draft.include} onChange={(e) => update({ include: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor={f('exclude')}>Words to exclude (comma-separated)</label>
              <input id={f('exclude')} value={draft.exclude} onChange={(e) => update({ exclude: e.target.value })} />
            </div>
          </>
        )}
      </div>
      <button type="submit" disabled={action.busy}>
        {action.busy ? 'Adding…' : 'Add rule'}
      </button>
      {action.error && (
        <p className="form-error" role="alert">
          {action.error}
        </p>
      )}
    </form>
  );
}
