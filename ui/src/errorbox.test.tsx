// A translated error with what its measured params say: the clock's offset, the provider's wait, its window.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import { ErrorBox } from "./components/ErrorBox";
import { changeLanguage, initI18n, missingKeys } from "./i18n";

beforeEach(async () => {
  initI18n("en");
  await changeLanguage("en");
});

afterEach(cleanup);

const facts = () => screen.queryAllByTestId("error-fact").map((f) => f.textContent?.trim());

describe("ErrorBox", () => {
  it("says how far the computer's clock is off, and which way", () => {
    render(<ErrorBox error={{ code: "auth.clock_skew", params: { skew_seconds: 42, window_seconds: 30 }, detail: null }} />);
    expect(facts()).toEqual([
      "Your computer's clock is 42 s ahead of the provider's.",
      "The provider accepts a request only within 30 s of its own time.",
    ]);
    cleanup();
    render(<ErrorBox error={{ code: "auth.clock_skew", params: { skew_seconds: -7 }, detail: null }} />);
    expect(facts()).toEqual(["Your computer's clock is 7 s behind the provider's."]);
  });

  it("says how long the provider asked to wait", async () => {
    render(<ErrorBox error={{ code: "provider.rate_limited", params: { retry_after_seconds: 90 }, detail: null }} />);
    expect(facts()).toEqual(["The provider asks to wait 90 s before the next request; Callback Desk will not send sooner."]);
    cleanup();
    await changeLanguage("zh-CN");
    render(<ErrorBox error={{ code: "provider.rate_limited", params: { retry_after_seconds: 90 }, detail: null }} />);
    expect(facts()).toEqual(["服务商要求等待 90 秒后再发送下一个请求；在此之前 Callback Desk 不会发送。"]);
    expect([...missingKeys]).toEqual([]);
  });

  it("names a sandbox account as the app shows it, in the reader's language", async () => {
    await changeLanguage("zh-CN");
    render(<ErrorBox error={{ code: "accounts.changed_elsewhere", params: { label: "Sandbox · CYBAVO SOFA" }, detail: null }} />);
    expect(screen.getByTestId("error-box").textContent).toContain("账户“沙盒 · CYBAVO SOFA”");
    expect([...missingKeys]).toEqual([]);
  });

  it("adds nothing when the error measured nothing", () => {
    render(<ErrorBox error={{ code: "auth.clock_skew", params: { skew_seconds: 0 }, detail: null }} />);
    expect(facts()).toEqual([]);
  });
});
