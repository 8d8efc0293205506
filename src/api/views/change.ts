/**
 * The fields every answer about a window against the one of the same length before it carries. Computed
 * in core so explanations, alerts and digests give the same figures as these answers.
 */
export { describeChange as presentChange } from '../../core/explain.ts';
