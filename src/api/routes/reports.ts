import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { REPORT_FORMATS } from '../../reports/generate.js';
import { PeriodError, dayPeriod, lastCompleteDay, lastCompleteMonth, lastCompleteWeek, lastCompleteYear, monthPeriod, rangePeriod, weekPeriod, yearPeriod, type ReportPeriod } from '../../reports/period.js';
import { API_PREFIX } from '../app.js';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { servicesFor } from '../services/scoped.js';
import { REPORT_KINDS, type ReportService, type StoredReport } from '../services/index.js';
import { badRequest, notFound, problemSchema, RequestProblem, type RequestIssue } from '../problems.js';
import { pageJson, paginate, pagingQuery } from '../views.js';
import { parseReportFileName } from './reports-store.js';
import { LANGS } from '../../config/lang.js';

const MEDIA = { html: 'text/html; charset=utf-8', pdf: 'application/pdf', md: 'text/markdown; charset=utf-8' } as const;

const listQuery = z.strictObject({
  kind: z.array(z.enum(REPORT_KINDS)).optional(),
  lang: z.array(z.enum(LANGS)).optional(),
  format: z.array(z.enum(REPORT_FORMATS)).optional(),
  period: z.array(z.string().min(1).max(40)).optional(),
  ...pagingQuery,
});
type ListQuery = z.infer<typeof listQuery>;

const generateBody = z.strictObject({
  kind: z.enum(['daily', 'weekly', 'monthly', 'yearly']),
  day: z.string().max(20).optional().describe('daily: a local day such as 2026-11-16 (like --day)'),
  week: z.string().max(20).optional().describe('weekly: an ISO week such as 2026-W47 (like --week)'),
  from: z.string().max(20).optional().describe('weekly: first local day such as 2026-11-16, with "to" (like --from)'),
  to: z.string().max(20).optional().describe('weekly: last local day, included (like --to)'),
  month: z.string().max(20).optional().describe('monthly: a month such as 2026-11 (like --month)'),
  year: z.string().max(20).optional().describe('yearly: a year such as 2026 (like --year)'),
  lang: z.enum(LANGS).optional().describe("default: noctua.yaml's locale"),
  format: z.enum(REPORT_FORMATS).default('html'),
});
type GenerateBody = z.infer<typeof generateBody>;

const fileParams = z.strictObject({
  kind: z.enum(REPORT_KINDS),
  file: z.string().min(1).max(100),
});
type FileParams = z.infer<typeof fileParams>;
const downloadQuery = z.strictObject({ access_token: z.string().max(200).optional() });

export const reportJson = z.object({
  kind: z.enum(REPORT_KINDS),
  period: z.string(),
  lang: z.enum(LANGS),
  format: z.enum(REPORT_FORMATS),
  bytes: z.number().int(),
  modifiedAt: z.string(),
  url: z.string().describe('download path, under the API prefix'),
});

/** The download path of a stored report, as the list, the generate answer and report notices give it. */
export function reportUrl(r: Pick<StoredReport, 'kind' | 'period' | 'lang' | 'format'>): string {
  return `${API_PREFIX}/reports/${r.kind}/${r.period}.${r.lang}.${r.format}`;
}

function reportToJson(r: StoredReport): z.infer<typeof reportJson> {
  return { kind: r.kind, period: r.period, lang: r.lang, format: r.format, bytes: r.bytes, modifiedAt: r.modifiedAt.toISOString(), url: reportUrl(r) };
}

/** The period a generate request asks for, with the same rules as `noctua report`; every mistake names its field. */
export function periodOfRequest(b: GenerateBody, timeZone: string, now: Date): ReportPeriod {
  const issues: RequestIssue[] = [];
  const misplaced = (field: 'day' | 'week' | 'from' | 'to' | 'month' | 'year', belongs: string) => {
    if (b[field] !== undefined) issues.push({ path: `body.${field}`, expected: `no ${field} for a ${b.kind} report (${belongs})`, got: JSON.stringify(b[field]) });
  };
  if (b.kind !== 'daily') misplaced('day', 'day belongs to daily reports');
  if (b.kind !== 'weekly') for (const f of ['week', 'from', 'to'] as const) misplaced(f, 'week, from and to belong to weekly reports');
  if (b.kind !== 'monthly') misplaced('month', 'month belongs to monthly reports');
  if (b.kind !== 'yearly') misplaced('year', 'year belongs to yearly reports');
  if (b.week !== undefined && (b.from !== undefined || b.to !== undefined)) issues.push({ path: 'body.week', expected: 'either week or from/to, not both' });
  if (b.kind === 'weekly' && (b.from === undefined) !== (b.to === undefined)) {
    issues.push({ path: b.from === undefined ? 'body.from' : 'body.to', expected: 'from and to together (both days are included)' });
  }
  if (issues.length > 0) throw badRequest(...issues);
  const field = b.kind === 'daily' ? 'body.day' : b.kind === 'monthly' ? 'body.month' : b.kind === 'yearly' ? 'body.year' : b.week !== undefined ? 'body.week' : undefined;
  try {
    if (b.kind === 'daily') return b.day !== undefined ? dayPeriod(b.day, timeZone) : lastCompleteDay(now, timeZone);
    if (b.kind === 'yearly') return b.year !== undefined ? yearPeriod(b.year, timeZone) : lastCompleteYear(now, timeZone);
    if (b.kind === 'monthly') return b.month !== undefined ? monthPeriod(b.month, timeZone) : lastCompleteMonth(now, timeZone);
    if (b.week !== undefined) return weekPeriod(b.week, timeZone);
    if (b.from !== undefined && b.to !== undefined) return rangePeriod(b.from, b.to, timeZone, 62);
    return lastCompleteWeek(now, timeZone);
  } catch (err) {
    if (!(err instanceof PeriodError)) throw err;
    // rangePeriod names its flag (--from/--to); the API names the body field instead.
    const m = /^--(from|to): (.*)$/.exec(err.message);
    if (m) throw badRequest({ path: `body.${m[1]!}`, expected: m[2]!.replace(/, got .*$/, ''), got: JSON.stringify(b[m[1] as 'from' | 'to']) });
    const got = field === 'body.day' ? b.day : field === 'body.month' ? b.month : field === 'body.year' ? b.year : b.week;
    if (field) throw badRequest({ path: field, expected: err.message.replace(/, got .*$/, ''), got: got !== undefined ? JSON.stringify(got) : undefined });
    throw badRequest({ path: 'body.to', expected: err.message.replace(/--(from|to)/g, '$1') });
  }
}

function unavailable(): RequestProblem {
  return new RequestProblem(503, 'reports are not available in this process (no state directory)');
}

/** /api/v1/reports: the stored inspection and service reports, one generated on demand, and their download. */
export const reportsRoutes = apiPlugin('noctua-reports', ['@fastify/swagger'], async (app, { services: all, now }) => {
  const service = (request: FastifyRequest): ReportService => {
    const services = servicesFor(request, all);
    if (!services.reports) throw unavailable();
    return services.reports;
  };

  app.get<{ Querystring: ListQuery }>('/reports', {
    config: { access: 'viewer' },
    schema: routeSchema({
      summary: 'List stored reports, newest first, filtered by kind, language, format and period',
      tags: ['reports'], querystring: listQuery, response: { 200: pageJson(reportJson) },
    }, problemSchema),
  }, async (request) => {
    const q = request.query;
    const all = (await service(request).list())
      .filter((r) => !q.kind || q.kind.includes(r.kind))
      .filter((r) => !q.lang || q.lang.includes(r.lang))
      .filter((r) => !q.format || q.format.includes(r.format))
      .filter((r) => !q.period || q.period.includes(r.period))
      .sort((a, b) => b.modifiedAt.getTime() - a.modifiedAt.getTime() || b.period.localeCompare(a.period));
    return paginate(all.map(reportToJson), q.limit, q.offset);
  });

  app.post<{ Body: GenerateBody }>('/reports', {
    config: { access: 'operator', audit: 'report.generate' },
    schema: routeSchema({
      summary: 'Generate and store a report now (daily: day; weekly: week, or from/to; monthly: month; yearly: year; default the last complete one)',
      tags: ['reports'], body: generateBody,
      response: {
        201: z.object({
          report: reportJson, verdict: z.enum(['normal', 'abnormal', 'no-data']),
          attentionCount: z.number().int(), devicesInspected: z.number().int(),
        }),
      },
    }, problemSchema),
  }, async (request, reply) => {
    const s = service(request);
    const b = request.body;
    const period = periodOfRequest(b, s.timeZone, now());
    const made = await s.generate({ period, lang: b.lang ?? s.locale, format: b.format });
    return reply.code(201).send({ ...made, report: reportToJson(made.report) });
  });

  app.get<{ Params: FileParams; Querystring: z.infer<typeof downloadQuery> }>('/reports/:kind/:file', {
    // A link in a chat notice cannot carry a header; the token may ride in the query, as for the stream.
    config: { access: 'viewer', tokenInQuery: true },
    schema: routeSchema({
      summary: 'Download a stored report (HTML, PDF or Markdown); the token may be given as ?access_token=',
      tags: ['reports'], params: fileParams, querystring: downloadQuery, response: { 200: z.string() },
    }, problemSchema),
  }, async (request, reply) => {
    const { kind, file } = request.params;
    const parts = parseReportFileName(file);
    if (!parts) {
      throw badRequest({ path: 'params.file', expected: 'a report file name PERIOD.LANG.FORMAT such as 2026-W47.zh-CN.pdf (LANG zh-CN or en, FORMAT html, pdf or md)', got: JSON.stringify(file) });
    }
    const found = await service(request).read(kind, parts.period, parts.lang, parts.format);
    if (!found) throw notFound(`report ${kind}/${file}`);
    const disposition = parts.format === 'html' ? 'inline' : 'attachment';
    return reply
      .type(MEDIA[parts.format])
      .header('content-disposition', `${disposition}; filename="${file}"`)
      .header('last-modified', found.report.modifiedAt.toUTCString())
      .send(found.content);
  });
});
