// Filtering and paging for list/search endpoints. Lists are kept in creation order, so a date
// range is found by binary search and only a status filter has to look at each intent.
import type { ListFilter } from './wire-query';

interface Dated {
  readonly createdAt: number;
}

/** First index whose createdAt is >= at (list sorted by createdAt). */
export function lowerBound(list: readonly Dated[], at: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].createdAt < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose createdAt is > at (list sorted by createdAt). */
export function upperBound(list: readonly Dated[], at: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].createdAt <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export function selectPage<T extends Dated>(list: readonly T[], filter: ListFilter, statusOf: (item: T) => string): Page<T> {
  const from = filter.dateFrom === null ? 0 : lowerBound(list, filter.dateFrom);
  const to = filter.dateTo === null ? list.length : upperBound(list, filter.dateTo);
  const start = (filter.page - 1) * filter.pageSize;
  if (filter.statuses === null) {
    const total = Math.max(0, to - from);
    return { items: list.slice(from + Math.min(start, total), from + Math.min(start + filter.pageSize, total)), total };
  }
  const wanted = new Set(filter.statuses);
  const matching: T[] = [];
  for (let i = from; i < to; i += 1) if (wanted.has(statusOf(list[i]))) matching.push(list[i]);
  return { items: matching.slice(start, start + filter.pageSize), total: matching.length };
}
