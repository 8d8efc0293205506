import { describe, expect, it } from 'vitest';
import type { Entity } from '../api/types.ts';
import { splitList, suggestSlug, toEntityChanges, toNewEntity, toNewEvent } from './manage-page.tsx';

describe('suggestSlug', () => {
  it('turns a name into lowercase letters, digits and dashes', () => {
    expect(suggestSlug('Claude Code 2')).toBe('claude-code-2');
    expect(suggestSlug('  Crème <b>Brûlée</b>!  ')).toBe('creme-b-brulee-b');
    expect(suggestSlug('x'.repeat(80))).toHaveLength(63);
  });
});

describe('splitList', () => {
  it('splits on commas and new lines, trims, and drops empties and repeats', () => {
    expect(splitList(' zed.dev, Zed IDE,,\nzed.dev ,')).toEqual(['zed.dev', 'Zed IDE']);
    expect(splitList('')).toEqual([]);
  });
});

describe('toNewEntity', () => {
  it('builds the body POST /api/v1/entities takes, context words under disambiguation', () => {
    expect(
      toNewEntity({
        name: ' Quill ',
        slug: ' quill ',
        slugEdited: true,
        kind: 'tool',
        parent: '',
        aliases: 'quill.dev, QuillIDE',
        context: 'editor',
      }),
    ).toEqual({
      slug: 'quill',
      name: 'Quill',
      kind: 'tool',
      parent: null,
      aliases: ['quill.dev', 'QuillIDE'],
      disambiguation: { context: ['editor'] },
    });
  });
});

describe('toNewEvent', () => {
  const draft = {
    entity: 'cursor',
    kind: 'release' as const,
    day: '2026-11-30',
    title: ' Cursor 2.1 ',
    url: ' https://cursor.com/changelog ',
  };

  it('builds the body POST /api/v1/events takes, the day at noon UTC', () => {
    expect(toNewEvent(draft)).toEqual({
      entity: 'cursor',
      kind: 'release',
      title: 'Cursor 2.1',
      url: 'https://cursor.com/changelog',
      occurredAt: '2026-11-30T12:00:00Z',
    });
    expect(toNewEvent({ ...draft, url: '' })).toMatchObject({ url: null });
  });

  it('says what is missing instead of sending it', () => {
    expect(toNewEvent({ ...draft, entity: '' })).toBe('Choose the entity whose charts show the note.');
    expect(toNewEvent({ ...draft, title: '  ' })).toBe('Give the note a title.');
    expect(toNewEvent({ ...draft, day: '' })).toBe('Choose the day it happened.');
    expect(toNewEvent({ ...draft, url: 'javascript:alert(1)' })).toBe('A link must start with http:// or https://.');
  });
});

describe('toEntityChanges', () => {
  const entity = { slug: 'cursor', name: 'Cursor', parent: null, aliases: ['Cursor IDE'], context: ['editor'] } as unknown as Entity;
  const draft = { name: 'Cursor', parent: '', aliases: 'Cursor IDE', context: 'editor' };

  it('sends only the fields that differ, lists split and trimmed', () => {
    expect(toEntityChanges(entity, { ...draft, name: ' Cursor Editor ', aliases: 'Cursor IDE, cursr ,' })).toEqual({
      name: 'Cursor Editor',
      aliases: ['Cursor IDE', 'cursr'],
    });
    expect(toEntityChanges(entity, { ...draft, parent: 'anysphere', context: '' })).toEqual({ parent: 'anysphere', context: [] });
  });

  it('says so when nothing changed or the name is empty', () => {
    expect(toEntityChanges(entity, draft)).toBe('Nothing changed.');
    expect(toEntityChanges(entity, { ...draft, name: ' ' })).toBe('Give the entity a name.');
  });
});
