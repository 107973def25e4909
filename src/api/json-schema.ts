import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

/** A JSON Schema object as fastify and @fastify/swagger take it. */
export type JsonSchema = Record<string, unknown>;

/**
 * Describes a zod schema as draft-7 JSON Schema for fastify's validator, the response serializer and
 * the OpenAPI document, so each input is written once (as zod) and its TypeScript type derived from it.
 * `io: 'input'` describes what a client may send (defaults make a key optional).
 */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  const out = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as JsonSchema;
  delete out.$schema;
  return simplify(out) as JsonSchema;
}

/**
 * zod adds a regex next to `format: date-time`; the format alone says what is expected, and the
 * regex would only make the 400 message unreadable.
 */
function simplify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(simplify);
  if (typeof node !== 'object' || node === null) return node;
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) o[k] = simplify(v);
  if (typeof o.format === 'string' && typeof o.pattern === 'string') delete o.pattern;
  return o;
}

/** What a route accepts and answers, as zod; turned into the fastify/OpenAPI schema by {@link routeSchema}. */
export interface RouteShape {
  summary: string;
  tags: string[];
  params?: z.ZodType;
  querystring?: z.ZodType;
  body?: z.ZodType;
  /** Status code to answer body; `null` for an empty answer (204). */
  response: Record<number, z.ZodType | null>;
  /** False for routes that may be public (health, wall); the OpenAPI document then lists no security. */
  secured?: boolean;
}

/**
 * The fastify route schema for a shape: every route gets its params, query, body and answers
 * described, plus the error answer for 4xx and 5xx, so the OpenAPI document is complete.
 */
export function routeSchema(shape: RouteShape, problem: z.ZodType): Record<string, unknown> {
  const response: Record<string, unknown> = {};
  for (const [code, body] of Object.entries(shape.response)) {
    response[code] = body === null ? { type: 'null', description: 'no content' } : jsonSchema(body, 'output');
  }
  const problemJson = jsonSchema(problem, 'output');
  response['4xx'] = problemJson;
  response['5xx'] = problemJson;
  return {
    summary: shape.summary,
    tags: shape.tags,
    ...(shape.params ? { params: jsonSchema(shape.params) } : {}),
    ...(shape.querystring ? { querystring: jsonSchema(shape.querystring) } : {}),
    ...(shape.body ? { body: jsonSchema(shape.body) } : {}),
    response,
    ...(shape.secured === false ? {} : { security: [{ bearer: [] }] }),
  };
}

/**
 * A query string repeats a key for a list (`?state=open&state=acknowledged`) and sends one value as a
 * plain string; this makes that string a one-item list where the route's schema expects an array.
 * Doing it here, rather than with ajv's array coercion, keeps a JSON body strict: a string sent where
 * a body expects a list is a 400, not silently wrapped.
 */
export function installQueryArrays(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const schema = (request.routeOptions.schema as { querystring?: JsonSchema } | undefined)?.querystring;
    const props = schema?.properties as Record<string, JsonSchema> | undefined;
    const query = request.query as Record<string, unknown> | undefined;
    if (!props || !query) return;
    for (const [key, value] of Object.entries(query)) {
      if (typeof value === 'string' && props[key]?.type === 'array') query[key] = [value];
    }
  });
}
