// The status of an intent as a pure function of its timestamps and the current time. No timer
// ever runs per intent: a read computes where the intent is now, so ten thousand open intents
// cost nothing between calls.
import type { AutoPlan } from './outcome.rules';

export type Phase =
  | 'requested'
  | 'processing'
  | 'awaiting_confirmation'
  | 'approved'
  | 'declined'
  | 'error'
  | 'undo_requested'
  | 'undone';

export type Result = 'approved' | 'declined' | 'error';

/** One terminal an intent was sent to. `autoTakeAt` is null when it will not take it on its own. */
export interface Candidate {
  readonly terminalId: string;
  autoTakeAt: number | null;
  processMs: number;
  dropped: boolean;
}

export interface TakeRecord {
  terminalId: string;
  at: number;
  /** When the terminal finishes on its own; null while it waits for a person. */
  autoCompleteAt: number | null;
}

export interface CompletionRecord {
  at: number;
  result: Result;
}

/** The person at a terminal cancelled the intent there (untaken, or taken by that terminal). */
export interface TerminalCancelRecord {
  terminalId: string;
  at: number;
}

export interface Timeline {
  readonly createdAt: number;
  readonly plan: AutoPlan;
  readonly slowMs: number;
  readonly undoMs: number;
  readonly needsConfirmation: boolean;
  readonly candidates: readonly Candidate[];
  readonly take: TakeRecord | null;
  readonly completion: CompletionRecord | null;
  readonly cancelAt: number | null;
  /** Undone on the terminal, with no cancel from the caller: final at once. */
  readonly terminalCancel: TerminalCancelRecord | null;
  readonly confirmedAt: number | null;
}

export interface PhaseState {
  phase: Phase;
  /** When the current phase began (the wire's `*_status_date`). */
  since: number;
  take: TakeRecord | null;
  completion: CompletionRecord | null;
}

export const FINAL_PHASES: readonly Phase[] = ['approved', 'declined', 'error', 'undone'];

/** Phases in which a terminal still has work to do on the intent. */
export function isOnTerminal(phase: Phase): boolean {
  return phase === 'requested' || phase === 'processing';
}

export function resultOfPlan(plan: AutoPlan): Result {
  if (plan === 'decline') return 'declined';
  if (plan === 'error') return 'error';
  return 'approved';
}

/** How long the card step lasts once a terminal has taken the intent on its own. */
export function processingMs(plan: AutoPlan, processMs: number, slowMs: number): number {
  return plan === 'slow' ? slowMs : processMs;
}

/**
 * Which broadcast terminal took the intent by `now` on its own: the earliest take time wins,
 * and a tie goes to the terminal listed first, so the answer never depends on luck.
 */
export function pickBroadcastTaker(candidates: readonly Candidate[], now: number): Candidate | null {
  let best: Candidate | null = null;
  for (const candidate of candidates) {
    if (candidate.dropped || candidate.autoTakeAt === null || candidate.autoTakeAt > now) continue;
    if (best === null || candidate.autoTakeAt < (best.autoTakeAt as number)) best = candidate;
  }
  return best;
}

/** The take in effect at `now`: a recorded one, else the broadcast winner, else none. */
export function effectiveTake(timeline: Timeline, now: number): TakeRecord | null {
  if (timeline.take !== null) return timeline.take.at <= now ? timeline.take : null;
  // A cancel is only accepted while nobody has taken the intent, so nobody takes it afterwards.
  let horizon = timeline.cancelAt === null ? now : Math.min(now, timeline.cancelAt);
  if (timeline.terminalCancel !== null) horizon = Math.min(horizon, timeline.terminalCancel.at);
  const winner = pickBroadcastTaker(timeline.candidates, horizon);
  if (winner === null || winner.autoTakeAt === null) return null;
  return {
    terminalId: winner.terminalId,
    at: winner.autoTakeAt,
    autoCompleteAt: winner.autoTakeAt + processingMs(timeline.plan, winner.processMs, timeline.slowMs),
  };
}

export function phaseAt(timeline: Timeline, now: number): PhaseState {
  const take = effectiveTake(timeline, now);
  // A terminal cancel is only accepted before the intent finished, so it wins over any later
  // automatic completion. The take (if any) stays: the wire still names the terminal.
  if (timeline.terminalCancel !== null && timeline.terminalCancel.at <= now) {
    return { phase: 'undone', since: timeline.terminalCancel.at, take, completion: null };
  }
  if (take === null) {
    if (timeline.cancelAt !== null) {
      const undoneAt = timeline.cancelAt + timeline.undoMs;
      return now >= undoneAt
        ? { phase: 'undone', since: undoneAt, take: null, completion: null }
        : { phase: 'undo_requested', since: timeline.cancelAt, take: null, completion: null };
    }
    return { phase: 'requested', since: timeline.createdAt, take: null, completion: null };
  }
  let completion: CompletionRecord | null = null;
  if (timeline.completion !== null && timeline.completion.at <= now) {
    completion = timeline.completion;
  } else if (timeline.completion === null && take.autoCompleteAt !== null && take.autoCompleteAt <= now) {
    completion = { at: take.autoCompleteAt, result: resultOfPlan(timeline.plan) };
  }
  if (completion === null) return { phase: 'processing', since: take.at, take, completion: null };
  if (completion.result === 'approved' && timeline.needsConfirmation) {
    return timeline.confirmedAt === null
      ? { phase: 'awaiting_confirmation', since: completion.at, take, completion }
      : { phase: 'approved', since: timeline.confirmedAt, take, completion };
  }
  return { phase: completion.result, since: completion.at, take, completion };
}
