import { describe, expect, it } from 'vitest';
import { splitList, suggestSlug, toNewEntity } from './manage-page.tsx';

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
    expect(toNewEntity({ name: ' Quill ', slug: ' quill ', slugEdited: true, kind: 'tool', parent: '', aliases: 'quill.dev, QuillIDE', context: 'editor' })).toEqual({
      slug: 'quill',
      name: 'Quill',
      kind: 'tool',
      parent: null,
      aliases: ['quill.dev', 'QuillIDE'],
      disambiguation: { context: ['editor'] },
    });
  });
});
