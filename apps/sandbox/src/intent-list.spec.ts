import { lowerBound, selectPage, upperBound } from './intent-list';

const items = [10, 20, 20, 30, 40].map((createdAt, i) => ({ createdAt, id: `i${i}` }));
const noFilter = { ecrTransactionId: null, statuses: null, dateFrom: null, dateTo: null, page: 1, pageSize: 50 };

describe('selectPage', () => {
  it('bounds by date range inclusively', () => {
    const page = selectPage(items, { ...noFilter, dateFrom: 20, dateTo: 30 }, () => 'X');
    expect(page.items.map((i) => i.id)).toEqual(['i1', 'i2', 'i3']);
    expect(page.total).toBe(3);
  });

  it('pages from 1 and reports the total before paging', () => {
    const page = selectPage(items, { ...noFilter, page: 2, pageSize: 2 }, () => 'X');
    expect(page.items.map((i) => i.id)).toEqual(['i2', 'i3']);
    expect(page.total).toBe(5);
    expect(selectPage(items, { ...noFilter, page: 9, pageSize: 2 }, () => 'X').items).toEqual([]);
  });

  it('filters by status', () => {
    const page = selectPage(items, { ...noFilter, statuses: ['B'] }, (i) => (i.createdAt === 20 ? 'B' : 'A'));
    expect(page.items.map((i) => i.id)).toEqual(['i1', 'i2']);
    expect(page.total).toBe(2);
  });
});

describe('lowerBound/upperBound', () => {
  it('find the edges of equal timestamps', () => {
    expect(lowerBound(items, 20)).toBe(1);
    expect(upperBound(items, 20)).toBe(3);
    expect(lowerBound(items, 99)).toBe(5);
  });
});
