import { useId, useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { Entity, EntityChanges, EntityEvent, EntityKind, NewEntity, NewEvent } from '../api/types.ts';
import { AdminSignIn } from '../components/admin-sign-in.tsx';
import { Link } from '../components/link.tsx';
import { useAdminToken } from '../lib/admin-session.ts';
import { useAdminAction } from '../lib/use-admin-action.ts';
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
  return [
    ...new Set(
      text
        .split(/[,\n]/)
        .map((part) => part.trim())
        .filter(Boolean),
    ),
  ];
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

/** Admin page: sign in, then add or remove tracked entities and add release, incident or note markers to charts. */
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
      {token ? <AdminForms token={token} /> : <p className="muted">Sign in to add, edit or remove entities and add notes to charts.</p>}
    </section>
  );
}

interface FormProps {
  token: string;
  /** The tracked entities (empty while they load). */
  entities: Entity[];
  /** Reloads them after a change. */
  onChanged: () => void;
}

/** The admin forms, sharing one list of the tracked entities that every change reloads. */
function AdminForms({ token }: { token: string }) {
  const list = useResource('manage-entities', (signal) => api.listEntities({}, { signal }));
  const props: FormProps = { token, entities: list.data?.items ?? [], onChanged: list.retry };
  return (
    <>
      <AddEntityForm {...props} />
      <EditEntityForm {...props} />
      <RemoveEntityForm {...props} />
      <AddNoteForm {...props} />
    </>
  );
}

/** A form's draft and a setter that merges a partial change into it. */
function useDraft<T extends object>(initial: T) {
  const [draft, setDraft] = useState<T>(initial);
  const update = (patch: Partial<T>) => setDraft((d) => ({ ...d, ...patch }));
  return [draft, update, setDraft] as const;
}

function EntityOptions({ entities, withSlug = false }: { entities: Entity[]; withSlug?: boolean }) {
  return entities.map((e) => (
    <option key={e.slug} value={e.slug}>
      {withSlug ? `${e.name} (${e.slug})` : e.name}
    </option>
  ));
}

function AddEntityForm({ token, entities, onChanged }: FormProps) {
  const [draft, update, setDraft] = useDraft<Draft>(EMPTY);
  const action = useAdminAction<Entity>();
  const added = action.done;
  const id = useId();
  const field = (name: string) => `${id}-${name}`;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = toNewEntity(draft);
    if (!body.name) return action.refuse('Give the entity a name.');
    if (!body.slug) return action.refuse('Give the entity a slug (lowercase letters, digits and dashes).');
    if (await action.run(() => api.addEntity(token, body), 'The entity could not be added.')) {
      setDraft(EMPTY);
      onChanged();
    }
  };

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
            <EntityOptions entities={entities} />
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
      <button type="submit" disabled={action.busy}>
        {action.busy ? 'Adding…' : 'Add entity'}
      </button>
      <FormError error={action.error} />
      {added && (
        <p className="form-ok" role="status">
          Added {added.name} ({added.slug}). <Link href="/">See it on the overview</Link> or{' '}
          <Link href={`/entity/${encodeURIComponent(added.slug)}`}>open its page</Link>. Posts collected or imported from now on are linked
          to it; run <code>vibecheck rescore</code> to link stored ones.
        </p>
      )}
    </form>
  );
}

interface EditDraft {
  name: string;
  parent: string;
  aliases: string;
  context: string;
}

const draftOf = (entity: Entity): EditDraft => ({
  name: entity.name,
  parent: entity.parent ?? '',
  aliases: entity.aliases.join(', '),
  context: entity.context.join(', '),
});

/** The changes PATCH /api/v1/entities/{slug} receives: only the fields that differ from the entity. */
export function toEntityChanges(entity: Entity, draft: EditDraft): EntityChanges | string {
  const name = draft.name.trim();
  if (!name) return 'Give the entity a name.';
  const changes: EntityChanges = {};
  if (name !== entity.name) changes.name = name;
  if ((draft.parent || null) !== entity.parent) changes.parent = draft.parent || null;
  const aliases = splitList(draft.aliases);
  if (aliases.join('\n') !== entity.aliases.join('\n')) changes.aliases = aliases;
  const context = splitList(draft.context);
  if (context.join('\n') !== entity.context.join('\n')) changes.context = context;
  return Object.keys(changes).length > 0 ? changes : 'Nothing changed.';
}

/** Change an entity's name, parent, other names or context words. */
function EditEntityForm({ token, entities, onChanged }: FormProps) {
  const [slug, setSlug] = useState('');
  const [draft, setDraft] = useState<EditDraft | null>(null);
  const action = useAdminAction<Entity>();
  const id = useId();
  const field = (name: string) => `${id}-${name}`;
  const chosen = entities.find((e) => e.slug === slug);
  const update = (patch: Partial<EditDraft>) => setDraft((d) => (d ? { ...d, ...patch } : d));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!chosen || !draft) return;
    const changes = toEntityChanges(chosen, draft);
    if (typeof changes === 'string') return action.refuse(changes);
    if (await action.run(() => api.editEntity(token, chosen.slug, changes), 'The entity could not be changed.')) onChanged();
  };

  return (
    <form className="admin-form" onSubmit={(event) => void submit(event)} aria-labelledby={field('title')} noValidate>
      <h2 id={field('title')}>Edit an entity</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={field('entity')}>Entity to edit</label>
          <select
            id={field('entity')}
            value={slug}
            onChange={(e) => {
              const next = entities.find((entity) => entity.slug === e.target.value);
              setSlug(e.target.value);
              setDraft(next ? draftOf(next) : null);
              action.reset();
            }}
          >
            <option value="">Choose…</option>
            <EntityOptions entities={entities} withSlug />
          </select>
        </div>
        {draft && (
          <>
            <div className="field">
              <label htmlFor={field('name')}>New name</label>
              <input id={field('name')} required maxLength={100} value={draft.name} onChange={(e) => update({ name: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor={field('parent')}>Parent</label>
              <select id={field('parent')} value={draft.parent} onChange={(e) => update({ parent: e.target.value })}>
                <option value="">None</option>
                <EntityOptions entities={entities.filter((e) => e.slug !== slug)} />
              </select>
            </div>
            <div className="field field-wide">
              <label htmlFor={field('aliases')}>Other names (comma-separated; replaces the list)</label>
              <input id={field('aliases')} value={draft.aliases} onChange={(e) => update({ aliases: e.target.value })} />
            </div>
            <div className="field field-wide">
              <label htmlFor={field('context')}>Context words (comma-separated; replaces the list)</label>
              <input id={field('context')} value={draft.context} onChange={(e) => update({ context: e.target.value })} />
            </div>
          </>
        )}
      </div>
      <button type="submit" disabled={!draft || action.busy}>
        {action.busy ? 'Saving…' : 'Save changes'}
      </button>
      <FormError error={action.error} />
      {action.done && (
        <p className="form-ok" role="status">
          Saved {action.done.name}. Posts collected or imported from now on use the new names; run <code>vibecheck rescore</code> to link
          stored ones anew.
        </p>
      )}
    </form>
  );
}

/** Stop tracking an entity, after a second, explicit confirmation naming it. */
function RemoveEntityForm({ token, entities, onChanged }: FormProps) {
  const [slug, setSlug] = useState('');
  const [confirming, setConfirming] = useState(false);
  const action = useAdminAction<string>();
  const removed = action.done;
  const id = useId();
  const chosen = entities.find((e) => e.slug === slug);

  const remove = async () => {
    if (!chosen) return;
    const { slug: target, name } = chosen;
    if (await action.run(() => api.removeEntity(token, target).then(() => name), 'The entity could not be removed.')) {
      setSlug('');
      setConfirming(false);
      onChanged();
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
              action.reset();
            }}
          >
            <option value="">Choose…</option>
            <EntityOptions entities={entities} withSlug />
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
          <p>Stop tracking {chosen.name}? It disappears from every page and stays removed across restarts; its stored mentions are kept.</p>
          <button type="button" className="danger" disabled={action.busy} onClick={() => void remove()}>
            {action.busy ? 'Removing…' : `Yes, remove ${chosen.name}`}
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      )}
      <FormError error={action.error} />
      {removed && (
        <p className="form-ok" role="status">
          Removed {removed}.
        </p>
      )}
    </form>
  );
}

function FormError({ error }: { error: string | null }) {
  return error ? (
    <p className="form-error" role="alert">
      {error}
    </p>
  ) : null;
}

const NOTE_KINDS: { value: NewEvent['kind']; label: string }[] = [
  { value: 'note', label: 'Note' },
  { value: 'release', label: 'Release' },
  { value: 'incident', label: 'Incident' },
];

interface NoteDraft {
  entity: string;
  kind: NewEvent['kind'];
  /** yyyy-mm-dd, read as that day at 12:00 UTC so it lands inside the day in every time zone's chart. */
  day: string;
  title: string;
  url: string;
}

const today = (): string => new Date().toISOString().slice(0, 10);

/** What `POST /api/v1/events` receives for a note draft; a message instead when something is missing. */
export function toNewEvent(draft: NoteDraft): NewEvent | string {
  const title = draft.title.trim();
  if (!draft.entity) return 'Choose the entity whose charts show the note.';
  if (!title) return 'Give the note a title.';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.day) || Number.isNaN(Date.parse(`${draft.day}T12:00:00Z`))) return 'Choose the day it happened.';
  const url = draft.url.trim();
  if (url && !/^https?:\/\//i.test(url)) return 'A link must start with http:// or https://.';
  return { entity: draft.entity, kind: draft.kind, title, url: url || null, occurredAt: `${draft.day}T12:00:00Z` };
}

/** A release, incident or note shown as a marker on the entity's charts. */
function AddNoteForm({ token, entities }: Omit<FormProps, 'onChanged'>) {
  const [draft, update] = useDraft<NoteDraft>({ entity: '', kind: 'note', day: today(), title: '', url: '' });
  const action = useAdminAction<EntityEvent>();
  const added = action.done;
  const id = useId();
  const field = (name: string) => `${id}-${name}`;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = toNewEvent(draft);
    if (typeof body === 'string') return action.refuse(body);
    if (await action.run(() => api.addEvent(token, body), 'The note could not be added.')) update({ title: '', url: '' });
  };

  return (
    <form className="admin-form" onSubmit={(event) => void submit(event)} aria-labelledby={field('title-head')} noValidate>
      <h2 id={field('title-head')}>Add a note to the charts</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={field('entity')}>Entity</label>
          <select id={field('entity')} value={draft.entity} onChange={(e) => update({ entity: e.target.value })}>
            <option value="">Choose…</option>
            <EntityOptions entities={entities} />
          </select>
        </div>
        <div className="field">
          <label htmlFor={field('kind')}>Kind of note</label>
          <select id={field('kind')} value={draft.kind} onChange={(e) => update({ kind: e.target.value as NewEvent['kind'] })}>
            {NOTE_KINDS.map((k) => (
              <option key={k.value} value={k.value}>
                {k.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={field('day')}>Day (UTC)</label>
          <input id={field('day')} type="date" required value={draft.day} onChange={(e) => update({ day: e.target.value })} />
        </div>
        <div className="field field-wide">
          <label htmlFor={field('title')}>Title</label>
          <input id={field('title')} required maxLength={300} value={draft.title} onChange={(e) => update({ title: e.target.value })} />
        </div>
        <div className="field field-wide">
          <label htmlFor={field('url')}>Link (optional)</label>
          <input id={field('url')} type="url" maxLength={2048} value={draft.url} onChange={(e) => update({ url: e.target.value })} />
        </div>
      </div>
      <button type="submit" disabled={action.busy}>
        {action.busy ? 'Adding…' : 'Add note'}
      </button>
      <FormError error={action.error} />
      {added && (
        <p className="form-ok" role="status">
          Added “{added.title}”. <Link href={`/entity/${encodeURIComponent(added.entity ?? draft.entity)}`}>See it on the chart</Link>
        </p>
      )}
    </form>
  );
}
