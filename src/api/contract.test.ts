import type { z } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openScenarioApp, runScenario, STEPS } from '../../test/support/api-scenario.ts';
import type { App } from './app.ts';

/**
 * The API contract: every operation of the OpenAPI document is called once with a real request over
 * stored posts (test/support/api-scenario.ts), and its answer must be a documented status whose
 * documented schema parses the body exactly (a field the document does not declare fails too).
 */

let opened: Awaited<ReturnType<typeof openScenarioApp>>;
let app: App;

interface Documented {
  responses: Record<string, { content?: Record<string, { schema: z.ZodType }> }>;
}

/** The operations as the app declares them, with the zod schemas its OpenAPI document is generated from. */
function documentedOperations(target: App): Map<string, Documented> {
  const operations = new Map<string, Documented>();
  for (const definition of target.openAPIRegistry.definitions) {
    if (definition.type !== 'route') continue;
    operations.set(`${definition.route.method} ${definition.route.path}`, definition.route as unknown as Documented);
  }
  return operations;
}

beforeAll(async () => {
  opened = await openScenarioApp();
  app = opened.app;
});

afterAll(async () => {
  await opened?.close();
});

describe('the API answers as its OpenAPI document says', () => {
  it('has one real request here for every documented operation', () => {
    expect(STEPS.map((step) => step.op).sort()).toEqual([...documentedOperations(app).keys()].sort());
  });

  it('answers every operation with a documented status and a body its documented schema parses exactly', async () => {
    const operations = documentedOperations(app);
    const bodies = new Map<string, unknown>();
    const problems: string[] = [];
    await runScenario(app, async (step, res) => {
      const where = `${step.op} -> ${res.status}`;
      const documented = operations.get(step.op)!.responses[String(res.status)];
      if (!documented) return void problems.push(`${where}: status not documented (${await res.text()})`);
      if (res.status >= 500) problems.push(`${where}: failed (${await res.text()})`);
      const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!;
      const media = documented.content ?? {};
      if (Object.keys(media).length === 0) {
        if ((await res.text()) !== '') problems.push(`${where}: a body where none is documented`);
        return undefined;
      }
      if (!(contentType in media)) {
        return void problems.push(`${where}: content type ${contentType} not documented (${Object.keys(media).join(', ')})`);
      }
      if (contentType !== 'application/json') return undefined;
      const body: unknown = await res.json();
      bodies.set(step.op, body);
      const parsed = media[contentType]!.schema.safeParse(body);
      if (!parsed.success) problems.push(`${where}: ${parsed.error.message}`);
      // Parsing drops what the schema does not declare: equal only when every field is documented.
      else if (JSON.stringify(sortKeys(parsed.data)) !== JSON.stringify(sortKeys(body))) problems.push(`${where}: undocumented fields`);
      return body;
    });
    expect(problems).toEqual([]);
    // The schemas were held against real values, not empty lists.
    const items = (op: string) => (bodies.get(op) as { items: unknown[] }).items.length;
    for (const op of [
      'get /api/v1/entities/{slug}/posts',
      'get /api/v1/entities/{slug}/aspects',
      'get /api/v1/entities/{slug}/versions',
      'get /api/v1/flows',
      'get /api/v1/flows/posts',
      'get /api/v1/events',
      'get /api/v1/alerts/{id}/deliveries',
    ]) {
      expect(items(op), op).toBeGreaterThan(0);
    }
  });
});

describe('response examples', () => {
  it('documents an example for every JSON success answer, each one its schema parses (rerun `npm run api:examples` when not)', async () => {
    const doc = (await (await app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { example?: unknown }> }> }>>;
    };
    const operations = documentedOperations(app);
    const missing: string[] = [];
    const stale: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          const media = response.content?.['application/json'];
          if (!status.startsWith('2') || !media) continue;
          const where = `${method} ${path} ${status}`;
          if (media.example === undefined) missing.push(where);
          else if (
            !operations.get(`${method} ${path}`)!.responses[status]!.content!['application/json']!.schema.safeParse(media.example).success
          )
            stale.push(where);
        }
      }
    }
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
  });
});

interface SchemaNode {
  $ref?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
}

/**
 * Every property of a schema without a description, by path. A bare $ref is described by its own
 * component; a $ref given a description of its own is written allOf: [$ref, { description }].
 */
function listUndescribed(schema: SchemaNode | undefined, where: string, found: string[]): string[] {
  if (!schema) return found;
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const described = property.description ?? property.allOf?.find((part) => part.$ref === undefined)?.description;
    if (!described && !property.$ref) found.push(`${where}.${name}`);
    listUndescribed(property, `${where}.${name}`, found);
  }
  listUndescribed(schema.items, `${where}[]`, found);
  for (const part of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) listUndescribed(part, where, found);
  return found;
}

describe('schema descriptions', () => {
  it('describes every property of every component, request body and response body the OpenAPI document serves', async () => {
    type Content = { content?: Record<string, { schema: SchemaNode }> };
    const doc = (await (await app.request('/api/openapi.json')).json()) as {
      components: { schemas: Record<string, SchemaNode> };
      paths: Record<string, Record<string, { requestBody?: Content; responses: Record<string, Content> }>>;
    };
    const undescribed: string[] = [];
    for (const [name, schema] of Object.entries(doc.components.schemas)) listUndescribed(schema, name, undescribed);
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const media of Object.values(operation.requestBody?.content ?? {}))
          listUndescribed(media.schema, `${method} ${path} body`, undescribed);
        for (const [status, response] of Object.entries(operation.responses)) {
          for (const media of Object.values(response.content ?? {}))
            listUndescribed(media.schema, `${method} ${path} ${status}`, undescribed);
        }
      }
    }
    expect(undescribed).toEqual([]);
  });
});

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, sortKeys(v)]),
  );
}
