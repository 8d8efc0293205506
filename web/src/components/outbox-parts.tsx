import { useState, type ReactNode } from 'react';
import type { AlertDelivery } from '../api/types.ts';
import { describeAdminFailure } from '../lib/admin-session.ts';
import { formatRelative } from '../lib/format.ts';
import { useResource } from '../lib/use-resource.ts';

// What alert rules and digest subscriptions show alike: both send through the alert outbox.

/** What an Entity field offers beyond single entities: every entity of a kind, those added later too. */
const KIND_TARGETS = [
  { value: 'kind:model', label: 'Every model' },
  { value: 'kind:tool', label: 'Every tool' },
  { value: 'kind:vendor', label: 'Every vendor' },
] as const;

/** What was just added, with its signing secret shown this once. */
export function CreatedNotice({
  what,
  created,
  onDismiss,
}: {
  what: string;
  created: { id: number; name: string; secret: string | null };
  onDismiss: () => void;
}) {
  return (
    <div className="notice" role="status">
      <p>
        Added {what} {created.id} ({created.name}).
      </p>
      {created.secret && (
        <p>
          Its signing secret, shown this once (receivers check <code>X-VibeCheck-Signature</code> with it):{' '}
          <code className="secret">{created.secret}</code>
        </p>
      )}
      <button type="button" onClick={onDismiss}>
        I have kept it
      </button>
    </div>
  );
}

/** The options of an Entity or Covers select after its first: every entity of a kind, then each entity. */
export function TargetOptions({ entities }: { entities: ReadonlyArray<{ slug: string; name: string }> }) {
  return (
    <>
      <optgroup label="Every entity of a kind, those added later too">
        {KIND_TARGETS.map((target) => (
          <option key={target.value} value={target.value}>
            {target.label}
          </option>
        ))}
      </optgroup>
      <optgroup label="One entity">
        {entities.map((e) => (
          <option key={e.slug} value={e.slug}>
            {e.name}
          </option>
        ))}
      </optgroup>
    </>
  );
}

/** What a form says when its channel is empty. */
export const CHANNEL_NEEDED = 'Give a channel: a webhook URL (http or https, Slack or Discord) or mailto:address.';

/** The channel URL field of a rule or a subscription. */
export function ChannelField({ id, value, onChange }: { id: string; value: string; onChange: (value: string) => void }) {
  return (
    <div className="field field-wide">
      <label htmlFor={id}>Channel URL</label>
      <input
        id={id}
        type="text"
        inputMode="url"
        spellCheck={false}
        autoComplete="off"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder="https://hooks.slack.com/services/… or mailto:team@example.com"
      />
    </div>
  );
}

/** "Remove…", then "Yes, remove X" or "Cancel". */
function RemoveButton({ what, busy, onRemove }: { what: string; busy: boolean; onRemove: () => void }) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming)
    return (
      <button type="button" disabled={busy} onClick={() => setConfirming(true)}>
        Remove…
      </button>
    );
  return (
    <>
      <button type="button" className="danger" disabled={busy} onClick={onRemove}>
        Yes, remove {what}
      </button>
      <button type="button" onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </>
  );
}

type DeliveryRow = Pick<AlertDelivery, 'alertId' | 'headline' | 'attempt' | 'attemptedAt' | 'outcome' | 'statusCode' | 'cause'>;

/** The latest delivery attempts of a rule or a subscription, newest first. */
function Deliveries({ items, error, what = 'Alert' }: { items: DeliveryRow[] | undefined; error: string | undefined; what?: string }) {
  if (error) return <p className="form-error">{error}</p>;
  if (!items) return <p className="muted">Loading deliveries…</p>;
  if (items.length === 0) return <p className="muted">Nothing sent yet.</p>;
  return (
    <table className="deliveries">
      <caption>Latest delivery attempts, newest first</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">What</th>
          <th scope="col">Outcome</th>
          <th scope="col">HTTP</th>
          <th scope="col">Cause</th>
        </tr>
      </thead>
      <tbody>
        {items.map((d, index) => (
          <tr key={`${d.attemptedAt}-${index}`} data-outcome={d.outcome}>
            <td title={d.attemptedAt}>{formatRelative(d.attemptedAt)}</td>
            <td>
              {d.alertId === null ? 'Test' : (d.headline ?? `${what} ${d.alertId}`)}
              {d.attempt > 1 ? ` (attempt ${d.attempt})` : ''}
            </td>
            <td>{d.outcome}</td>
            <td>{d.statusCode ?? '—'}</td>
            <td>{d.cause ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export interface CardMessage {
  tone: 'ok' | 'bad';
  text: string;
}

/**
 * What a rule's or a subscription's card does: send something through its channel (a test, a
 * digest) and say how it went, then show its deliveries read afresh; remove it; and its deliveries,
 * read when shown.
 */
export function useOutboxCard<D extends DeliveryRow>(key: string, readDeliveries: (signal: AbortSignal) => Promise<{ items: D[] }>) {
  const [showDeliveries, setShowDeliveries] = useState(false);
  const [version, setVersion] = useState(0);
  const deliveries = useResource(showDeliveries ? `${key}-deliveries-${version}` : null, readDeliveries);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<CardMessage | null>(null);
  const failed = (failure: unknown, fallback: string) => {
    const text = describeAdminFailure(failure, fallback);
    if (text) setMessage({ tone: 'bad', text });
  };
  return {
    busy,
    message,
    showDeliveries,
    toggleDeliveries: () => setShowDeliveries((shown) => !shown),
    deliveries: deliveries.data?.items,
    deliveriesError: deliveries.error?.message,
    /** Runs a send; its answer becomes the message, and the deliveries show what it did. */
    send: async (action: () => Promise<CardMessage>, fallback: string) => {
      setBusy(true);
      setMessage(null);
      try {
        setMessage(await action());
        setShowDeliveries(true);
        setVersion((v) => v + 1);
      } catch (failure) {
        failed(failure, fallback);
      } finally {
        setBusy(false);
      }
    },
    /** Runs a removal; on success the card goes with the list's next reading, so it stays busy. */
    remove: async (action: () => Promise<void>, fallback: string) => {
      setBusy(true);
      try {
        await action();
      } catch (failure) {
        failed(failure, fallback);
        setBusy(false);
      }
    },
  };
}

/** A card's message: a status when it went well, an alert when not. */
function CardMessageLine({ message }: { message: CardMessage | null }) {
  if (!message) return null;
  return (
    <p className={message.tone === 'ok' ? 'form-ok' : 'form-error'} role={message.tone === 'ok' ? 'status' : 'alert'}>
      {message.text}
    </p>
  );
}

/** A rule's or a subscription's card: its name and facts, send / deliveries / remove, what the last action said, its deliveries. */
export function OutboxCard({
  id,
  name,
  what,
  facts,
  sendLabel,
  onSend,
  onRemove,
  card,
  deliveryWhat,
}: {
  id: number;
  name: string;
  /** 'rule' or 'subscription': the remove button names it with its id. */
  what: string;
  facts: Array<{ label: string; value: ReactNode; className?: string }>;
  sendLabel: string;
  onSend: () => void;
  onRemove: () => void;
  card: Pick<
    ReturnType<typeof useOutboxCard>,
    'busy' | 'message' | 'showDeliveries' | 'toggleDeliveries' | 'deliveries' | 'deliveriesError'
  >;
  deliveryWhat?: string;
}) {
  const headingId = `${what}-${id}`;
  return (
    <li className="card alert-rule" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {name} <span className="muted">#{id}</span>
      </h3>
      <dl className="rule-facts">
        {facts.map((fact) => (
          <div key={fact.label}>
            <dt>{fact.label}</dt>
            <dd className={fact.className}>{fact.value}</dd>
          </div>
        ))}
      </dl>
      <div className="rule-actions">
        <button type="button" disabled={card.busy} onClick={onSend}>
          {sendLabel}
        </button>
        <button type="button" aria-expanded={card.showDeliveries} onClick={card.toggleDeliveries}>
          {card.showDeliveries ? 'Hide deliveries' : 'Show deliveries'}
        </button>
        <RemoveButton what={`${what} ${id}`} busy={card.busy} onRemove={onRemove} />
      </div>
      <CardMessageLine message={card.message} />
      {card.showDeliveries && <Deliveries items={card.deliveries} error={card.deliveriesError} what={deliveryWhat} />}
    </li>
  );
}
