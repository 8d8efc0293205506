import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { createTarget, describeOnBothTargets } from '../../test/support/targets.ts';
import { openDatabase } from './client.ts';
import { getMigrationStatus, migrate, readMigrationFiles, splitStatements } from './migrate.ts';
import type { DB } from './schema.ts';

async function describeSchema(db: Kysely<DB>): Promise<{ columns: string[]; indexes: string[]; constraints: string[] }> {
  const columns = await sql<{ line: string }>`
    SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS line
    FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`.execute(db);
  const indexes = await sql<{ line: string }>`
    SELECT tablename || ' ' || indexdef AS line FROM pg_indexes WHERE schemaname = 'public' ORDER BY tablename, indexname`.execute(db);
  // PostgreSQL 18 (PGlite) also lists NOT NULL as constraints; the columns already compare nullability.
  const constraints = await sql<{ line: string }>`
    SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS line
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype <> 'n' ORDER BY 1`.execute(db);
  return {
    columns: columns.rows.map((r) => r.line),
    indexes: indexes.rows.map((r) => r.line),
    constraints: constraints.rows.map((r) => r.line),
  };
}

describeOnBothTargets('migrations', (get) => {
  it('applies every migration once and records it', async () => {
    const applied = await migrate(get().db);
    expect(applied).toEqual(readMigrationFiles().map((f) => f.name));
    const status = await getMigrationStatus(get().db);
    expect(status.every((s) => s.state === 'applied')).toBe(true);
  });

  it('is idempotent: a second run applies nothing', async () => {
    expect(await migrate(get().db)).toEqual([]);
  });

  it('refuses to run when an applied migration was edited', async () => {
    const files = readMigrationFiles().map((f, i) => (i === 0 ? { ...f, checksum: 'edited' } : f));
    await expect(migrate(get().db, files)).rejects.toThrow(/001_init was edited after it was applied/);
    expect((await getMigrationStatus(get().db, files))[0]?.state).toBe('changed');
  });

  it('lists a new file as pending', async () => {
    const extra = { version: 999, name: '999_extra', checksum: 'x', sql: 'SELECT 1' };
    const status = await getMigrationStatus(get().db, [...readMigrationFiles(), extra]);
    expect(status.at(-1)).toMatchObject({ name: '999_extra', state: 'pending' });
  });

  it('runs a migration marked no-transaction statement by statement, as CREATE INDEX CONCURRENTLY needs', async () => {
    const text =
      '-- vibecheck:no-transaction\n-- two indexes built without locking writes\nCREATE INDEX CONCURRENTLY IF NOT EXISTS posts_author_test_idx ON posts (author);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS posts_fetched_test_idx ON posts (fetched_at); -- trailing note\n';
    const concurrent = { version: 900, name: '900_concurrent', checksum: 'c', sql: text };
    // Inside a transaction PostgreSQL refuses it, which is why the marker exists.
    await expect(
      migrate(get().db, [...readMigrationFiles(), { ...concurrent, sql: text.replace('-- vibecheck:no-transaction', '') }]),
    ).rejects.toThrow(/CONCURRENTLY|transaction/i);
    expect(await migrate(get().db, [...readMigrationFiles(), concurrent])).toEqual(['900_concurrent']);
    const { indexes } = await describeSchema(get().db);
    expect(indexes.filter((i) => /posts_(author|fetched)_test_idx/.test(i))).toHaveLength(2);
    await sql`DROP INDEX posts_author_test_idx, posts_fetched_test_idx`.execute(get().db);
    await sql`DELETE FROM schema_migrations WHERE version = 900`.execute(get().db);
  });

  it('indexes the time-series tables by entity and time', async () => {
    const { indexes } = await describeSchema(get().db);
    expect(indexes.some((i) => /mentions_entity_time_idx .*\(entity_id, created_at DESC\)/.test(i))).toBe(true);
    expect(indexes.some((i) => /sentiment_rollups_pkey .*\(entity_id, bucket, source\)/.test(i))).toBe(true);
  });

  it('matches the hand-written src/db/schema.ts: the same tables, columns, nullability and allowed values', async () => {
    const schema = readDeclaredSchema();
    const declared = mapColumns(schema, (column) => column.nullable);
    const rows = await sql<{ table_name: string; column_name: string; is_nullable: string }>`
      SELECT table_name, column_name, is_nullable FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = ANY(${Object.keys(declared)}::text[])`.execute(get().db);
    const actual: Record<string, Record<string, boolean>> = {};
    for (const row of rows.rows) (actual[row.table_name] ??= {})[row.column_name] = row.is_nullable === 'YES';
    expect(actual).toEqual(declared);

    // A column typed as a union of string literals allows exactly those values in its CHECK constraint.
    const checks = await sql<{ table_name: string; definition: string }>`
      SELECT c.conrelid::regclass::text AS table_name, pg_get_constraintdef(c.oid) AS definition
      FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE c.contype = 'c' AND n.nspname = 'public'`.execute(get().db);
    const allowed: Record<string, Record<string, string[]>> = {};
    for (const { table_name, definition } of checks.rows) {
      // PostgreSQL writes `kind IN ('a', 'b')` back as `((kind = ANY (ARRAY['a'::text, 'b'::text])))`.
      const match = /^CHECK \(\(\(?(\w+) = ANY \(ARRAY\[(.*)\]\)\)\)\)?$/.exec(definition);
      if (!match) continue;
      const values = [...match[2]!.matchAll(/'([^']*)'::text/g)].map((m) => m[1]!).sort();
      (allowed[table_name] ??= {})[match[1]!] = values;
    }
    const literalColumns = Object.entries(mapColumns(schema, (column) => column.values)).map(([table, columns]) => [
      table,
      Object.fromEntries(Object.entries(columns).filter(([, values]) => values !== null)),
    ]);
    const typed = Object.fromEntries(literalColumns.filter(([, columns]) => Object.keys(columns as object).length > 0));
    expect(allowed).toEqual(typed);
    const tables = await sql<{ name: string }>`
      SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`.execute(
      get().db,
    );
    expect(tables.rows.map((t) => t.name).sort()).toEqual(Object.keys(declared).sort());
  });
});

interface DeclaredColumn {
  nullable: boolean;
  /** The values a union of string literals allows, sorted; null for any other type. */
  values: string[] | null;
}
type DeclaredSchema = Record<string, Record<string, DeclaredColumn>>;

const mapColumns = <T>(schema: DeclaredSchema, pick: (column: DeclaredColumn) => T): Record<string, Record<string, T>> =>
  Object.fromEntries(
    Object.entries(schema).map(([table, columns]) => [
      table,
      Object.fromEntries(Object.entries(columns).map(([name, column]) => [name, pick(column)])),
    ]),
  );

/**
 * The tables of the `DB` interface in src/db/schema.ts, each column with whether its type admits
 * null and the string literals it allows, read with the TypeScript compiler from the file itself.
 */
function readDeclaredSchema(): DeclaredSchema {
  const file = fileURLToPath(new URL('./schema.ts', import.meta.url));
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node);
  });
  const nullable = (type: ts.TypeNode | undefined): boolean => {
    if (!type) return false;
    if (ts.isUnionTypeNode(type)) return type.types.some(nullable);
    if (ts.isLiteralTypeNode(type)) return type.literal.kind === ts.SyntaxKind.NullKeyword;
    // Generated<T>, ColumnType<Select, ...>, WithDefault<T>: the first argument is what a select returns.
    if (ts.isTypeReferenceNode(type)) return nullable(type.typeArguments?.[0]);
    return false;
  };
  const literals = (type: ts.TypeNode | undefined): string[] | null => {
    if (!type) return null;
    if (ts.isTypeReferenceNode(type)) return literals(type.typeArguments?.[0]);
    const members = ts.isUnionTypeNode(type) ? type.types : [type];
    const values = members
      .filter((member) => !(ts.isLiteralTypeNode(member) && member.literal.kind === ts.SyntaxKind.NullKeyword))
      .map((member) => (ts.isLiteralTypeNode(member) && ts.isStringLiteral(member.literal) ? member.literal.text : null));
    return values.length > 0 && values.every((v) => v !== null) ? (values as string[]).sort() : null;
  };
  // A table's columns: its own, plus those of what it extends (`Name`, or `Omit<Name, 'a' | 'b'>`).
  const columnsOf = (name: string): Array<[string, DeclaredColumn]> => {
    const table = interfaces.get(name)!;
    const inherited = (table.heritageClauses ?? []).flatMap((clause) =>
      clause.types.flatMap(({ expression, typeArguments }): Array<[string, DeclaredColumn]> => {
        const base = expression.getText(source);
        if (base !== 'Omit') return columnsOf(base);
        const [from, keys] = typeArguments!;
        const omitted = new Set((keys!.getText(source).match(/'[^']+'/g) ?? []).map((k) => k.slice(1, -1)));
        return columnsOf(from!.getText(source)).filter(([column]) => !omitted.has(column));
      }),
    );
    return [
      ...inherited,
      ...table.members
        .filter(ts.isPropertySignature)
        .map((column): [string, DeclaredColumn] => [
          column.name.getText(source),
          { nullable: nullable(column.type), values: literals(column.type) },
        ]),
    ];
  };
  const declared: DeclaredSchema = {};
  for (const member of interfaces.get('DB')!.members) {
    if (ts.isPropertySignature(member) && member.type && ts.isTypeReferenceNode(member.type)) {
      declared[member.name.getText(source)] = Object.fromEntries(columnsOf(member.type.typeName.getText(source)));
    }
  }
  return declared;
}

describeOnBothTargets('006_sentiment_tier on a database holding mentions', (get) => {
  it('marks the stored mentions local and refuses an unknown tier', async () => {
    const files = readMigrationFiles();
    const db = get().db;
    await migrate(
      db,
      files.filter((f) => f.version < 6),
    );
    const entity = await sql<{
      id: number;
    }>`INSERT INTO entities (slug, name, kind) VALUES ('tier-e', 'Tier', 'tool') RETURNING id`.execute(db);
    const posted = await sql<{ id: number }>`
      INSERT INTO posts (source, external_id, body, created_at, content_hash) VALUES ('hn', 'tier-1', 'b', '2026-01-01T00:00:00Z', 'h')
      RETURNING id`.execute(db);
    await sql`
      INSERT INTO mentions (post_id, entity_id, created_at, source, matched_text, start_offset, end_offset, label, score, confidence, model_version)
      VALUES (${posted.rows[0]!.id}, ${entity.rows[0]!.id}, '2026-01-01T00:00:00Z', 'hn', 'Tier', 0, 4, 'neutral', 0, 0.5, 'old')`.execute(
      db,
    );
    expect(await migrate(db, files)).toEqual(files.filter((f) => f.version >= 6).map((f) => f.name));
    const rows = await sql<{ sentiment_tier: string }>`SELECT sentiment_tier FROM mentions`.execute(db);
    expect(rows.rows).toEqual([{ sentiment_tier: 'local' }]);
    await sql`UPDATE mentions SET sentiment_tier = 'llm'`.execute(db);
    await expect(sql`UPDATE mentions SET sentiment_tier = 'guess'`.execute(db)).rejects.toThrow(/mentions_sentiment_tier_check/);
  });
});

describe('splitStatements', () => {
  it('splits where a line ends with a semicolon, dropping comments and blank statements', () => {
    expect(splitStatements('-- head\nCREATE INDEX a ON t (x);\n\nCREATE INDEX b\n  ON t (y); -- note\n')).toEqual([
      'CREATE INDEX a ON t (x)',
      'CREATE INDEX b\n  ON t (y)',
    ]);
  });
});

describe('migrations across targets', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('leave the same schema on PGlite and on the PostgreSQL server', async () => {
    const schemas = [];
    for (const name of ['embedded', 'server'] as const) {
      const target = await createTarget(name);
      cleanups.push(target.cleanup);
      const database = await target.open();
      await migrate(database.db);
      schemas.push(await describeSchema(database.db));
      await database.close();
    }
    expect(schemas[0]).toEqual(schemas[1]);
    expect(schemas[0]?.columns.length).toBeGreaterThan(50);
  });

  it('two processes starting at once on a server apply each migration exactly once', async () => {
    const target = await createTarget('server');
    cleanups.push(target.cleanup);
    const [a, b] = await Promise.all([target.open(), target.open()]);
    const results = await Promise.all([migrate(a!.db), migrate(b!.db)]);
    const all = [...results[0]!, ...results[1]!].sort();
    expect(all).toEqual(
      readMigrationFiles()
        .map((f) => f.name)
        .sort(),
    );
    const rows = await a!.db.selectFrom('schema_migrations').select('version').execute();
    expect(rows).toHaveLength(readMigrationFiles().length);
    await a!.close();
    await b!.close();
  });
});

describe('openDatabase', () => {
  it('names the problem when the server cannot be reached', async () => {
    await expect(openDatabase({ databaseUrl: 'postgres://nobody:x@127.0.0.1:1/none', dataDir: 'unused' })).rejects.toThrow(
      /cannot reach the database at DATABASE_URL/,
    );
  });
});
