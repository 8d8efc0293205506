import { describe, it, expect } from 'vitest';
import { Readable, Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { classifyCsv } from './classify-csv.ts';

function collect(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

const quote = (value: string) => `"${value.replace(/"/g, '""')}"`;

describe('classifyCsv', () => {
  it('round-trips awkward rows in input order with extra columns in any order', async () => {
    const code = `function f() { return "x"; }\n`.repeat(3500);
    const texts = ['first line\nsecond line, with a comma', 'she said "this is broken" twice', 'love it 🎉🚀 thanks!', code, ''];
    const lines = ['source,text,id', ...texts.map((text, i) => `hn,${quote(text)},${quote(`row-${i}`)}`)];
    const output = collect();
    const result = await classifyCsv(Readable.from([lines.join('\r\n')]), output.stream);
    const rows = parse(output.text(), { columns: true }) as Array<Record<string, string>>;
    expect(result.rows).toBe(texts.length);
    expect(rows.map((row) => row.id)).toEqual(texts.map((_, i) => `row-${i}`));
    expect(Object.keys(rows[0] ?? {})).toEqual(['id', 'label', 'score', 'confidence']);
    for (const row of rows) {
      expect(['positive', 'neutral', 'negative']).toContain(row.label);
      const score = Number(row.score);
      const confidence = Number(row.confidence);
      expect(score).toBeGreaterThanOrEqual(-1);
      expect(score).toBeLessThanOrEqual(1);
      expect(confidence).toBeGreaterThanOrEqual(0);
      expect(confidence).toBeLessThanOrEqual(1);
      expect(row.score?.split('.')[1]?.length ?? 0).toBeLessThanOrEqual(4);
    }
    expect(code.length).toBeGreaterThan(100_000);
  });

  it('quotes ids that contain commas, quotes and newlines', async () => {
    const output = collect();
    await classifyCsv(Readable.from(['id,text\n"a,""b""\nc",hello\n']), output.stream);
    const rows = parse(output.text(), { columns: true }) as Array<Record<string, string>>;
    expect(rows[0]?.id).toBe('a,"b"\nc');
  });

  it('writes the same rows in the same order from worker threads as from this thread, across batches', async () => {
    const words = ['Cursor is great', 'Copilot keeps crashing', 'Zed 0.200 released', 'Aider nailed it, Cline did not', 'meh'];
    const input = `id,text\n${Array.from({ length: 2_345 }, (_, i) => `r${i},${quote(`${words[i % words.length]} (${i})`)}`).join('\n')}\n`;
    const here = collect();
    const threaded = collect();
    expect((await classifyCsv(Readable.from([input]), here.stream, { threads: 0 })).rows).toBe(2_345);
    expect((await classifyCsv(Readable.from([input]), threaded.stream, { threads: 2 })).rows).toBe(2_345);
    expect(threaded.text()).toBe(here.text());
    expect(here.text().split('\n')[2_345]).toMatch(/^r2344,/);
  });

  it('reports a malformed row found after rows were handed to worker threads', async () => {
    const good = Array.from({ length: 1_500 }, (_, i) => `${i},fine`).join('\n');
    await expect(classifyCsv(Readable.from([`id,text\n${good}\n9999,"unclosed\n`]), collect().stream, { threads: 1 })).rejects.toThrow(
      /malformed CSV at line/,
    );
  });

  it('names the missing column', async () => {
    await expect(classifyCsv(Readable.from(['id,body\n1,hi\n']), collect().stream)).rejects.toThrow(/"text"/);
    await expect(classifyCsv(Readable.from(['text\nhi\n']), collect().stream)).rejects.toThrow(/"id"/);
  });

  it('names the line of a malformed row', async () => {
    const input = 'id,text\n1,fine\n2,"unclosed quote\n3,ok,extra\n';
    await expect(classifyCsv(Readable.from([input]), collect().stream)).rejects.toThrow(/line \d+/);
    await expect(classifyCsv(Readable.from(['id,text\n1,a\n2,b,c\n']), collect().stream)).rejects.toThrow(/line 3/);
  });
});
