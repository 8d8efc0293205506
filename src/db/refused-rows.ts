import { sql } from 'kysely';
import type { Executor } from './queries/entities.ts';

/**
 * Errors a row's own values cause: data exceptions (SQLSTATE class 22: an encoding the database
 * cannot hold, a number or date out of range), integrity violations (23) and an index row too large
 * (54000). Anything else (a lost connection, a deadlock, a full disk) is about the batch, not a row.
 */
export function isRowValueError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23') || code === '54000');
}

export interface RefusedRow<T> {
  item: T;
  error: Error;
}

/**
 * Writes `items` with `write` inside a savepoint of the open transaction `trx`. When the database
 * refuses them for a row's values, the halves are written again, each in its own savepoint, until
 * each refused item stands alone: those are returned with the database's error, every other item
 * is written, in the order given. Other errors are thrown and abort the transaction.
 */
export async function writeAroundRefusedRows<T, R>(
  trx: Executor,
  items: T[],
  write: (items: T[]) => Promise<R>,
): Promise<{ results: R[]; refused: RefusedRow<T>[] }> {
  const results: R[] = [];
  const refused: RefusedRow<T>[] = [];
  const attempt = async (part: T[]): Promise<void> => {
    if (part.length === 0) return;
    await sql`SAVEPOINT vibecheck_rows`.execute(trx);
    try {
      const result = await write(part);
      await sql`RELEASE SAVEPOINT vibecheck_rows`.execute(trx);
      results.push(result);
    } catch (error) {
      if (!isRowValueError(error)) throw error;
      await sql`ROLLBACK TO SAVEPOINT vibecheck_rows`.execute(trx);
      await sql`RELEASE SAVEPOINT vibecheck_rows`.execute(trx);
      if (part.length === 1) {
        refused.push({ item: part[0]!, error: error as Error });
        return;
      }
      const middle = Math.ceil(part.length / 2);
      await attempt(part.slice(0, middle));
      await attempt(part.slice(middle));
    }
  };
  await attempt(items);
  return { results, refused };
}
