/**
 * Model-based tests of the synchronizer: random sequences of steps drive the facade (with
 * gates and waits bound to it) and the reference model; after every step the pending set,
 * statistics, gate outputs and wait results must agree, and the safety and liveness
 * invariants must hold. fast-check prints the seed and the shrunk step list on failure.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../properties/runs.js";
import { checkAgreement, checkInvariants, StepCommand, type ModelBox } from "./commands.js";
import { ReferenceModel } from "./referenceModel.js";
import { drainFully, RealSystem } from "./realSystem.js";
import { MAX_TIMEOUT, stepArbitrary, TIMEOUTS } from "./steps.js";

const deep = process.env["ORION_SYNC_DEEP"] !== undefined;
/** No time limit for `npm run test:deep` (a million runs); the default one otherwise. */
const timeLimit = deep ? 24 * 60 * 60 * 1000 : undefined;

function property(withDispose: boolean) {
  return fc.asyncProperty(
    fc.constantFrom(...TIMEOUTS),
    fc.commands([stepArbitrary(withDispose).map((step) => new StepCommand(step))], {
      maxCommands: 30,
      size: "max",
    }),
    async (timeout, commands) => {
      const box: ModelBox = { model: new ReferenceModel(timeout), nextValue: 0 };
      const real = new RealSystem(timeout);
      try {
        await fc.asyncModelRun(() => ({ model: box, real }), commands);
        // Every promise callback has run: nothing settles later than the model says.
        await drainFully();
        checkAgreement(box, real);
        // Quiet periods as long as any timeout: everything pending ends, every gate
        // releases (the newest of) what it holds, every wait settles. A released value may
        // make a new modification pending (a reacting subscriber), once per gate it leaves,
        // and the other gates then hold it until that one times out: at most one round per
        // value and gate.
        const rounds = (box.nextValue + 1) * (box.model.gates.length + 1);
        for (let round = 0; round < rounds; round++) {
          box.model.advance(MAX_TIMEOUT);
          await real.advance(MAX_TIMEOUT);
          await drainFully();
          checkAgreement(box, real);
          checkInvariants(real);
          if (real.sync.getPendingCount() === 0) break;
        }
        if (!real.disposed) expect(real.sync.getPendingCount()).toBe(0);
        for (const w of real.waits) expect(w.result).not.toBe("unsettled");
      } finally {
        real.close();
      }
    },
  );
}

describe("the synchronizer against its reference model", () => {
  it(
    `agrees after every step of events, ready values, gates, waits, clears and time (${runs(6000).toLocaleString("en-US")} runs)`,
    async () => {
      await fc.assert(property(false), { numRuns: runs(6000) });
    },
    timeLimit,
  );

  it(
    `agrees with connections and dispose in the mix too (${runs(4000).toLocaleString("en-US")} runs)`,
    async () => {
      await fc.assert(property(true), { numRuns: runs(4000) });
    },
    timeLimit,
  );
});
