import { describe, expect, it } from "vitest";
import { formatTimeLeft, msUntil } from "./time";

describe("formatTimeLeft", () => {
  it("speaks in seconds, minutes or hours and never says 0 min", () => {
    expect(formatTimeLeft(45_000)).toBe("45 s left");
    expect(formatTimeLeft(500)).toBe("1 s left");
    expect(formatTimeLeft(60_000)).toBe("1 min left");
    expect(formatTimeLeft(14 * 60_000 + 59_000)).toBe("14 min left");
    expect(formatTimeLeft(65 * 60_000)).toBe("1 h 5 min left");
    expect(formatTimeLeft(120 * 60_000)).toBe("2 h left");
  });

  it("says expired at or after the deadline, and for unreadable dates", () => {
    expect(formatTimeLeft(0)).toBe("expired");
    expect(formatTimeLeft(-5)).toBe("expired");
    expect(formatTimeLeft(msUntil("not a date"))).toBe("expired");
    expect(msUntil("2025-03-01T10:00:30Z", Date.parse("2025-03-01T10:00:00Z"))).toBe(30_000);
  });
});
