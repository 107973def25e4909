import { z } from 'zod';
import { HiddenValue, describeHiddenIssue } from './yaml-source.js';

/**
 * Marks a config field as secret: an SNMP community or key, an HMAC secret, a token, a password, a URL that
 * carries a token or credentials. When the value is refused, the error says what was expected and
 * `got a value of N characters`, never the value, wherever the error goes (check-config, the admin API's
 * validate/reload answers, the reload log). The one mechanism for every schema, inside src/config or not:
 * wrap the field's schema, e.g. `secret(z.string().min(16, 'expected a secret of at least 16 characters'))`.
 */
export function secret<T extends z.ZodType>(schema: T): z.ZodType<z.output<T>, z.input<T>> {
  return z.unknown().transform((value, ctx): z.output<T> => {
    const r = schema.safeParse(value, { reportInput: true });
    if (r.success) return r.data;
    const hidden = new HiddenValue(value);
    for (const issue of r.error.issues) {
      // `input: undefined` keeps zod from attaching the value to the issue for reportInput callers.
      ctx.addIssue({ code: 'custom', path: issue.path, message: describeHiddenIssue(issue, hidden), input: undefined, params: { secret: true } });
    }
    return z.NEVER;
  }) as unknown as z.ZodType<z.output<T>, z.input<T>>;
}
