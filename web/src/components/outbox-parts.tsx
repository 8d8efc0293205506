import { useState } from 'react';
import type { AlertDelivery } from '../api/types.ts';
import { formatRelative } from '../lib/format.ts';

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
export function RemoveButton({ what, busy, onRemove }: { what: string; busy: boolean; onRemove: () => void }) {
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
export function Deliveries({
  items,
  error,
  what = 'Alert',
}: {
  items: DeliveryRow[] | undefined;
  error: string | undefined;
  what?: string;
}) {
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
