import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeOnBothTargets } from '../../test/support/targets.ts';
import { isRowValueError, writeAroundRefusedRows } from './refused-rows.ts';

describe('isRowValueError', () => {
  it("takes data exceptions, integrity violations and an oversized index row as a row's fault, nothing else", () => {
    for (const code of ['22021', '22008', '22003', '22P05', '23502', '23514', '54000']) expect(isRowValueError({ code })).toBe(true);
    for (const code of ['40P01', '40001', '53100', '57014', '08006', '42601']) expect(isRowValueError({ code })).toBe(false);
    expect(isRowValueError(new Error('no code'))).toBe(false);
    expect(isRowValueError(null)).toBe(false);
  });
});

describeOnBothTargets('writing around refused rows', (get) => {
  beforeAll(async () => {
    await sql`CREATE TABLE refusal_test (id int PRIMARY KEY, note text NOT NULL, at timestamptz NOT NULL, n int)`.execute(get().db);
  });

  const insert =
    (rows: Array<{ id: number; note: string; at: string; n: number }>) => async (trx: Parameters<typeof writeAroundRefusedRows>[0]) => {
      await sql`
      INSERT INTO refusal_test (id, note, at, n)
      SELECT * FROM unnest(${rows.map((r) => r.id)}::int[], ${rows.map((r) => r.note)}::text[], ${rows.map((r) => r.at)}::timestamptz[], ${rows.map((r) => r.n)}::int[])`.execute(
        trx,
      );
    };

  it('stores every row but the refused ones, each reported with the database error, in one transaction', async () => {
    const db = get().db;
    const rows = Array.from({ length: 40 }, (_, i) => ({ id: i, note: `row ${i}`, at: '2026-03-01T00:00:00Z', n: i }));
    rows[3]!.note = 'nul \u0000 here';
    rows[17]!.at = '0000-01-01T00:00:00Z';
    rows[31]!.n = 2 ** 31;
    const outcome = await db.transaction().execute((trx) => writeAroundRefusedRows(trx, rows, (part) => insert(part)(trx)));
    expect(outcome.refused.map(({ item, error }) => [item.id, (error as Error & { code: string }).code])).toEqual([
      [3, '22021'],
      [17, '22008'],
      [31, '22003'],
    ]);
    const stored = await sql<{ id: number }>`SELECT id FROM refusal_test ORDER BY id`.execute(db);
    expect(stored.rows.map((r) => r.id)).toEqual(rows.map((r) => r.id).filter((id) => ![3, 17, 31].includes(id)));
    // Eleven savepoints or so, not forty: halves that pass are written whole.
    expect(outcome.results.length).toBeLessThan(15);
  });

  it('throws an error no row explains, and the transaction keeps nothing', async () => {
    const db = get().db;
    await expect(
      db.transaction().execute((trx) =>
        writeAroundRefusedRows(trx, [1, 2], async () => {
          await sql`INSERT INTO refusal_test (id, note, at, n) VALUES (100, 'x', now(), 1)`.execute(trx);
          await sql`SELECT * FROM no_such_table`.execute(trx);
        }),
      ),
    ).rejects.toThrow(/no_such_table/);
    const stored = await sql<{ n: number }>`SELECT count(*)::int AS n FROM refusal_test WHERE id = 100`.execute(db);
    expect(stored.rows[0]?.n).toBe(0);
  });
});
