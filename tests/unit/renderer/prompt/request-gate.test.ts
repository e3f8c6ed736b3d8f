import { describe, expect, it } from 'vitest';
import { RequestGate } from '../../../../renderer/src/lib/prompt/request-gate.js';

describe('RequestGate', () => {
  it('lets only the newest request apply its reply, whatever order the replies arrive in', async () => {
    const gate = new RequestGate();
    const applied: string[] = [];
    const request = (name: string, reply: Promise<void>) => {
      const id = gate.next();
      return reply.then(() => {
        if (gate.isCurrent(id)) applied.push(name);
      });
    };
    let finishSlow!: () => void;
    const slow = request('slow early', new Promise<void>((r) => (finishSlow = r)));
    const fast = request('fast late', Promise.resolve());
    await fast;
    finishSlow();
    await slow;
    expect(applied).toEqual(['fast late']);
  });

  it('cancel makes every outstanding request stale', () => {
    const gate = new RequestGate();
    const id = gate.next();
    gate.cancel();
    expect(gate.isCurrent(id)).toBe(false);
    expect(gate.isCurrent(gate.next())).toBe(true);
  });
});
