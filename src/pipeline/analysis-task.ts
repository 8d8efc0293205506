import { workerData } from 'node:worker_threads';
import type { EntityRecord } from '../db/queries/entities.ts';
import { createAnalyzer, type Analysis, type AnalysisInput, type Analyzer } from './analyze.ts';

/** What a pool hands each worker thread when it starts. */
export interface AnalysisWorkerData {
  entities: EntityRecord[];
}

let analyzer: Analyzer | undefined;

/** Runs in a worker thread: analyses one batch with an analyzer built once per thread. */
export function analyzeBatch(posts: AnalysisInput[]): Analysis[] {
  analyzer ??= createAnalyzer((workerData as AnalysisWorkerData).entities);
  return posts.map((post) => analyzer!.analyze(post));
}
