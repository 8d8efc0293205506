import { describe, expect, it } from 'vitest';
import { decodeEntities, decodeNamedEntity, htmlToText } from './text.ts';

describe('htmlToText', () => {
  it('decodes entities and drops tags from an HN comment', () => {
    const html = 'I don&#x27;t think Cursor&#x2F;Claude Code <i>beats</i> it.<p>Second &amp; last paragraph';
    expect(htmlToText(html)).toBe("I don't think Cursor/Claude Code beats it.\n\nSecond & last paragraph");
  });

  it('keeps code fenced so it can be told apart from prose', () => {
    const text = htmlToText('<p>Try this:</p><pre><code>cursor.execute(sql)\nprint(1)</code></pre><p>and <code>x.y</code></p>');
    expect(text).toContain('```\ncursor.execute(sql)\nprint(1)\n```');
    expect(text).toContain('and `x.y`');
  });

  it('never keeps script content or link targets', () => {
    const text = htmlToText('<script>alert(1)</script><a href="https://evil.example/">the docs</a>');
    expect(text).toBe('the docs');
  });

  it('returns an empty string for empty input', () => {
    expect(htmlToText(null)).toBe('');
    expect(htmlToText('')).toBe('');
  });
});

describe('decodeEntities', () => {
  it('decodes a Stack Exchange title and keeps angle brackets literal', () => {
    expect(decodeEntities('can&#39;t use List&lt;T&gt; with <T> in Copilot')).toBe("can't use List<T> with <T> in Copilot");
  });
});

describe('decodeNamedEntity', () => {
  it('knows HTML names, whitespace ones included, and no others', () => {
    expect(['hellip', 'nbsp', 'real', 'copy', 'rsquo'].map(decodeNamedEntity)).toEqual(['\u2026', '\u00a0', '\u211c', '\u00a9', '\u2019']);
    expect(decodeNamedEntity('doesnotexist')).toBeNull();
    // HTML would read "&notit;" as "¬it;" (a prefix without its semicolon): no entity of that name.
    expect(decodeNamedEntity('notit')).toBeNull();
  });
});
