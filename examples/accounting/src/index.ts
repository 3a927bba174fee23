// The accounting example's surface, for its tests and for anyone embedding it.
export * from './accounting.app';
export * from './journal.service';
export * from './journal.entities';
export * from './journal-entry.mapper';
export * from './journal.schema';
