// Runs the homologation cases one after another through the public API, with the terminals'
// part played by the sandbox or by a person, shows one line per case as it ends, and writes the
// report. A case that breaks records why and the run goes on with the next one; the cases of a
// provider the merchant has no terminal of are reported skipped.
import { randomBytes } from 'node:crypto';
import { FINAL_STATUSES, OperationStatus, OperationType, OperationView, PagounoPayment, ProviderName } from '@app/contracts';
import { HOMOLOGATION_CASES, HomologationCase, Milestone, PROVIDER_LABEL, SplitCard, Step, terminalsNeeded } from './homologation.cases';
import {
  ApiError,
  DEFAULT_PAGOUNO_MERCHANTS,
  DEFAULT_TEST_CARDS,
  GatewayClient,
  PagounoTokenizer,
  PersonDesk,
  SandboxDesk,
  TerminalDesk,
  TestCard,
} from './homologation.client';
import { describeOutcome, evaluateCase, RecordedOperation } from './homologation.evaluate';
import { CaseResult, RunInfo, writeReport } from './homologation.report';

export interface HomologationOptions {
  gatewayUrl: string;
  /** The merchant's API key (Bearer). */
  apiKey: string;
  /** PayStore terminal ids registered to that merchant; the broadcast needs three. */
  terminals: string[];
  /** Klio SmartPos terminals (default: the merchant's, as `GET /v1/terminals` lists them). */
  klioTerminals?: string[];
  /** pagoUno accounts, pagoUno's "terminals" (default: the merchant's, as `GET /v1/terminals` lists them). */
  pagounoAccounts?: string[];
  /**
   * pagoUno's tokenization for the split cases, which the run calls as a buyer's device would,
   * the test cards and the merchant codes the purchases charge for. Default: the sandbox's
   * (`{sandboxUrl}/pagouno` and its public key), DEFAULT_TEST_CARDS, DEFAULT_PAGOUNO_MERCHANTS.
   */
  pagouno?: { baseUrl: string; publicKey: string; cards?: readonly TestCard[]; merchantCodes?: readonly string[] };
  /** Who acts on the terminals: the sandbox's control routes, or a person reading instructions. */
  terminalActions: 'sandbox' | 'person';
  /** Required with `terminalActions: 'sandbox'`. */
  sandboxUrl?: string;
  outDir: string;
  /** Default: every case. */
  cases?: readonly HomologationCase[];
  /** Default: progress lines on stdout. */
  log?: (line: string) => void;
  /** How long an operation may take to reach a milestone (default 60 s; 10 min with a person). */
  waitMs?: number;
  /** Between reads of an operation (default 200 ms; 1 s with a person). */
  pollMs?: number;
}

export interface HomologationRun {
  results: CaseResult[];
  /** No case failed (skipped ones do not count against it). */
  passed: boolean;
  csvPath: string;
  xlsxPath: string;
}

const FINAL: ReadonlySet<string> = FINAL_STATUSES;
const NOT_SENT: ReadonlySet<string> = new Set<OperationStatus>(['accepted', 'unknown']);
const TAKEN: ReadonlySet<string> = new Set<OperationStatus>(['in_progress', 'cancelling']);

export function reached(status: string, milestone: Milestone): boolean {
  if (FINAL.has(status)) return true;
  if (milestone === 'sent') return !NOT_SENT.has(status);
  if (milestone === 'taken') return TAKEN.has(status);
  return false;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How one case runs: its operations by name, modes to put back, notes. */
class CaseRun {
  readonly ops = new Map<string, OperationView>();
  readonly order: string[] = [];
  readonly restores: (() => Promise<void>)[] = [];
  readonly notes: string[] = [];

  constructor(
    readonly spec: HomologationCase,
    readonly keyPrefix: string,
  ) {}

  op(name: string): OperationView {
    const op = this.ops.get(name);
    if (!op) throw new Error(`step refers to ${name}, which no earlier step created`);
    return op;
  }

  keep(name: string, view: OperationView): void {
    if (!this.ops.has(name)) this.order.push(name);
    this.ops.set(name, view);
  }

  recorded(): RecordedOperation[] {
    return this.order.map((as) => ({ as, view: this.ops.get(as)! }));
  }
}

export class HomologationRunner {
  private readonly client: GatewayClient;
  private readonly desk: TerminalDesk;
  private readonly log: (line: string) => void;
  private readonly waitMs: number;
  private readonly pollMs: number;
  private readonly runTag = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  private readonly tokenizer: PagounoTokenizer | null;
  private readonly testCards: readonly TestCard[];
  private readonly merchantCodes: readonly string[];
  /** The terminals each provider's cases run on, settled at the start of the run. */
  private configured: Record<ProviderName, string[]> = { paystore: [], klio: [], pagouno: [] };

  constructor(private readonly options: HomologationOptions) {
    const person = options.terminalActions === 'person';
    this.log = options.log ?? ((line) => process.stdout.write(line + '\n'));
    this.client = new GatewayClient(options.gatewayUrl.replace(/\/+$/, ''), options.apiKey);
    if (person) {
      this.desk = new PersonDesk(this.log);
    } else {
      if (!options.sandboxUrl) throw new Error('terminalActions "sandbox" needs sandboxUrl');
      this.desk = new SandboxDesk(options.sandboxUrl.replace(/\/+$/, ''));
    }
    this.waitMs = options.waitMs ?? (person ? 600_000 : 60_000);
    this.pollMs = options.pollMs ?? (person ? 1000 : 200);
    const sandbox = options.sandboxUrl?.replace(/\/+$/, '');
    const pagouno = options.pagouno ?? (sandbox ? { baseUrl: `${sandbox}/pagouno`, publicKey: 'pagouno-sandbox-public-key' } : undefined);
    this.tokenizer = pagouno ? new PagounoTokenizer(pagouno.baseUrl.replace(/\/+$/, ''), pagouno.publicKey) : null;
    this.testCards = pagouno?.cards ?? DEFAULT_TEST_CARDS;
    this.merchantCodes = pagouno?.merchantCodes ?? DEFAULT_PAGOUNO_MERCHANTS;
  }

  /**
   * PayStore's terminals are the configured ones; Klio's and pagoUno's, when not given, the
   * merchant's own of that provider. A provider with fewer than its cases need is skipped, saying why.
   */
  private async settleTerminals(cases: readonly HomologationCase[]): Promise<Partial<Record<ProviderName, string>>> {
    const needed = terminalsNeeded(cases);
    const given: Record<ProviderName, string[] | undefined> = {
      paystore: this.options.terminals,
      klio: this.options.klioTerminals,
      pagouno: this.options.pagounoAccounts,
    };
    const discover = (Object.keys(given) as ProviderName[]).some((p) => needed[p] > 0 && given[p] === undefined);
    const registered = discover ? await this.client.terminals() : [];
    const skip: Partial<Record<ProviderName, string>> = {};
    for (const provider of Object.keys(given) as ProviderName[]) {
      const explicit = given[provider];
      const terminals = explicit ?? registered.filter((t) => t.provider === provider).map((t) => t.terminalId);
      this.configured[provider] = terminals;
      if (terminals.length >= needed[provider]) continue;
      const label = PROVIDER_LABEL[provider];
      skip[provider] =
        explicit === undefined && terminals.length === 0
          ? `the merchant has no ${label} ${provider === 'pagouno' ? 'account' : 'terminal'} registered (GET /v1/terminals lists none)`
          : `the ${label} cases need ${needed[provider]} terminals, ${terminals.length} configured (${terminals.join(', ') || 'none'})`;
    }
    return skip;
  }

  async run(): Promise<HomologationRun> {
    const cases = this.options.cases ?? HOMOLOGATION_CASES;
    const needed = terminalsNeeded(cases).paystore;
    if (this.options.terminals.length < needed) {
      throw new Error(`the cases need ${needed} terminals; ${this.options.terminals.length} configured (${this.options.terminals.join(', ')})`);
    }
    const startedAt = new Date().toISOString();
    const skip = await this.settleTerminals(cases);
    const onWhat = (Object.keys(this.configured) as ProviderName[])
      .filter((p) => cases.some((c) => c.provider === p))
      .map((p) => `${PROVIDER_LABEL[p]} ${this.configured[p].join(', ') || '(none)'}`);
    this.log(`Homologation: ${cases.length} cases against ${this.options.gatewayUrl}; terminals: ${onWhat.join('; ')}`);
    this.log(
      this.desk.kind === 'sandbox'
        ? `Terminal steps: the sandbox's control routes at ${this.options.sandboxUrl}`
        : 'Terminal steps: a person at the terminals; each instruction is printed below, then the run waits for it',
    );
    const results: CaseResult[] = [];
    for (const [i, spec] of cases.entries()) {
      const position = `${i + 1}/${cases.length}`.padStart(String(cases.length).length * 2 + 1);
      const reason = skip[spec.provider];
      results.push(reason === undefined ? await this.runCase(spec, position) : this.skipCase(spec, position, reason));
    }
    const info: RunInfo = {
      gatewayUrl: this.options.gatewayUrl,
      terminals: this.configured,
      terminalActions: this.desk.kind,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
    const { csv, xlsx } = await writeReport(this.options.outDir, results, info);
    const passedCount = results.filter((r) => r.passed).length;
    const skipped = results.filter((r) => r.skipped !== null);
    const failed = results.filter((r) => !r.passed && r.skipped === null);
    this.log(
      `${passedCount}/${results.length} cases passed` +
        (skipped.length ? `, ${skipped.length} skipped (${[...new Set(skipped.map((r) => PROVIDER_LABEL[r.provider]))].join(', ')})` : '') +
        (failed.length ? `; failed: ${failed.map((r) => r.id).join(', ')}` : ''),
    );
    this.log(`Report: ${csv}`);
    this.log(`        ${xlsx}`);
    return { results, passed: failed.length === 0, csvPath: csv, xlsxPath: xlsx };
  }

  /** A case of a provider the environment has no terminal of: a row that says so, nothing sent. */
  private skipCase(spec: HomologationCase, position: string, reason: string): CaseResult {
    const now = new Date().toISOString();
    this.log(`– ${position} ${spec.id.padEnd(26)} skipped: ${reason}`);
    return {
      id: spec.id,
      provider: spec.provider,
      title: spec.title,
      caso: spec.caso,
      expected: spec.expected,
      outcome: `skipped: ${reason}`,
      passed: false,
      skipped: reason,
      problems: [],
      notes: [],
      operations: [],
      startedAt: now,
      finishedAt: now,
      durationMs: 0,
    };
  }

  private async runCase(spec: HomologationCase, position: string): Promise<CaseResult> {
    const started = Date.now();
    const run = new CaseRun(spec, `hom-${this.runTag}-${spec.id}`);
    if (this.desk.kind === 'person') this.log(`  ${position} ${spec.id}: ${spec.title}`);
    let stepError: string | null = null;
    try {
      for (const [index, step] of spec.steps.entries()) await this.step(run, step, index);
    } catch (err) {
      stepError = err instanceof Error ? err.message : String(err);
    }
    await this.refresh(run);
    await this.cleanUp(run);
    const recorded = run.recorded();
    const verdict = evaluateCase(spec, recorded, stepError);
    const finished = Date.now();
    const result: CaseResult = {
      id: spec.id,
      provider: spec.provider,
      title: spec.title,
      caso: spec.caso,
      expected: spec.expected,
      outcome: describeOutcome(recorded),
      passed: verdict.passed,
      skipped: null,
      problems: verdict.problems,
      notes: run.notes,
      operations: recorded,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      durationMs: finished - started,
    };
    const ids = recorded.map((r) => `${r.as} ${r.view.id} → ${r.view.providerId ?? 'no provider id'}`).join(', ');
    this.log(
      `${result.passed ? '✓' : '✗'} ${position} ${spec.id.padEnd(26)} ${result.outcome.padEnd(36)} ${((finished - started) / 1000).toFixed(1).padStart(5)}s  ${ids}`,
    );
    if (!result.passed) for (const problem of result.problems) this.log(`      ${problem}`);
    return result;
  }

  private terminal(provider: ProviderName, index: number | undefined): string {
    return this.configured[provider][index ?? 0];
  }

  /** pagoUno's split as the API takes it: each test card tokenized now (tokens are single use). */
  private async split(cards: readonly SplitCard[]): Promise<PagounoPayment> {
    if (!this.tokenizer) throw new Error("pagoUno's tokenization is not configured (pagouno.baseUrl and publicKey), so no card can be tokenized");
    const out: PagounoPayment['cards'] = [];
    for (const { card, purchases } of cards) {
      const testCard = this.testCards[card];
      if (!testCard) throw new Error(`the case charges test card ${card + 1}; ${this.testCards.length} configured`);
      out.push({
        token: await this.tokenizer.tokenize(testCard),
        purchases: purchases.map((p) => {
          const merchantCode = this.merchantCodes[p.merchant];
          if (!merchantCode) throw new Error(`the case charges for merchant ${p.merchant + 1}; ${this.merchantCodes.length} merchant codes configured`);
          return { merchantCode, amount: p.amount, installments: p.installments ?? 1, plan: null, sellerDescriptor: p.sellerDescriptor };
        }),
      });
    }
    return { cards: out };
  }

  private async step(run: CaseRun, step: Step, index: number): Promise<void> {
    const key = `${run.keyPrefix}-${index}`;
    const reference = `hom-${run.spec.id}`.slice(0, 64);
    const description = `Homologación: ${run.spec.caso}`.slice(0, 100);
    const provider = run.spec.provider;
    const terminalIds = (picks: number[] | undefined) => (picks ?? [0]).map((i) => this.terminal(provider, i));
    switch (step.do) {
      case 'pay':
        run.keep(
          step.as,
          await this.client.command('/v1/payments', key, {
            terminalIds: terminalIds(step.terminals),
            amount: step.amount,
            currency: 'ARS',
            reference,
            description,
            ...(step.installments ? { installments: step.installments } : {}),
            ...(step.plan ? { plan: step.plan } : {}),
            ...(step.method ? { method: step.method } : {}),
            ...(step.split ? { pagouno: await this.split(step.split) } : {}),
            ...(this.desk.kind === 'person' ? { expiresInSeconds: 600 } : {}),
          }),
        );
        return;
      case 'payBatch': {
        const payments = await this.client.batch(key, {
          terminalId: this.terminal(provider, step.terminal),
          payments: step.amounts.map((amount) => ({
            amount,
            currency: 'ARS',
            reference,
            description,
            ...(this.desk.kind === 'person' ? { expiresInSeconds: 600 } : {}),
          })),
        });
        step.as.forEach((name, i) => run.keep(name, payments[i]!));
        return;
      }
      case 'reverse':
        run.keep(
          step.as,
          await this.client.command('/v1/reversals', key, {
            paymentId: run.op(step.payment).id,
            ...(step.amount !== undefined ? { amount: step.amount } : {}),
            reference,
            description,
          }),
        );
        return;
      case 'refund':
        run.keep(
          step.as,
          await this.client.command('/v1/refunds', key, { terminalIds: terminalIds(step.terminals), amount: step.amount, currency: 'ARS', reference, description }),
        );
        return;
      case 'settle':
        run.keep(step.as, await this.client.command('/v1/settlements', key, { terminalId: this.terminal(provider, step.terminal) }));
        return;
      case 'cancel': {
        const op = run.op(step.op);
        run.keep(step.op, await this.client.command(`${this.client.pathOf(op.type)}/${op.id}/cancel`, key));
        return;
      }
      case 'manual':
        run.restores.push(await this.desk.manual(step.terminals.map((i) => this.terminal(provider, i))));
        return;
      case 'terminal':
        await this.desk.act(this.terminal(provider, step.terminal), run.op(step.op), step.action, step.say);
        return;
      case 'await':
        run.keep(step.op, await this.awaitMilestone(run.op(step.op), step.until, this.waitMs));
        return;
    }
  }

  private async awaitMilestone(op: OperationView, until: Milestone, timeoutMs: number): Promise<OperationView> {
    const deadline = Date.now() + timeoutMs;
    let view = await this.client.get(op.type, op.id);
    while (!reached(view.status, until)) {
      if (Date.now() >= deadline) {
        throw new Error(`${op.type} ${op.id} was still ${view.status} after ${Math.round(timeoutMs / 1000)} s (waiting for it to be ${until})`);
      }
      await sleep(this.pollMs);
      view = await this.client.get(op.type, op.id);
    }
    return view;
  }

  /** Reads every operation once more: links (a payment's reversalId) change after its own step. */
  private async refresh(run: CaseRun): Promise<void> {
    for (const name of run.order) {
      const op = run.op(name);
      try {
        run.keep(name, await this.client.get(op.type, op.id));
      } catch {
        // keep the last view read
      }
    }
  }

  /** Leaves the terminals as found: modes back, and nothing of this case left waiting on them. */
  private async cleanUp(run: CaseRun): Promise<void> {
    for (const name of run.order) {
      const op = run.op(name);
      if (FINAL.has(op.status) || op.type === 'settlement') continue;
      try {
        await this.client.command(`${this.client.pathOf(op.type as OperationType)}/${op.id}/cancel`, `${run.keyPrefix}-cleanup-${name}`);
        run.notes.push(`${name} was left ${op.status}; the run cancelled it`);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
      }
    }
    for (const restore of run.restores.reverse()) {
      try {
        await restore();
      } catch (err) {
        run.notes.push(`could not put a terminal back in its mode: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}

/** Runs the homologation and writes its report; `passed` is false when any case failed. */
export function runHomologation(options: HomologationOptions): Promise<HomologationRun> {
  return new HomologationRunner(options).run();
}
