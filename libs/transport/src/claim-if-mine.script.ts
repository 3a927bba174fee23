// One atomic step over messages this consumer believes it holds. For each id still pending at this
// consumer (not taken over meanwhile):
//   heartbeat: reset its idle time, so nobody takes it over (no delivery is counted);
//   deliver:   deliver it to this consumer again, for a retry (counted);
//   release:   make it look idle for `idleMs`, so the group's live consumers take it over at their
//              next look (on a graceful close, for what was read and not handled).
// Ids another consumer has taken, or that are no longer pending, are left alone and left out of the answer.
import type Redis from 'ioredis';
import { z } from 'zod';
import { fieldsOf } from './stream-entry';

const SCRIPT = `
local out = {}
for i = 5, #ARGV do
  local id = ARGV[i]
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
  if #p == 1 and p[1][2] == ARGV[2] then
    if ARGV[3] == 'heartbeat' then
      redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, id, 'JUSTID')
      table.insert(out, {id, p[1][4]})
    elseif ARGV[3] == 'release' then
      redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, id, 'IDLE', ARGV[4], 'JUSTID')
      table.insert(out, {id, p[1][4]})
    else
      local c = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, id)
      if #c == 1 and c[1][2] then table.insert(out, {id, p[1][4] + 1, c[1][2]}) end
    end
  end
end
return out
`;

const replySchema = z.array(z.tuple([z.string(), z.number().int()]).or(z.tuple([z.string(), z.number().int(), z.array(z.string())])));

export interface StillMine {
  id: string;
  deliveryCount: number;
  /** With `deliver`: the entry's fields. */
  fields?: Record<string, string>;
}

export async function claimIfMine(
  redis: Redis,
  target: { stream: string; group: string; consumer: string },
  mode: 'heartbeat' | 'deliver' | 'release',
  ids: readonly string[],
  idleMs = 0,
): Promise<StillMine[]> {
  if (ids.length === 0) return [];
  const reply: unknown = await redis.eval(SCRIPT, 1, target.stream, target.group, target.consumer, mode, idleMs, ...ids);
  return replySchema.parse(reply).map(([id, deliveryCount, flat]) => ({ id, deliveryCount, ...(flat ? { fields: fieldsOf(flat) } : {}) }));
}
