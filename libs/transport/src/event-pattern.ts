// Which handlers an event type reaches. A pattern is an event type (`payment.approved`) or has `*`
// segments, each standing for exactly one dot-separated segment (`payment.*`, `*.approved`).
// An event reaches its exact handler and every wildcard pattern it matches, in registration order.

export function isWildcard(pattern: string): boolean {
  return pattern.split('.').includes('*');
}

export function matchesPattern(pattern: string, type: string): boolean {
  const want = pattern.split('.');
  const got = type.split('.');
  return want.length === got.length && want.every((segment, i) => segment === '*' || segment === got[i]);
}

export function handlersFor<H>(handlers: ReadonlyMap<string, H>, type: string): H[] {
  const found: H[] = [];
  const exact = handlers.get(type);
  if (exact) found.push(exact);
  for (const [pattern, handler] of handlers) {
    if (pattern !== type && isWildcard(pattern) && matchesPattern(pattern, type)) found.push(handler);
  }
  return found;
}
