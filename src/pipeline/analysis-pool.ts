import { Piscina } from 'piscina';
import type { EntityRecord } from '../db/queries/entities.ts';
import type { AnalysisWorkerData } from './analysis-task.ts';
import type { Analysis, AnalysisInput } from './analyze.ts';

export interface AnalysisPool {
  threads: number;
  analyzeMany(posts: AnalysisInput[]): Promise<Analysis[]>;
  /** Stops the worker threads once the work handed to them is done. */
  close(): Promise<void>;
}

/**
 * Linking, sentiment and aspects in worker threads, so the thread that reads input and writes to
 * the database never waits on analysis. Each thread builds its own analyzer over `entities`.
 */
export function createAnalysisPool(entities: EntityRecord[], threads: number): AnalysisPool {
  const workerData: AnalysisWorkerData = { entities };
  const pool = new Piscina({
    filename: new URL('./analysis-worker.mjs', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    workerData,
  });
  return {
    threads,
    analyzeMany: (posts) => pool.run(posts) as Promise<Analysis[]>,
    close: () => pool.close(),
  };
}
