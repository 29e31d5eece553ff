// Shared by the benches: the median, and photos per second through face engines in steady state.
import type { FaceEngine } from '../src/features/faces/types';

/** The lower middle value (NaN for none). */
export const median = (v: number[]): number => { const s = [...v].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN; };

/** Photos per second with `inFlight` photos outstanding at once, spread over the engines, in
 *  steady state: one round of the photos first, not counted (a worker just started, or a thread
 *  that has not yet seen a 1920 px photo, grows its onnxruntime arenas on its first photos). */
export async function throughput(engines: FaceEngine[], photos: Buffer[], inFlight: number, rounds: number): Promise<number> {
  const pass = async (queue: Buffer[]) => {
    let next = 0;
    await Promise.all(Array.from({ length: inFlight }, async (_, i) => {
      for (let p = queue.shift(); p; p = queue.shift()) await engines[(i + next++) % engines.length]!.analyse(p);
    }));
  };
  await pass([...photos]);
  const queue = Array.from({ length: rounds }, () => photos).flat();
  const n = queue.length;
  const t0 = performance.now();
  await pass(queue);
  return n / ((performance.now() - t0) / 1000);
}
