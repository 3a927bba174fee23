// How the jobs of a Klio payment batch share one request, interleaving by interleaving, on real
// Postgres: the real lifecycle and Klio adapter, with a scripted Klio client in place of the wire
// (the sandbox cannot stop a job between two statements). Every case asks one question: was any
// payment sent twice, sent after it ended, or left with nobody to send it?
import { newId } from '@app/common';
import { OperationEntity, OperationsRepository } from '@app/persistence';
import { createTestDatabase, operationFixture, TestDatabase } from '@app/testing';
import { Logger } from '@app/common';
import { IntentLifecycle, Step } from '@app/workers';
import { KlioAdapter, KlioTasksApi } from '@app/klio-client';
import { errorFromResponse } from '../../libs/klio-client/src/klio.errors';
import type { KlioTask, KlioTasksRequest } from '../../libs/klio-client/src/klio.wire';

const POLL_MS = 1000;
const WINDOW_MS = 120_000;

const silent = { warn() {}, info() {}, debug() {}, error() {}, child: () => silent } as unknown as Logger;

/** Klio as far as the adapter asks: records every request; `fail` makes the next ones fail. */
class ScriptedKlio {
  readonly requests: { originID: string; executionOrder: number | null | undefined }[][] = [];
  readonly tasks: KlioTask[] = [];
  fail: unknown = null;
  private seq = 1;

  async submitTasks(req: KlioTasksRequest): Promise<KlioTask[]> {
    this.requests.push(req.tasks.map((t) => ({ originID: t.payment.originID, executionOrder: t.payment.executionOrder })));
    if (this.fail) throw this.fail;
    const created = req.tasks.map(
      (t) => ({ taskId: String(this.seq++), originID: t.payment.originID, generationDate: '2026-11-29T10:00:00', status: 'Created', statusDate: '2026-11-29T10:00:00', paymentaData: null }) as KlioTask,
    );
    this.tasks.push(...created);
    return created;
  }
  async submitTask(): Promise<KlioTask> {
    throw new Error('a batch member was sent alone');
  }
  async getTask(id: string | number): Promise<KlioTask> {
    const task = this.tasks.find((t) => String(t.taskId) === String(id));
    if (!task) throw errorFromResponse('task.get', 404, {});
    return task;
  }
  async findTaskByOriginId(originID: string): Promise<KlioTask | null> {
    return this.tasks.filter((t) => t.originID === originID).at(-1) ?? null;
  }
  async cancelTask(): Promise<KlioTask> {
    throw new Error('not used');
  }
  async listDevices() {
    return [];
  }
  breakerStates() {
    return {};
  }
  shutdown() {}

  /** How many tasks carry each originID (more than one would be a second charge). */
  sentCount(id: string): number {
    return this.tasks.filter((t) => t.originID === id).length;
  }
}

describe('Klio payment batches: the jobs of one batch', () => {
  let db: TestDatabase;
  let repo: OperationsRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    repo = new OperationsRepository(db.dataSource);
    await db.dataSource.query(`INSERT INTO merchants (id, name, cuit) VALUES ('mer_1', 'Kiosco', '30-71234567-8')`);
  });
  afterAll(async () => db.drop());

  async function batch(expiresAt: number[]): Promise<{ id: string; ops: OperationEntity[] }> {
    const id = newId('bat');
    const ops: OperationEntity[] = [];
    for (const [i, at] of expiresAt.entries()) {
      const op = operationFixture({
        id: newId('pay'),
        provider: 'klio',
        terminalIds: ['klio-1'],
        amount: 100_000 * (i + 1),
        request: { installments: 1, klio: { deviceId: 'DEV-1' }, batch: { id, order: i + 1, size: expiresAt.length } },
        expiresAt: new Date(at),
      });
      ops.push(await db.dataSource.transaction((m) => repo.insert(m, op)));
    }
    return { id, ops };
  }

  const lifecycle = (now: () => number, r: OperationsRepository = repo) =>
    new IntentLifecycle(r, { pollMs: POLL_MS, unknownWindowMs: WINDOW_MS, breakerWaitMs: 5000, createMaxAttempts: 5, now }, silent);
  const portOf = (klio: ScriptedKlio) => new KlioAdapter(klio as unknown as KlioTasksApi).payment();
  const statuses = async (ops: OperationEntity[]) => Promise.all(ops.map(async (op) => (await repo.findById(op.id))!.status));
  /** One step of a member's job, from its row as stored now. */
  const step = async (life: IntentLifecycle, klio: ScriptedKlio, op: OperationEntity): Promise<Step> => life.step((await repo.findById(op.id))!, '', portOf(klio));

  it('sends the others when the first job to run belongs to a member already past its deadline', async () => {
    const t = Date.now();
    const { ops } = await batch([t - 1000, t + 600_000, t + 600_000]);
    const klio = new ScriptedKlio();
    const life = lifecycle(() => Date.now());

    expect(await step(life, klio, ops[0]!)).toEqual({ kind: 'done' });
    expect(klio.requests).toEqual([]);
    await step(life, klio, ops[1]!);
    expect(klio.requests).toEqual([
      [
        { originID: ops[1]!.id, executionOrder: 1 },
        { originID: ops[2]!.id, executionOrder: 2 },
      ],
    ]);
    await step(life, klio, ops[2]!);
    expect(await statuses(ops)).toEqual(['expired', 'pending', 'pending']);
  });

  it('sends the others when the register cancels a member between its job reading it and claiming', async () => {
    const { ops } = await batch([Date.now() + 600_000, Date.now() + 600_000, Date.now() + 600_000]);
    const klio = new ScriptedKlio();
    const life = lifecycle(() => Date.now());
    const read = (await repo.findById(ops[0]!.id))!;
    await repo.transition(ops[0]!.id, 'cancelling', { cancelReason: 'requested' }, ['accepted'], async () => undefined);

    await life.step(read, '', portOf(klio));
    expect(klio.requests).toEqual([]);
    await step(life, klio, ops[0]!);
    await step(life, klio, ops[1]!);
    expect(klio.requests.map((r) => r.map((t) => t.originID))).toEqual([[ops[1]!.id, ops[2]!.id]]);
    expect(await statuses(ops)).toEqual(['cancelled', 'pending', 'pending']);
  });

  it('never expires a member that another job has just claimed for its request', async () => {
    const deadline = Date.now() + 60_000;
    const { id, ops } = await batch([deadline, deadline]);
    const klio = new ScriptedKlio();
    // Job B (the second member's) read its row before job A, whose clock is a little behind, claimed it.
    const before = (await repo.findById(ops[1]!.id))!;
    const staleRepo = Object.create(repo) as OperationsRepository;
    staleRepo.findById = async (opId: string) => (opId === before.id ? before : repo.findById(opId));
    const claimedByA = await repo.claimBatch(id, new Date(deadline - 1), ops[0]!.id);
    expect(claimedByA.map((op) => op.id)).toEqual([ops[0]!.id, ops[1]!.id]);

    const stepB = await lifecycle(() => deadline + 1, staleRepo).step(before, '', portOf(klio));
    expect(stepB.kind).toBe('wait');
    expect(await statuses(ops)).toEqual(['accepted', 'accepted']);

    // A's request goes out and its answer is recorded: the member is the device's, not expired.
    const answers = await portOf(klio).createBatch!('', claimedByA);
    expect(answers.every((a) => a !== null)).toBe(true);
    await step(lifecycle(() => deadline + 2), klio, ops[1]!);
    expect((await repo.findById(ops[1]!.id))!.status).toBe('pending');
    expect(klio.sentCount(ops[1]!.id)).toBe(1);
  });

  it('after a 503 waits out the backoff for the whole batch, then sends it again whole, once', async () => {
    const { ops } = await batch([Date.now() + 600_000, Date.now() + 600_000, Date.now() + 600_000]);
    const klio = new ScriptedKlio();
    klio.fail = errorFromResponse('task.submit', 503, {});
    let now = Date.now();
    const life = lifecycle(() => now);

    const first = await step(life, klio, ops[0]!);
    expect(first.kind).toBe('wait');
    const rows = await Promise.all(ops.map(async (op) => (await repo.findById(op.id))!));
    expect(rows.map((r) => [r.status, r.result.createNotApplied, r.result.createAttempts])).toEqual([
      ['accepted', true, 1],
      ['accepted', true, 1],
      ['accepted', true, 1],
    ]);
    const retryAt = rows[0]!.result.retryAt!;
    expect(rows.every((r) => r.result.retryAt === retryAt)).toBe(true);

    // The other members' jobs, polling before the backoff ends, send nothing.
    for (const op of ops.slice(1)) {
      const s = await step(life, klio, op);
      expect(s.kind).toBe('wait');
    }
    expect(klio.requests).toHaveLength(1);

    klio.fail = null;
    now = Date.parse(retryAt) + 1;
    await step(life, klio, ops[2]!);
    expect(klio.requests.map((r) => r.map((t) => t.originID))).toEqual([ops.map((op) => op.id), ops.map((op) => op.id)]);
    for (const op of ops) await step(life, klio, op);
    expect(await statuses(ops)).toEqual(['pending', 'pending', 'pending']);
    for (const op of ops) expect(klio.sentCount(op.id)).toBe(1);
  });

  it('looks every member up after a conflict instead of failing the batch', async () => {
    const { ops } = await batch([Date.now() + 600_000, Date.now() + 600_000]);
    const klio = new ScriptedKlio();
    klio.fail = errorFromResponse('task.submit', 409, { code: 'DUPLICATE_ORIGIN_ID', message: 'originID was already used' });
    const life = lifecycle(() => Date.now());
    await step(life, klio, ops[0]!);
    expect(await statuses(ops)).toEqual(['unknown', 'unknown']);
    expect(klio.requests).toHaveLength(1);
  });

  it('fails every member of a request refused for good, and sends none of them again', async () => {
    const { ops } = await batch([Date.now() + 600_000, Date.now() + 600_000]);
    const klio = new ScriptedKlio();
    klio.fail = errorFromResponse('task.submit', 400, { code: 'VALIDATION_ERROR', message: 'bad task' });
    const life = lifecycle(() => Date.now());
    await step(life, klio, ops[1]!);
    await step(life, klio, ops[0]!);
    expect(await statuses(ops)).toEqual(['failed', 'failed']);
    expect(klio.requests).toHaveLength(1);
  });

  it("keeps a register's cancel that lands between a poll's read and its write", async () => {
    const { ops } = await batch([Date.now() + 600_000]);
    const klio = new ScriptedKlio();
    const life = lifecycle(() => Date.now());
    await step(life, klio, ops[0]!);
    expect((await repo.findById(ops[0]!.id))!.status).toBe('pending');

    // The job reads the payment pending; the register cancels; the device has taken the task.
    const read = (await repo.findById(ops[0]!.id))!;
    await repo.transition(read.id, 'cancelling', { cancelReason: 'requested' }, ['pending'], async () => undefined);
    (klio.tasks[0] as { status: string }).status = 'InProgress';
    await life.step(read, '', portOf(klio));
    expect((await repo.findById(read.id))!.status).toBe('cancelling');
  });
});
