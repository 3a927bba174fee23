import { createTestDatabase, operationFixture, TestDatabase } from '@app/testing';
import { OperationEntity, OperationsRepository, OutboxEventEntity } from '@app/persistence';
import { newId } from '@app/common';

describe('OperationsRepository on Postgres', () => {
  let db: TestDatabase;
  let repo: OperationsRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    repo = new OperationsRepository(db.dataSource);
    await db.dataSource.query(`INSERT INTO merchants (id, name, cuit) VALUES ('mer_1', 'Kiosco', '30-71234567-8')`);
  });
  afterAll(async () => db.drop());

  async function newPayment(extra: Partial<OperationEntity> = {}): Promise<OperationEntity> {
    const op = operationFixture({ id: newId('pay'), request: { installments: 1 }, expiresAt: new Date(Date.now() + 120_000), ...extra });
    return db.dataSource.transaction((m) => repo.insert(m, op));
  }

  async function eventsOf(id: string): Promise<string[]> {
    const rows = await db.dataSource.getRepository(OutboxEventEntity).find({ where: { subject: id }, order: { seq: 'ASC' } });
    return rows.map((r) => r.type);
  }

  it('writes the first event with the new operation', async () => {
    const op = await newPayment();
    expect(await eventsOf(op.id)).toEqual(['payment.accepted']);
    expect((await repo.findById(op.id))?.amount).toBe(150000);
  });

  it('writes one event per status change, in order, and none for a patch alone', async () => {
    const op = await newPayment();
    await repo.transition(op.id, 'pending', { providerId: 'p-1' });
    await repo.transition(op.id, 'pending', { terminalId: '38011128' });
    const done = await repo.transition(op.id, 'approved', { result: { authorizationCode: 'A1B2C3' } });
    expect(done.kind).toBe('changed');
    expect(done.operation.finalAt).toBeInstanceOf(Date);
    expect(await eventsOf(op.id)).toEqual(['payment.accepted', 'payment.pending', 'payment.approved']);
  });

  it('refuses a transition the state machine forbids, and writes nothing', async () => {
    const op = await newPayment();
    await repo.transition(op.id, 'rejected');
    const again = await repo.transition(op.id, 'approved');
    expect(again.kind).toBe('refused');
    expect(again.operation.status).toBe('rejected');
    expect(await eventsOf(op.id)).toEqual(['payment.accepted', 'payment.rejected']);
  });

  it('refuses when the row is no longer in an expected status', async () => {
    const op = await newPayment();
    await repo.transition(op.id, 'cancelling', { cancelReason: 'requested' });
    const res = await repo.transition(op.id, 'pending', {}, ['accepted']);
    expect(res.kind).toBe('refused');
  });

  it('serialises concurrent transitions: exactly one final status wins', async () => {
    const op = await newPayment();
    const results = await Promise.all([
      repo.transition(op.id, 'approved'),
      repo.transition(op.id, 'cancelled'),
      repo.transition(op.id, 'expired'),
    ]);
    expect(results.filter((r) => r.kind === 'changed')).toHaveLength(1);
    expect((await eventsOf(op.id)).filter((t) => t !== 'payment.accepted')).toHaveLength(1);
  });

  describe('batches', () => {
    async function batchOf(n: number): Promise<{ id: string; ops: OperationEntity[] }> {
      const id = newId('bat');
      const ops: OperationEntity[] = [];
      // Inserted in reverse, so batch order is not insertion order.
      for (let order = n; order >= 1; order--) ops.unshift(await newPayment({ request: { installments: 1, batch: { id, order, size: n } } }));
      return { id, ops };
    }

    it('reads a batch in execution order', async () => {
      const batch = await batchOf(3);
      expect((await repo.batchMembers(batch.id)).map((op) => op.request.batch?.order)).toEqual([1, 2, 3]);
      expect(await repo.batchMembers('bat_none')).toEqual([]);
    });

    it('claims only members still to be sent, and marks them sent before answering', async () => {
      const batch = await batchOf(6);
      const [sent, cancelling, expired, notTaken, backingOff, due] = batch.ops as OperationEntity[] as [
        OperationEntity,
        OperationEntity,
        OperationEntity,
        OperationEntity,
        OperationEntity,
        OperationEntity,
      ];
      const later = new Date(Date.now() + 60_000).toISOString();
      await repo.transition(sent.id, 'accepted', { submittedAt: new Date() });
      await repo.transition(cancelling.id, 'cancelling', { cancelReason: 'requested' });
      await repo.transition(expired.id, 'accepted', { expiresAt: new Date(Date.now() - 1000) });
      await repo.transition(notTaken.id, 'accepted', { submittedAt: new Date(), result: { createNotApplied: true, retryAt: new Date(Date.now() - 1).toISOString() } });
      await repo.transition(backingOff.id, 'accepted', { submittedAt: new Date(), result: { createNotApplied: true, retryAt: later } });

      // A job whose own member is not due claims nothing, not even the others.
      for (const requester of [sent, cancelling, expired, backingOff]) expect(await repo.claimBatch(batch.id, new Date(), requester.id)).toEqual([]);

      const now = new Date();
      const claimed = await repo.claimBatch(batch.id, now, due.id);
      expect(claimed.map((op) => op.id)).toEqual([notTaken.id, due.id]);
      for (const op of [notTaken, due]) {
        const stored = await repo.findById(op.id);
        expect(stored?.submittedAt?.getTime()).toBe(now.getTime());
        expect(stored?.result.createNotApplied).toBe(false);
      }
      // Nothing left to send: a second claim gets nothing.
      expect(await repo.claimBatch(batch.id, new Date(), due.id)).toEqual([]);
    });

    it('hands the batch whole to exactly one of several concurrent claims', async () => {
      const batch = await batchOf(4);
      const claims = await Promise.all(batch.ops.flatMap((op) => [op, op]).map((op) => repo.claimBatch(batch.id, new Date(), op.id)));
      const ids = claims.flat().map((op) => op.id);
      expect(ids.sort()).toEqual(batch.ops.map((op) => op.id).sort());
      expect(claims.filter((c) => c.length > 0)).toHaveLength(1);
    });

    it('gives claimed members back together, only those still accepted and marked sent', async () => {
      const batch = await batchOf(3);
      const [first, second, third] = batch.ops as [OperationEntity, OperationEntity, OperationEntity];
      await repo.claimBatch(batch.id, new Date(), first.id);
      await repo.transition(third.id, 'pending', { providerId: 't-3' });
      const retryAt = new Date(Date.now() + 5000).toISOString();
      await repo.releaseBatch([first.id, second.id, third.id], (op) => ({ ...op.result, createNotApplied: true, createAttempts: 1, retryAt }));
      for (const op of [first, second]) expect((await repo.findById(op.id))?.result).toMatchObject({ createNotApplied: true, createAttempts: 1, retryAt });
      expect((await repo.findById(third.id))?.result.createNotApplied).toBe(false);
    });
  });
});
