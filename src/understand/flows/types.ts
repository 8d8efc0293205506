import { z } from 'zod';
import { AspectEvidence, AspectName } from '../aspects/types.ts';

/**
 * A statement that the author (or people they speak for) moved their use between entities
 * (labels/flows/ANNOTATION.md): `switch` X -> Y (either side may be untracked: null), `return` back
 * to Y (from X when named), `adds` Y next to a kept X.
 */
export const FlowKind = z.enum(['switch', 'return', 'adds']);
export type FlowKind = z.infer<typeof FlowKind>;

export const FLOW_KINDS = FlowKind.options;

export const Flow = z.object({
  from: z.string().nullable(),
  to: z.string().nullable(),
  kind: FlowKind,
  /** The aspect the author gives as the reason for the move, or null when they give none. */
  reason: AspectName.nullable(),
  /** The words of the statement: offsets into the analysed text. */
  evidence: AspectEvidence,
  confidence: z.number().min(0).max(1),
});
export type Flow = z.infer<typeof Flow>;

/** One occurrence of a tracked entity in the text, as the linker finds it. */
export interface FlowMention {
  slug: string;
  start: number;
  end: number;
}
