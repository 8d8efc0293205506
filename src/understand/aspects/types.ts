import { z } from 'zod';

export const ASPECT_NAMES = [
  'performance',
  'cost',
  'reliability',
  'ux',
  'speed',
  'code_quality',
  'context_window',
  'limits',
  'privacy',
  'support',
  'docs',
] as const;

export const AspectName = z.enum(ASPECT_NAMES);
export type AspectName = z.infer<typeof AspectName>;

export const AspectPolarity = z.enum(['positive', 'neutral', 'negative']);
export type AspectPolarity = z.infer<typeof AspectPolarity>;

export interface TextSpan {
  start: number;
  end: number;
}

export const AspectEvidence = z.object({
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  text: z.string(),
});
export type AspectEvidence = z.infer<typeof AspectEvidence>;

export const AspectFinding = z.object({
  aspect: AspectName,
  polarity: AspectPolarity,
  /** Signed strength in [-1, 1]; its sign agrees with `polarity`. */
  score: z.number().min(-1).max(1),
  confidence: z.number().min(0).max(1),
  evidence: AspectEvidence,
  /** Set on a finding the learned model added to the rules' (stored with tier `model`). */
  tier: z.literal('model').optional(),
});
export type AspectFinding = z.infer<typeof AspectFinding>;

export function isAspectName(value: string): value is AspectName {
  return (ASPECT_NAMES as readonly string[]).includes(value);
}
