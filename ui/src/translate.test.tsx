// The translation module's behaviour at its call sites: plural forms, placeholders, keys with dots, missing
// keys and switching language while a screen is shown.
import { afterEach, describe, expect, it } from "vitest";
import { act, cleanup, render, screen } from "@testing-library/react";
import { changeLanguage, i18n, initI18n, missingKeys, useTranslation } from "./i18n";

afterEach(async () => {
  cleanup();
  await changeLanguage("en");
  missingKeys.clear();
  delete document.documentElement.dataset.missingKeys;
});

describe("translation", () => {
  it("picks the plural form of the language, the zero form for 0, and `_other` for a form a catalog leaves out", async () => {
    await initI18n("en");
    await changeLanguage("en");
    expect(i18n.t("bulk.plan_calls", { count: 1 })).toBe("request to send");
    expect(i18n.t("bulk.plan_calls", { count: 2 })).toBe("requests to send");
    expect(i18n.t("query.selected", { count: 0 })).toBe("None selected");
    await changeLanguage("pt-BR");
    expect(i18n.t("bulk.plan_calls", { count: 1 })).toBe("solicitação a enviar");
    // Portuguese counts a million as "many" (Intl.PluralRules), a form the catalogs do not write.
    expect(new Intl.PluralRules("pt-BR").select(1_000_000)).toBe("many");
    expect(i18n.t("bulk.plan_calls", { count: 1_000_000 })).toBe(i18n.t("bulk.plan_calls", { count: 2 }));
    expect(missingKeys.size).toBe(0);
  });

  it("fills placeholders, and finds keys that contain dots", async () => {
    await changeLanguage("en");
    expect(i18n.t("errors.input.invalid", { field: "Amount" })).toBe("The field “Amount” is not valid. Correct it and try again.");
    expect(i18n.exists("errors.input.invalid")).toBe(true);
    expect(i18n.exists("errors.no_such_code")).toBe(false);
    expect(missingKeys.size).toBe(0);
  });

  it("shows a missing key as the key and records it for the end-to-end check", async () => {
    await changeLanguage("en");
    expect(i18n.t("nowhere.to_be_found")).toBe("nowhere.to_be_found");
    expect([...missingKeys]).toEqual(["en:nowhere.to_be_found"]);
    expect(document.documentElement.dataset.missingKeys).toBe("en:nowhere.to_be_found");
  });

  it("draws a shown component again in the language chosen", async () => {
    await changeLanguage("en");
    function Title() {
      const { t } = useTranslation();
      return <h1 data-testid="title">{t("bulk.plan_calls", { count: 2 })}</h1>;
    }
    render(<Title />);
    expect(screen.getByTestId("title").textContent).toBe("requests to send");
    await act(() => changeLanguage("zh-CN"));
    expect(screen.getByTestId("title").textContent).toBe(i18n.t("bulk.plan_calls", { count: 2 }));
    expect(screen.getByTestId("title").textContent).not.toBe("requests to send");
    expect(document.documentElement.lang).toBe("zh-CN");
  });
});
