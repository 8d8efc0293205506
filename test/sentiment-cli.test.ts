import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.ts';

describe('vibecheck sentiment classify', () => {
  it('writes id,label,score,confidence for every row, in input order, quoting what needs it', async () => {
    const code = `function f() {\n  return "x, y";\n}\n`.repeat(3_000);
    const input = [
      'lang,text,id',
      'en,"This library is great, thanks a lot! 🎉",first',
      'en,"It crashes with ""segfault"" on every run.\nStill broken in 2.1",second, with comma',
      `en,"${code.replace(/"/g, '""')}",third`,
      'en,"",4',
    ].join('\n');
    const fixed = input.replace('second, with comma', '"second, with comma"');
    const result = await runCli(['sentiment', 'classify', '-'], {}, `${fixed}\n`);
    expect(result.code).toBe(0);
    const rows = parse(result.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0]!)).toEqual(['id', 'label', 'score', 'confidence']);
    expect(rows.map((r) => r.id)).toEqual(['first', 'second, with comma', 'third', '4']);
    for (const row of rows) {
      expect(['positive', 'neutral', 'negative']).toContain(row.label);
      expect(Math.abs(Number(row.score))).toBeLessThanOrEqual(1);
      expect(Number(row.confidence)).toBeGreaterThanOrEqual(0);
      expect(Number(row.confidence)).toBeLessThanOrEqual(1);
    }
    expect(rows[0]?.label).toBe('positive');
    expect(rows[1]?.label).toBe('negative');
  });

  it('names the missing column in a one-line error', async () => {
    const result = await runCli(['sentiment', 'classify', '-'], {}, 'id,body\n1,hello\n');
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^vibecheck: error: .*\btext\b/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a thread count that is not a whole number from 0 to 256, as bad input', async () => {
    for (const threads of ['-1', '1.5', 'two', '257']) {
      const result = await runCli(['sentiment', 'classify', '--threads', threads, '-'], {}, 'id,text\n1,hi\n');
      expect(result.code, threads).toBe(2);
      expect(result.stderr).toMatch(/--threads <n>' argument .* is invalid\. expected a whole number of threads/);
    }
    const result = await runCli(['sentiment', 'classify', '--threads', '0', '-'], {}, 'id,text\n1,Cursor is great\n');
    expect(result.stdout).toMatch(/^id,label,score,confidence\n1,positive,/);
  });
});
