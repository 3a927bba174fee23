import { effectiveTake, phaseAt, pickBroadcastTaker, type Candidate, type Timeline } from './intent-timeline';

const T0 = 1_000_000;

function candidate(terminalId: string, autoTakeAt: number | null, processMs = 100): Candidate {
  return { terminalId, autoTakeAt, processMs, dropped: false };
}

function timeline(overrides: Partial<Timeline> = {}): Timeline {
  return {
    createdAt: T0,
    plan: 'approve',
    slowMs: 5_000,
    undoMs: 100,
    needsConfirmation: false,
    candidates: [candidate('38011128', T0 + 300)],
    take: null,
    completion: null,
    cancelAt: null,
    terminalCancel: null,
    confirmedAt: null,
    ...overrides,
  };
}

describe('pickBroadcastTaker', () => {
  it('picks the terminal with the earliest take time', () => {
    const winner = pickBroadcastTaker([candidate('A', T0 + 300), candidate('B', T0 + 100), candidate('C', T0 + 200)], T0 + 1_000);
    expect(winner?.terminalId).toBe('B');
  });

  it('breaks a tie by list order', () => {
    const winner = pickBroadcastTaker([candidate('A', T0 + 100), candidate('B', T0 + 100)], T0 + 1_000);
    expect(winner?.terminalId).toBe('A');
  });

  it('ignores terminals that have not reached their take time, never take, or dropped the intent', () => {
    const dropped = { ...candidate('D', T0 + 10), dropped: true };
    expect(pickBroadcastTaker([candidate('A', T0 + 500), candidate('B', null), dropped], T0 + 400)).toBeNull();
  });
});

describe('phaseAt', () => {
  it('walks requested → processing → approved by the clock alone', () => {
    const t = timeline();
    expect(phaseAt(t, T0 + 299).phase).toBe('requested');
    expect(phaseAt(t, T0 + 300)).toMatchObject({ phase: 'processing', since: T0 + 300, take: { terminalId: '38011128' } });
    expect(phaseAt(t, T0 + 400)).toMatchObject({ phase: 'approved', since: T0 + 400 });
  });

  it('ends declined or error by plan', () => {
    expect(phaseAt(timeline({ plan: 'decline' }), T0 + 1_000).phase).toBe('declined');
    expect(phaseAt(timeline({ plan: 'error' }), T0 + 1_000).phase).toBe('error');
  });

  it('stays processing for slowMs on the slow plan', () => {
    const t = timeline({ plan: 'slow' });
    expect(phaseAt(t, T0 + 300 + 4_999).phase).toBe('processing');
    expect(phaseAt(t, T0 + 300 + 5_000).phase).toBe('approved');
  });

  it('stays requested forever when no terminal takes it on its own', () => {
    expect(phaseAt(timeline({ candidates: [candidate('38011128', null)] }), T0 + 10_000_000).phase).toBe('requested');
  });

  it('shows a cancel as undo_requested, then undone after undoMs', () => {
    const t = timeline({ cancelAt: T0 + 200 });
    expect(phaseAt(t, T0 + 250)).toMatchObject({ phase: 'undo_requested', since: T0 + 200 });
    expect(phaseAt(t, T0 + 300)).toMatchObject({ phase: 'undone', since: T0 + 300 });
    // The terminal's take time passes after the cancel: it no longer takes the intent.
    expect(phaseAt(t, T0 + 10_000).phase).toBe('undone');
  });

  it('shows a cancel on the terminal as undone at once, before any terminal took it', () => {
    const t = timeline({ terminalCancel: { terminalId: '38011128', at: T0 + 200 } });
    expect(phaseAt(t, T0 + 199).phase).toBe('requested');
    expect(phaseAt(t, T0 + 200)).toMatchObject({ phase: 'undone', since: T0 + 200, take: null, completion: null });
    // The terminal's take time passes after the cancel: it no longer takes the intent.
    expect(phaseAt(t, T0 + 10_000)).toMatchObject({ phase: 'undone', take: null });
  });

  it('shows a cancel on the terminal that took the intent as undone, naming that terminal, however late the automatic completion was due', () => {
    const t = timeline({ terminalCancel: { terminalId: '38011128', at: T0 + 350 } });
    expect(phaseAt(t, T0 + 349).phase).toBe('processing');
    expect(phaseAt(t, T0 + 10_000)).toMatchObject({ phase: 'undone', since: T0 + 350, take: { terminalId: '38011128', at: T0 + 300 }, completion: null });
  });

  it('waits for a person when the take has no automatic completion', () => {
    const t = timeline({ candidates: [candidate('38011128', null)], take: { terminalId: '38011128', at: T0 + 50, autoCompleteAt: null } });
    expect(phaseAt(t, T0 + 1_000_000).phase).toBe('processing');
    const finished = { ...t, completion: { at: T0 + 2_000, result: 'declined' as const } };
    expect(phaseAt(finished, T0 + 1_999).phase).toBe('processing');
    expect(phaseAt(finished, T0 + 2_000)).toMatchObject({ phase: 'declined', since: T0 + 2_000 });
  });

  it('holds an approval in awaiting_confirmation until confirmed when confirmation is required', () => {
    const t = timeline({ needsConfirmation: true });
    expect(phaseAt(t, T0 + 1_000).phase).toBe('awaiting_confirmation');
    expect(phaseAt({ ...t, confirmedAt: T0 + 2_000 }, T0 + 2_500)).toMatchObject({ phase: 'approved', since: T0 + 2_000 });
  });

  it('never waits for confirmation on a decline', () => {
    expect(phaseAt(timeline({ needsConfirmation: true, plan: 'decline' }), T0 + 1_000).phase).toBe('declined');
  });
});

describe('effectiveTake', () => {
  it('computes the automatic completion from the winner\'s processing time', () => {
    const take = effectiveTake(timeline({ candidates: [candidate('A', T0 + 50, 70), candidate('B', T0 + 60, 10)] }), T0 + 100);
    expect(take).toEqual({ terminalId: 'A', at: T0 + 50, autoCompleteAt: T0 + 120 });
  });

  it('prefers a recorded take over the broadcast race', () => {
    const recorded = { terminalId: 'B', at: T0 + 10, autoCompleteAt: null };
    expect(effectiveTake(timeline({ take: recorded }), T0 + 1_000)).toBe(recorded);
  });
});
