// Query-string rules of the provider: `cuit_cuil` on every call, `subnet_acquirer_id` where the
// notes put it, one value per parameter, and the list filters.
import { badRequest } from './provider-error';
import { normalizeCuit } from './sandbox.options';

export type Query = Record<string, unknown>;

export function asQuery(raw: unknown): Query {
  return raw !== null && typeof raw === 'object' ? (raw as Query) : {};
}

export function optionalParam(query: Query, name: string): string | null {
  const value = query[name];
  if (value === undefined) return null;
  if (typeof value !== 'string') throw badRequest(`${name} must be given once`);
  return value;
}

export function requiredParam(query: Query, name: string): string {
  const value = optionalParam(query, name);
  if (value === null || value.trim() === '') throw badRequest(`${name} is required`);
  return value;
}

export function requireCuit(query: Query): string {
  const cuit = normalizeCuit(requiredParam(query, 'cuit_cuil'));
  if (cuit === null) throw badRequest('cuit_cuil must be a CUIT/CUIL like 30-71234567-8');
  return cuit;
}

export function requireSubnet(query: Query): string {
  const subnet = requiredParam(query, 'subnet_acquirer_id');
  if (!/^\d{1,3}$/.test(subnet)) throw badRequest('subnet_acquirer_id must be a string of digits');
  return subnet;
}

export function parseDate(name: string, value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw badRequest(`${name} must be an ISO-8601 date`);
  return at;
}

export interface ListFilter {
  ecrTransactionId: string | null;
  statuses: readonly string[] | null;
  dateFrom: number | null;
  dateTo: number | null;
  page: number;
  pageSize: number;
}

function pageNumber(name: string, raw: string | null, fallback: number, max: number): number {
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw badRequest(`${name} must be a whole number from 1 to ${max}`);
  return Number(raw);
}

/** Statuses given as `status=A,B` or `status=A&status=B`, each checked against the kind's enum. */
export function parseStatuses(name: string, raw: unknown, allowed: readonly string[]): string[] | null {
  if (raw === undefined || raw === null) return null;
  const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((value) => {
    if (typeof value !== 'string') throw badRequest(`${name} must be a status or a list of statuses`);
    return value.split(',');
  });
  const statuses = parts.map((part) => part.trim()).filter((part) => part !== '');
  for (const status of statuses) {
    if (!allowed.includes(status)) throw badRequest(`${name} "${status}" is not one of ${allowed.join(', ')}`);
  }
  return statuses.length === 0 ? null : statuses;
}

export function listFilterFromQuery(query: Query, allowedStatuses: readonly string[]): ListFilter {
  return {
    ecrTransactionId: optionalParam(query, 'ecr_transaction_id'),
    statuses: parseStatuses('status', query.status, allowedStatuses),
    dateFrom: parseDate('date_from', optionalParam(query, 'date_from')),
    dateTo: parseDate('date_to', optionalParam(query, 'date_to')),
    page: pageNumber('page', optionalParam(query, 'page'), 1, 1_000_000),
    pageSize: pageNumber('page_size', optionalParam(query, 'page_size'), 50, 200),
  };
}
