// What crosses Redis, read and checked: stream entries as XREADGROUP / XCLAIM answer them, the
// fields of one bus message, and the CloudEvent it carries. Nothing here trusts the wire: a reply
// of the wrong shape is an error, a message that does not parse is a value that says why.
import { CloudEvent, cloudEventSchema } from '@app/contracts';
import { z } from 'zod';

/** One stream entry as Redis answers it: its id and flat `[field, value, …]` (null when the entry was trimmed). */
const rawEntrySchema = z.tuple([z.string(), z.array(z.string()).nullable()]);
export type RawEntry = z.infer<typeof rawEntrySchema>;

const xreadgroupReplySchema = z.array(z.tuple([z.string(), z.array(rawEntrySchema)])).nullable();
const xautoclaimReplySchema = z.tuple([z.string(), z.array(rawEntrySchema.or(z.null())), z.array(z.string()).optional()]);

/** Entries of one stream from an XREADGROUP reply (empty when it timed out). */
export function entriesOfRead(reply: unknown, stream: string): RawEntry[] {
  const parsed = xreadgroupReplySchema.parse(reply);
  return parsed?.find(([key]) => key === stream)?.[1] ?? [];
}

/** Next cursor and the claimed entries of an XAUTOCLAIM reply (Redis 7 leaves trimmed ones out). */
export function entriesOfAutoclaim(reply: unknown): { cursor: string; entries: RawEntry[] } {
  const [cursor, entries] = xautoclaimReplySchema.parse(reply);
  return { cursor, entries: entries.filter((e): e is RawEntry => e !== null) };
}

export function fieldsOf(flat: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
  return fields;
}

export function flatten(fields: Readonly<Record<string, string>>): string[] {
  return Object.entries(fields).flat();
}

/** The fields every bus message carries; the relay adds `position`, `subject` and `merchantId`. */
const busFieldsSchema = z.object({
  type: z.string().min(1),
  id: z.string().min(1),
  event: z.string().min(1),
});

export interface BusMessage {
  type: string;
  event: CloudEvent;
}

export type ParsedMessage = { ok: true; message: BusMessage } | { ok: false; error: string };

/** Reads one message: the bus fields, the CloudEvent in `event`, and that both agree on id and type. */
export function parseBusMessage(fields: Readonly<Record<string, string>>): ParsedMessage {
  const bus = busFieldsSchema.safeParse(fields);
  if (!bus.success) return { ok: false, error: `malformed message: ${issuesOf(bus.error)}` };
  let json: unknown;
  try {
    json = JSON.parse(bus.data.event);
  } catch {
    return { ok: false, error: 'malformed message: event is not JSON' };
  }
  const event = cloudEventSchema.safeParse(json);
  if (!event.success) return { ok: false, error: `malformed message: event is not a CloudEvent (${issuesOf(event.error)})` };
  if (event.data.id !== bus.data.id) return { ok: false, error: `malformed message: id ${bus.data.id} but the event's id is ${event.data.id}` };
  if (event.data.type !== bus.data.type) {
    return { ok: false, error: `malformed message: type ${bus.data.type} but the event's type is ${event.data.type}` };
  }
  return { ok: true, message: { type: bus.data.type, event: event.data } };
}

function issuesOf(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Orders stream ids (`<ms>-<seq>`) numerically; they do not sort as text. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split('-');
  const [bm, bs] = b.split('-');
  const ms = BigInt(am) - BigInt(bm);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(as ?? '0') - BigInt(bs ?? '0');
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
}
