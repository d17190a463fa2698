// The window calls exactly the commands declared in src-tauri/commands.list (the one list the handler, the
// app manifest and the capability follow): a command is neither called without being declared nor declared
// without a caller.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";

describe("commands", () => {
  it("api.ts invokes exactly the commands of commands.list", () => {
    const declared = readFileSync(join(__dirname, "../../src-tauri/commands.list"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => l.split("::")[1]);
    const api = readFileSync(join(__dirname, "api.ts"), "utf8");
    const invoked = [...api.matchAll(/\binvoke<[^>]*>\(\s*"([a-z_]+)"/g)].map((m) => m[1]);
    expect(invoked.length).toBeGreaterThan(20);
    expect([...new Set(invoked)].sort()).toEqual([...declared].sort());
  });
});
