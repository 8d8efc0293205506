/**
 * Writes src/api/examples.json: the success answer of every API operation in the contract scenario
 * (test/support/api-scenario.ts: real requests over posts imported through the pipeline), lists cut
 * to two entries, which the OpenAPI document carries as its response examples. Rerun after a change
 * to a response's shape: `npm run api:examples` (the contract test fails on an example its schema no
 * longer parses).
 */
import { writeFileSync } from 'node:fs';
import { EXAMPLES_FILE } from '../src/api/routes/docs.ts';
import { openScenarioApp, runScenario } from '../test/support/api-scenario.ts';

const LIST_ENTRIES = 2;

/** Lists cut short; a generated secret (shown once, on creation) replaced by what it looks like. */
function trim(value: unknown): unknown {
  if (Array.isArray(value)) return value.slice(0, LIST_ENTRIES).map(trim);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, entry]) => [
      key,
      key === 'secret' && typeof entry === 'string' ? 'ab12… (64 hex characters)' : trim(entry),
    ]),
  );
}

const opened = await openScenarioApp({ cluster: false });
const examples: Record<string, { status: number; body: unknown }> = {};
try {
  await runScenario(opened.app, async (step, res) => {
    if (!res.ok || !(res.headers.get('content-type') ?? '').startsWith('application/json')) return undefined;
    const body: unknown = await res.json();
    examples[step.op] = { status: res.status, body: trim(body) };
    return body;
  });
} finally {
  await opened.close();
}
const sorted = Object.fromEntries(Object.entries(examples).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(EXAMPLES_FILE, `${JSON.stringify(sorted, null, 2)}\n`);
console.log(`wrote ${Object.keys(sorted).length} response examples to ${EXAMPLES_FILE.pathname}`);
