import type { FastifyError, FastifyInstance } from 'fastify';
import { z } from 'zod';

/** One thing wrong with a request: where (`body.devices[2]`, `querystring.limit`) and what was expected there. */
export interface RequestIssue {
  path: string;
  expected: string;
  got?: string;
}

/** The body of every error answer. Stack traces and internal messages never reach a client. */
export const problemSchema = z.object({
  statusCode: z.number().int(),
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), expected: z.string(), got: z.string().optional() })).optional(),
  requestId: z.string().optional(),
});
/** An error answer as sent. */
export type Problem = z.infer<typeof problemSchema>;

/** A request the API refuses on purpose (bad input beyond the schema, unknown id, conflicting state). */
export class RequestProblem extends Error {
  constructor(readonly statusCode: number, message: string, readonly issues?: RequestIssue[]) {
    super(message);
    this.name = 'RequestProblem';
  }
}

/** A 400 naming the fields that are wrong and what each should have been. */
export function badRequest(...issues: RequestIssue[]): RequestProblem {
  return new RequestProblem(400, issues.map(issueText).join('; '), issues);
}

/** A 404 for an id or name that does not exist. */
export function notFound(what: string): RequestProblem {
  return new RequestProblem(404, `${what} not found`);
}

/** A 409 for an action the current state does not allow (acknowledging a resolved incident). */
export function conflict(message: string): RequestProblem {
  return new RequestProblem(409, message);
}

function issueText(i: RequestIssue): string {
  return `${i.path}: ${i.expected}${i.got !== undefined ? `, got ${i.got}` : ''}`;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type',
  429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

/** The JSON answer for a status and message, in the one shape every route documents. */
export function problem(statusCode: number, message: string, issues?: RequestIssue[]): Problem {
  return { statusCode, error: STATUS_TEXT[statusCode] ?? 'Error', message, ...(issues ? { issues } : {}) };
}

/** An ajv error as fastify hands it over (ajv runs with `verbose`, so the schema and data are there). */
interface AjvIssue {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: Record<string, unknown>;
  data?: unknown;
}

const FORMATS: Record<string, string> = {
  'date-time': 'an RFC 3339 date-time such as 2026-11-23T08:00:00Z',
  email: 'an e-mail address',
  uri: 'a URI',
};

function pointerToPath(context: string, pointer: string): string {
  let out = context;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : `.${part}`;
  }
  return out;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Turns one ajv error into a field path and a sentence a NOC engineer can act on. */
export function describeAjvIssue(context: string, e: AjvIssue): RequestIssue {
  const at = pointerToPath(context, e.instancePath);
  const p = e.params;
  const got = e.data === undefined ? undefined : show(e.data);
  switch (e.keyword) {
    case 'required':
      return { path: `${at}.${String(p.missingProperty)}`, expected: 'a value (this field is required)' };
    case 'additionalProperties': {
      const known = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
      return {
        path: `${at}.${String(p.additionalProperty)}`,
        expected: known.length ? `no such field (expected one of: ${known.join(', ')})` : 'no fields here',
      };
    }
    case 'type': return { path: at, expected: `${article(String(p.type))} ${String(p.type)}`, got };
    case 'enum': return { path: at, expected: `one of ${(p.allowedValues as unknown[]).map(String).join(', ')}`, got };
    case 'const': return { path: at, expected: show(p.allowedValue), got };
    case 'format': return { path: at, expected: FORMATS[String(p.format)] ?? `a ${String(p.format)}`, got };
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      return { path: at, expected: `a number ${String(p.comparison)} ${String(p.limit)}`, got };
    case 'minLength': return { path: at, expected: `at least ${String(p.limit)} character${p.limit === 1 ? '' : 's'}`, got };
    case 'maxLength': return { path: at, expected: `at most ${String(p.limit)} characters`, got };
    case 'minItems': return { path: at, expected: `at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}` };
    case 'maxItems': return { path: at, expected: `at most ${String(p.limit)} items` };
    case 'pattern': return { path: at, expected: `text matching ${String(p.pattern)}`, got };
    default: return { path: at, expected: e.message ?? e.keyword, got };
  }
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

/**
 * Answers every error in the one documented shape: schema failures become 400 with field paths,
 * deliberate refusals keep their status, anything unexpected is logged with its stack and reaches
 * the client only as "internal error" with the request id to find it in the log.
 */
export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & { issues?: RequestIssue[] }, request, reply) => {
    if (err.validation) {
      const context = err.validationContext ?? 'request';
      const issues = (err.validation as unknown as AjvIssue[])
        // anyOf/oneOf repeat what their branches already said.
        .filter((e, _i, all) => !(['anyOf', 'oneOf', 'if'].includes(e.keyword) && all.length > 1))
        .map((e) => describeAjvIssue(context, e));
      return reply.code(400).send(problem(400, issues.map(issueText).join('; '), issues));
    }
    if (err instanceof RequestProblem) {
      return reply.code(err.statusCode).send(problem(err.statusCode, err.message, err.issues));
    }
    const status = err.statusCode ?? 500;
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      const issue = { path: 'body', expected: err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'a JSON object (the body is empty)' : 'valid JSON' };
      return reply.code(400).send(problem(400, issueText(issue), [issue]));
    }
    if (status >= 400 && status < 500) {
      // fastify's own 4xx errors (body too large, media type, rate limit) carry messages written for clients.
      return reply.code(status).send(problem(status, err.message));
    }
    request.log.error({ err }, 'request failed');
    return reply.code(500).send({ ...problem(500, `internal error; the server log has the details under request id ${request.id}`), requestId: String(request.id) });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(problem(404, `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
