import { useId, useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { Entity, EntityKind, NewEntity } from '../api/types.ts';
import { AdminSignIn } from '../components/admin-sign-in.tsx';
import { Link } from '../components/link.tsx';
import { describeAdminFailure, useAdminToken } from '../lib/admin-session.ts';
import { useResource } from '../lib/use-resource.ts';

const KINDS: { value: EntityKind; label: string }[] = [
  { value: 'tool', label: 'Tool' },
  { value: 'model', label: 'Model' },
  { value: 'vendor', label: 'Vendor' },
];

/** A slug suggested from a name: "Claude Code 2" → "claude-code-2". */
export function suggestSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
}

/** Comma- or newline-separated words, trimmed, empties and repeats dropped. */
export function splitList(text: string): string[] {
  return [...new Set(text.split(/[,\n]/).map((part) => part.trim()).filter(Boolean))];
}

interface Draft {
  name: string;
  slug: string;
  slugEdited: boolean;
  kind: EntityKind;
  parent: string;
  aliases: string;
  context: string;
}

const EMPTY: Draft = { name: '', slug: '', slugEdited: false, kind: 'tool', parent: '', aliases: '', context: '' };

export function toNewEntity(draft: Draft): NewEntity {
  return {
    slug: draft.slug.trim(),
    name: draft.name.trim(),
    kind: draft.kind,
    parent: draft.parent || null,
    aliases: splitList(draft.aliases),
    disambiguation: { context: splitList(draft.context) },
  };
}

/** Admin page: sign in, then add tracked entities. */
export function ManagePage() {
  const token = useAdminToken();
  return (
    <section aria-labelledby="manage-title">
      <div className="page-head">
        <h1 id="manage-title" tabIndex={-1}>
          Manage
        </h1>
        <p className="muted">Changes need the admin token. It is kept in this browser tab only and sent with changes, never in a link.</p>
      </div>
      <AdminSignIn />
      {token ? <AddEntityForm token={token} /> : <p className="muted">Sign in to add or remove entities.</p>}
      {token && <RemoveEntityForm token={token} />}
    </section>
  );
}

function AddEntityForm({ token }: { token: string }) {
  const entities = useResource('manage-entities', (signal) => api.listEntities({}, { signal }));
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState<Entity | null>(null);
  const id = useId();
  const field = (name: string) => `${id}-${name}`;
  const update = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setAdded(null);
    const body = toNewEntity(draft);
    if (!body.name) return setError('Give the entity a name.');
    if (!body.slug) return setError('Give the entity a slug (lowercase letters, digits and dashes).');
    setSaving(true);
    try {
      const created = await api.addEntity(token, body);
      setAdded(created);
      setDraft(EMPTY);
      entities.retry();
    } catch (failure) {
      // A refused token signs out (the sign-in form says why), so the next try starts from signing in.
      setError(describeAdminFailure(failure, 'The entity could not be added.'));
    } finally {
      setSaving(false);
    }
  };

  const parents = entities.data?.items ?? [];
  return (
    <form className="admin-form" onSubmit={(event) => void submit(event)} aria-labelledby={field('title')} noValidate>
      <h2 id={field('title')}>Add an entity</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={field('name')}>Name</label>
          <input
            id={field('name')}
            required
            maxLength={100}
            value={draft.name}
            onChange={(e) => update({ name: e.target.value, ...(draft.slugEdited ? {} : { slug: suggestSlug(e.target.value) }) })}
          />
        </div>
        <div className="field">
          <label htmlFor={field('slug')}>Slug</label>
          <input
            id={field('slug')}
            required
            maxLength={63}
            pattern="[a-z0-9][a-z0-9-]*"
            spellCheck={false}
            value={draft.slug}
            onChange={(e) => update({ slug: e.target.value, slugEdited: true })}
          />
        </div>
        <div className="field">
          <label htmlFor={field('kind')}>Kind</label>
          <select id={field('kind')} value={draft.kind} onChange={(e) => update({ kind: e.target.value as EntityKind })}>
            {KINDS.map((k) => (
              <option key={k.value} value={k.value}>
                {k.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={field('parent')}>Parent (optional)</label>
          <select id={field('parent')} value={draft.parent} onChange={(e) => update({ parent: e.target.value })}>
            <option value="">None</option>
            {parents.map((e) => (
              <option key={e.slug} value={e.slug}>
                {e.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-wide">
          <label htmlFor={field('aliases')}>Other names (comma-separated)</label>
          <input id={field('aliases')} value={draft.aliases} onChange={(e) => update({ aliases: e.target.value })} />
        </div>
        <div className="field field-wide">
          <label htmlFor={field('context')}>Context words (comma-separated; confirm an ambiguous name means this entity)</label>
          <input id={field('context')} value={draft.context} onChange={(e) => update({ context: e.target.value })} />
        </div>
      </div>
      <button type="submit" disabled={saving}>
        {saving ? 'Adding…' : 'Add entity'}
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {added && (
        <p className="form-ok" role="status">
          Added {added.name} ({added.slug}). <Link href="/">See it on the overview</Link> or <Link href={`/entity/${encodeURIComponent(added.slug)}`}>open its page</Link>.
          Posts collected or imported from now on are linked to it; run <code>vibecheck rescore</code> to link stored ones.
        </p>
      )}
    </form>
  );
}

/** Stop tracking an entity, after a second, explicit confirmation naming it. */
function RemoveEntityForm({ token }: { token: string }) {
  const entities = useResource('manage-entities-remove', (signal) => api.listEntities({}, { signal }));
  const [slug, setSlug] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [removed, setRemoved] = useState<string | null>(null);
  const id = useId();
  const chosen = entities.data?.items.find((e) => e.slug === slug);

  const remove = async () => {
    if (!chosen) return;
    setBusy(true);
    setError(null);
    try {
      await api.removeEntity(token, chosen.slug);
      setRemoved(chosen.name);
      setSlug('');
      setConfirming(false);
      entities.retry();
    } catch (failure) {
      // A refused token signs out (the sign-in form says why), so the next try starts from signing in.
      setError(describeAdminFailure(failure, 'The entity could not be removed.'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="admin-form"
      aria-labelledby={`${id}-title`}
      onSubmit={(event) => {
        event.preventDefault();
        if (chosen) setConfirming(true);
      }}
    >
      <h2 id={`${id}-title`}>Remove an entity</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-entity`}>Entity to remove</label>
          <select
            id={`${id}-entity`}
            value={slug}
            onChange={(e) => {
              setSlug(e.target.value);
              setConfirming(false);
              setRemoved(null);
            }}
          >
            <option value="">Choose…</option>
            {(entities.data?.items ?? []).map((e) => (
              <option key={e.slug} value={e.slug}>
                {e.name} ({e.slug})
              </option>
            ))}
          </select>
        </div>
      </div>
      {!confirming && (
        <button type="submit" disabled={!chosen}>
          Remove…
        </button>
      )}
      {confirming && chosen && (
        <div className="confirm" role="group" aria-label="Confirm removal">
          <p>
            Stop tracking {chosen.name}? It disappears from every page and stays removed across restarts; its stored mentions are kept.
          </p>
          <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
            {busy ? 'Removing…' : `Yes, remove ${chosen.name}`}
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {removed && (
        <p className="form-ok" role="status">
          Removed {removed}.
        </p>
      )}
    </form>
  );
}
