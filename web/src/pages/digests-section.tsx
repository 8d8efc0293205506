import { useEffect, useId, useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { CreatedDigestSubscription, DigestSubscription, EntityKind, NewDigestSubscription } from '../api/types.ts';
import { ChannelField, CHANNEL_NEEDED, CreatedNotice, OutboxCard, TargetOptions, useOutboxCard } from '../components/outbox-parts.tsx';
import { describeAdminFailure } from '../lib/admin-session.ts';
import { formatRelative } from '../lib/format.ts';
import { useAdminAction } from '../lib/use-admin-action.ts';
import { useResource } from '../lib/use-resource.ts';

type Cadence = DigestSubscription['cadence'];

export interface DigestDraft {
  cadence: Cadence;
  /** The UTC hour as typed; empty for the server's default. */
  hourUtc: string;
  /** '' for every entity, `kind:tool` (a KIND_TARGETS value) for every entity of a kind, or one entity's slug. */
  covers: string;
  channel: string;
  name: string;
}
const EMPTY: DigestDraft = { cadence: 'weekly', hourUtc: '8', covers: '', channel: '', name: '' };

/** The body POST /api/v1/digests takes: only what the form says, the server's defaults for the rest. */
export function toNewDigest(d: DigestDraft): NewDigestSubscription {
  const subscription: NewDigestSubscription = { channel: d.channel.trim(), cadence: d.cadence };
  if (d.covers.startsWith('kind:')) subscription.kinds = [d.covers.slice('kind:'.length) as EntityKind];
  else if (d.covers) subscription.entities = [d.covers];
  if (d.hourUtc.trim()) subscription.hourUtc = Number(d.hourUtc);
  if (d.name.trim()) subscription.name = d.name.trim();
  return subscription;
}

const hour = (h: number) => `${String(h).padStart(2, '0')}:00 UTC`;

/** When its digests go out and what each covers: "weekly, Mondays at 08:00 UTC, for the week before". */
export function describeSchedule(s: Pick<DigestSubscription, 'cadence' | 'hourUtc'>): string {
  return s.cadence === 'weekly'
    ? `weekly, Mondays at ${hour(s.hourUtc)}, for the ISO week before`
    : `daily at ${hour(s.hourUtc)}, for the UTC day before`;
}

/** What a subscription covers, in words: its entities by name, every entity of its kinds, or every entity. */
export function describeCoverage(s: Pick<DigestSubscription, 'entities' | 'kinds'>, nameOf: (slug: string) => string): string {
  if (s.entities.length > 0) return s.entities.map(nameOf).join(', ');
  if (s.kinds.length > 0) return s.kinds.map((kind) => `every ${kind}`).join(', ');
  return 'every entity';
}

/** Daily and weekly digests sent through the alert channels: the subscriptions, a form to add one, their deliveries. */
export function DigestSubscriptions({ token }: { token: string }) {
  const [version, setVersion] = useState(0);
  const subscriptions = useResource(`digests-${version}`, (signal) => api.listDigests(token, { signal }));
  const entities = useResource('digests-entities', (signal) => api.listEntities({}, { signal }));
  const [created, setCreated] = useState<CreatedDigestSubscription | null>(null);
  useEffect(() => {
    if (subscriptions.error) describeAdminFailure(subscriptions.error, '');
  }, [subscriptions.error]);
  const reload = () => setVersion((v) => v + 1);
  const names = new Map(entities.data?.items.map((e) => [e.slug, e.name]) ?? []);
  const nameOf = (slug: string) => names.get(slug) ?? slug;

  return (
    <section className="digests" aria-labelledby="digests-title">
      <h2 id="digests-title">Digests</h2>
      <p className="muted">
        A summary of a day or a week sent to a channel: the movers with their confidence, spikes with their explanation, releases and
        incidents, and the most discussed posts.
      </p>
      <AddDigestForm
        token={token}
        entities={entities.data?.items ?? []}
        onAdded={(subscription) => {
          setCreated(subscription);
          reload();
        }}
      />
      {created && <CreatedNotice what="digest subscription" created={created} onDismiss={() => setCreated(null)} />}
      {subscriptions.error && !(subscriptions.error.status === 401 || subscriptions.error.status === 403) && (
        <p className="form-error" role="alert">
          {subscriptions.error.message}
        </p>
      )}
      {subscriptions.data && subscriptions.data.items.length === 0 && <p className="muted">No digest subscriptions yet.</p>}
      {subscriptions.data && subscriptions.data.items.length > 0 && (
        <ul className="alert-rules">
          {subscriptions.data.items.map((subscription) => (
            <DigestCard key={subscription.id} subscription={subscription} token={token} nameOf={nameOf} onChanged={reload} />
          ))}
        </ul>
      )}
    </section>
  );
}

function DigestCard({
  subscription: s,
  token,
  nameOf,
  onChanged,
}: {
  subscription: DigestSubscription;
  token: string;
  nameOf: (slug: string) => string;
  /** After a send or a removal: the list is read again (counts, or the card gone). */
  onChanged: () => void;
}) {
  const card = useOutboxCard(`digest-${s.id}`, (signal) => api.listDigestDeliveries(token, s.id, { signal }));
  const sendNow = () =>
    card.send(async () => {
      const result = await api.sendDigest(token, s.id);
      onChanged();
      return result.delivered
        ? { tone: 'ok', text: `Digest of the last ${s.cadence === 'weekly' ? '7 days' : 'day'} delivered.` }
        : { tone: 'bad', text: `Not delivered yet (it is retried): ${result.cause ?? 'no cause given'}.` };
    }, 'The digest could not be sent.');
  const remove = () =>
    card.remove(async () => {
      await api.removeDigest(token, s.id);
      onChanged();
    }, 'The subscription could not be removed.');

  // A new subscription counts the last period that ended before it as done (it sends no backlog): no "last" until one is sent.
  const last = s.lastPeriod && s.digests.sent > 0 ? ` · last: ${s.lastPeriod}` : '';
  return (
    <OutboxCard
      id={s.id}
      name={s.name}
      what="subscription"
      facts={[
        { label: 'When', value: describeSchedule(s) },
        { label: 'Covers', value: describeCoverage(s, nameOf) },
        { label: 'Channel', value: s.channel, className: 'channel' },
        {
          label: 'Digests',
          value: `${s.digests.sent} sent, ${s.digests.delivered} delivered, ${s.digests.dead} failed${last}${s.digests.lastSentAt ? ` (${formatRelative(s.digests.lastSentAt)})` : ''}`,
        },
      ]}
      sendLabel="Send now"
      onSend={() => void sendNow()}
      onRemove={() => void remove()}
      card={card}
      deliveryWhat="Digest"
    />
  );
}

function AddDigestForm({
  token,
  entities,
  onAdded,
}: {
  token: string;
  entities: ReadonlyArray<{ slug: string; name: string }>;
  onAdded: (subscription: CreatedDigestSubscription) => void;
}) {
  const [draft, setDraft] = useState<DigestDraft>(EMPTY);
  const action = useAdminAction<CreatedDigestSubscription>();
  const id = useId();
  const f = (name: string) => `${id}-${name}`;
  const update = (patch: Partial<DigestDraft>) => setDraft((d) => ({ ...d, ...patch }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft.channel.trim()) return action.refuse(CHANNEL_NEEDED);
    const hourUtc = Number(draft.hourUtc);
    if (draft.hourUtc.trim() && !(Number.isInteger(hourUtc) && hourUtc >= 0 && hourUtc <= 23))
      return action.refuse('The hour is a whole number from 0 to 23 (UTC).');
    const added = await action.run(async () => {
      const created = await api.addDigest(token, toNewDigest(draft));
      onAdded(created);
      return created;
    }, 'The subscription could not be added.');
    if (added) setDraft({ ...EMPTY, cadence: draft.cadence, hourUtc: draft.hourUtc });
  };

  return (
    <form className="admin-form" onSubmit={(event) => void submit(event)} aria-labelledby={f('title')} noValidate>
      <h3 id={f('title')}>Subscribe a channel</h3>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={f('cadence')}>Every</label>
          <select id={f('cadence')} value={draft.cadence} onChange={(e) => update({ cadence: e.target.value as Cadence })}>
            <option value="weekly">Week (sent on Mondays)</option>
            <option value="daily">Day</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={f('hour')}>At hour (UTC)</label>
          <input
            id={f('hour')}
            type="number"
            step="1"
            min="0"
            max="23"
            value={draft.hourUtc}
            onChange={(e) => update({ hourUtc: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={f('covers')}>Covers</label>
          <select id={f('covers')} value={draft.covers} onChange={(e) => update({ covers: e.target.value })}>
            <option value="">Every entity</option>
            <TargetOptions entities={entities} />
          </select>
        </div>
        <ChannelField id={f('channel')} value={draft.channel} onChange={(channel) => update({ channel })} />
        <div className="field">
          <label htmlFor={f('name')}>Name (optional)</label>
          <input id={f('name')} maxLength={200} value={draft.name} onChange={(e) => update({ name: e.target.value })} />
        </div>
      </div>
      <button type="submit" disabled={action.busy}>
        {action.busy ? 'Subscribing…' : 'Subscribe'}
      </button>
      {action.error && (
        <p className="form-error" role="alert">
          {action.error}
        </p>
      )}
    </form>
  );
}
