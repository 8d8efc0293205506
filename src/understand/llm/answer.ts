import type { z } from 'zod';

export type ParsedAnswer<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * An endpoint's answer read as JSON (inside a ```json fence or not) and checked against `schema`;
 * anything else is garbage, with why, so the caller keeps its local result.
 */
export function parseJsonAnswer<T>(content: string | null | undefined, schema: z.ZodType<T>): ParsedAnswer<T> {
  if (!content) return { ok: false, reason: 'garbage: empty answer' };
  let json: unknown;
  try {
    json = JSON.parse(content.trim().replace(/^```(?:json)?\s*|\s*```$/g, ''));
  } catch {
    return { ok: false, reason: 'garbage: answer is not JSON' };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    return { ok: false, reason: `garbage: answer has the wrong shape (${parsed.error.issues[0]?.message ?? 'invalid'})` };
  return { ok: true, value: parsed.data };
}
