import { describe, expect, it } from "vitest";
import type { QuotaPlan } from "../ipc/bindings";
import { formatShare, planVerdict } from "./QuotaPlanModal";

const totals = {
  reads: 0,
  writes: 872,
  writesIfChanging: 1780,
  deletes: 0,
  lists: 98,
  readsShare: 0,
  writesShare: 0.872,
  writesIfChangingShare: 1.78,
  deletesShare: 0,
  listsShare: 0.098,
  over: [] as string[],
  mayExceed: false,
};

describe("quota plan", () => {
  it("says a plan is within its limits with the writes' share", () => {
    const plan = { totals, limits: { writes: 1000 } } as unknown as QuotaPlan;
    expect(planVerdict(plan)).toEqual({
      text: "Within the plan: 872 of 1,000 writes a day (87.2%)",
      over: false,
    });
  });
  it("names what goes over the plan", () => {
    const plan = {
      totals: { ...totals, over: ["writes 46,756 of 1,000"] },
      limits: { writes: 1000 },
    } as unknown as QuotaPlan;
    expect(planVerdict(plan)).toEqual({
      text: "Over the plan: writes 46,756 of 1,000",
      over: true,
    });
  });
  it("shows shares with one decimal", () => {
    expect(formatShare(0.098)).toBe("9.8%");
    expect(formatShare(46.756)).toBe("4675.6%");
  });
});
