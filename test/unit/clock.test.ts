import { preciseClock } from '../../src/tracing/jaeger/clock.js';

describe('preciseClock', () => {
  it('keeps the monotonic clock’s fraction of a millisecond, on the wall clock’s epoch', () => {
    let wall = 1_700_000_000_000;
    let monotonic = 5_000.25;
    const now = preciseClock(
      () => wall,
      () => monotonic,
    );
    monotonic += 0.3125;
    wall += 0; // Date.now() has not ticked yet
    expect(now()).toBe(1_700_000_000_000.3125);
  });

  it('re-anchors to the wall clock after a minute, so drift cannot build up', () => {
    let wall = 1_700_000_000_000;
    let monotonic = 0;
    const now = preciseClock(
      () => wall,
      () => monotonic,
    );
    monotonic += 61_000;
    wall += 61_000 + 250; // the wall clock was stepped (NTP) by 250 ms meanwhile
    expect(now()).toBe(wall);
    monotonic += 10;
    expect(now()).toBe(wall + 10); // and it counts on from there
  });

  it('is the real clock by default', () => {
    const now = preciseClock();
    expect(Math.abs(now() - Date.now())).toBeLessThan(50);
  });
});
