import type { BrowserContext, Page } from 'playwright-core';

type Patch = Record<string, unknown>;

/**
 * Lets a test send values the UI's own checks would stop: a script in every page of the
 * context rewrites the input of chosen API calls as the page's WebSocket sends them (a deep
 * merge of a patch), so the real server answers a real refusal. In the page itself, before
 * the socket, so nothing races the connection.
 */
export async function installTamper(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    type Rule = { patch: Record<string, unknown>; onlyIf?: string };
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
    const merge = (into: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> => {
      for (const [k, v] of Object.entries(patch)) into[k] = isObject(v) && isObject(into[k]) ? merge(into[k] as Record<string, unknown>, v) : v;
      return into;
    };
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data: string | ArrayBufferLike | Blob | ArrayBufferView) {
      const rules = (window as unknown as { __rfTamper?: Record<string, Rule> }).__rfTamper;
      if (typeof data === 'string' && rules) {
        const env = JSON.parse(data) as { call?: string; input?: unknown };
        const rule = env.call ? rules[env.call] : undefined;
        const input = isObject(env.input) ? env.input : {};
        if (rule && (!rule.onlyIf || rule.onlyIf in input)) data = JSON.stringify({ ...env, input: merge(input, rule.patch) });
      }
      return send.call(this, data);
    };
  });
}

/** From now on, `call`'s input is merged with `patch` (only when it has `onlyIf`, if given). */
export async function tamper(page: Page, call: string, patch: Patch, onlyIf?: string): Promise<void> {
  await page.evaluate(
    ([c, p, o]) => {
      const w = window as unknown as { __rfTamper?: Record<string, unknown> };
      (w.__rfTamper ??= {})[c as string] = { patch: p, ...(o ? { onlyIf: o } : {}) };
    },
    [call, patch, onlyIf ?? null] as const,
  );
}

/** Stops rewriting `call`. */
export async function untamper(page: Page, call: string): Promise<void> {
  await page.evaluate((c) => {
    delete (window as unknown as { __rfTamper?: Record<string, unknown> }).__rfTamper?.[c];
  }, call);
}
