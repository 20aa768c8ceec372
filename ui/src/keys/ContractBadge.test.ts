import { describe, expect, it } from "vitest";
import { contractText } from "./ContractBadge";

describe("contractText", () => {
  it("says the value matches, or where it breaks the contract", () => {
    expect(contractText({ contract: "SystemHealth", report: "system-health", breach: null })).toBe(
      "matches contract SystemHealth",
    );
    expect(
      contractText({
        contract: "ConversationList",
        report: "user-conversations",
        breach: { path: "/0/meddicScore", message: "not of type number" },
      }),
    ).toBe("breaks ConversationList at /0/meddicScore");
  });
});
