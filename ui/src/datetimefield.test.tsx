// The date-time fields as a person uses them: typing a date in each language's order, Tab between segments,
// separators, presets, time zones, unfinished dates, and from–until ranges.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { act, cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { changeLanguage, initI18n, type Language } from "./i18n";
import { DateTimeField, DateTimeRange, type InstantPreset, type Range, type RangePreset } from "./components/DateTimeField";
import type { ZoneChoice } from "./lib/datetime";
import { LazyDateTimeField } from "./components/DateTimeField.lazy";

// Local time in these tests is São Paulo's (UTC−03:00, no daylight saving since 2019), so that local and UTC
// differ; the expected local values are still computed with `Date`, in whatever zone the process has.
process.env.TZ = "America/Sao_Paulo";

/** 15:37:42 UTC on 12 April 2026: the clock the presets count from. */
const NOW = Date.UTC(2026, 3, 12, 15, 37, 42);

/** What a field shows, without the direction marks that keep the time left-to-right. */
const shown = (testId = "when") => screen.getByTestId(`${testId}-input`).textContent!.replace(/[\u2066-\u2069]/g, "");
const segments = (testId = "when") =>
  [...screen.getByTestId(`${testId}-input`).querySelectorAll<HTMLElement>("[role=spinbutton]")];
const segmentName = (el: Element | null) => (el?.getAttribute("aria-label") ?? "").replace(/,.*$/, "");

function Field(p: {
  zone?: ZoneChoice;
  initial?: number | null;
  presets?: InstantPreset[];
  granularity?: "minute" | "second";
  seen: (number | null)[];
  incomplete?: boolean[];
}) {
  const [v, setV] = useState<number | null>(p.initial ?? null);
  return (
    <>
      <DateTimeField
        label="When"
        value={v}
        zone={p.zone ?? "UTC"}
        granularity={p.granularity}
        presets={p.presets}
        now={() => NOW}
        testId="when"
        onChange={(x) => {
          p.seen.push(x);
          setV(x);
        }}
        onIncompleteChange={(x) => p.incomplete?.push(x)}
      />
      <button type="button">elsewhere</button>
    </>
  );
}

function RangeHost(p: { zone?: ZoneChoice; presets?: RangePreset[]; seen: Range[] }) {
  const [v, setV] = useState<Range>({ from: null, to: null });
  return (
    <DateTimeRange
      value={v}
      zone={p.zone ?? "UTC"}
      presets={p.presets}
      now={() => NOW}
      testId="range"
      onChange={(r) => {
        p.seen.push(r);
        setV(r);
      }}
    />
  );
}

async function inLanguage(lang: Language) {
  await act(() => changeLanguage(lang));
}

beforeEach(async () => {
  await initI18n("en");
  await inLanguage("en");
});
afterEach(() => {
  cleanup();
});

describe("typing a date", () => {
  const cases: [Language, string, string, string[]][] = [
    ["en", "04122026 1400", "04/12/2026, 14:00", ["day", "month", "year", "hour", "minute"]],
    ["pt-BR", "04122026 1400", "04/12/2026, 14:00", ["dia", "mês", "ano", "hora", "minuto"]],
    ["zh-CN", "20261204 1400", "2026/12/04 14:00", ["年", "月", "日", "小时", "分钟"]],
  ];
  for (const [lang, keys, display, order] of cases) {
    it(`${lang}: "${keys}" digit by digit is 4 December 2026 14:00, shown as ${display}`, async () => {
      await inLanguage(lang);
      const seen: (number | null)[] = [];
      const user = userEvent.setup();
      render(<Field seen={seen} />);
      expect(segments().map(segmentName)).toEqual(order);
      await user.click(segments()[0]);
      await user.keyboard(keys);
      expect(seen).toEqual([Date.UTC(2026, 11, 4, 14, 0)]);
      expect(shown()).toBe(display);
    });
  }

  it("Tab moves segment by segment and then out of the field; Shift+Tab moves back", async () => {
    await inLanguage("pt-BR");
    const user = userEvent.setup();
    render(<Field seen={[]} presets={["now"]} />);
    await user.click(segments()[0]);
    const visited = [segmentName(document.activeElement)];
    for (let i = 0; i < 4; i++) {
      await user.tab();
      visited.push(segmentName(document.activeElement));
    }
    expect(visited).toEqual(["dia", "mês", "ano", "hora", "minuto"]);
    await user.tab();
    expect(document.activeElement).toBe(screen.getByTestId("when-preset-now"));
    await user.tab({ shift: true });
    expect(segmentName(document.activeElement)).toBe("minuto");
    await user.tab({ shift: true });
    expect(segmentName(document.activeElement)).toBe("hora");
  });

  it("a full segment moves on by itself, so a typed value can be corrected with Tab and typing again", async () => {
    await inLanguage("pt-BR");
    const seen: (number | null)[] = [];
    const user = userEvent.setup();
    render(<Field seen={seen} />);
    await user.click(segments()[0]);
    await user.keyboard("04");
    expect(segmentName(document.activeElement)).toBe("mês");
    await user.keyboard("12");
    expect(segmentName(document.activeElement)).toBe("ano");
    await user.keyboard("2026");
    expect(segmentName(document.activeElement)).toBe("hora");
    await user.keyboard("0930");
    expect(seen.at(-1)).toBe(Date.UTC(2026, 11, 4, 9, 30));
    await user.tab({ shift: true });
    await user.keyboard("10");
    expect(seen.at(-1)).toBe(Date.UTC(2026, 11, 4, 10, 30));
  });

  it("separators typed after a short segment move on; after a full one they are ignored", async () => {
    await inLanguage("pt-BR");
    const seen: (number | null)[] = [];
    const user = userEvent.setup();
    render(<Field seen={seen} />);
    await user.click(segments()[0]);
    await user.keyboard("1/2/2026 9:05");
    expect(seen.at(-1)).toBe(Date.UTC(2026, 1, 1, 9, 5));
    expect(shown()).toBe("01/02/2026, 09:05");

    cleanup();
    const again: (number | null)[] = [];
    render(<Field seen={again} />);
    await user.click(segments()[0]);
    await user.keyboard("04/12/2026 14:00");
    expect(again.at(-1)).toBe(Date.UTC(2026, 11, 4, 14, 0));
  });

  it("seconds when the field asks for them", async () => {
    const seen: (number | null)[] = [];
    const user = userEvent.setup();
    render(<Field seen={seen} granularity="second" />);
    await user.click(segments()[0]);
    await user.keyboard("04122026 140005");
    expect(seen.at(-1)).toBe(Date.UTC(2026, 11, 4, 14, 0, 5));
    expect(shown()).toBe("04/12/2026, 14:00:05");
  });
});

describe("no value until the user gives one", () => {
  it("focusing and leaving the field sets nothing, shows placeholders and no error", async () => {
    await inLanguage("pt-BR");
    const seen: (number | null)[] = [];
    const user = userEvent.setup();
    render(<Field seen={seen} />);
    expect(shown()).toBe("dd/mm/aaaa, ––:––");
    await user.click(segments()[0]);
    for (let i = 0; i < 5; i++) await user.tab();
    expect(seen).toEqual([]);
    expect(shown()).toBe("dd/mm/aaaa, ––:––");
    expect(screen.queryByTestId("when-error")).toBeNull();
  });

  it("an unfinished date has no value, and says so once focus leaves the field", async () => {
    await inLanguage("en");
    const seen: (number | null)[] = [];
    const incomplete: boolean[] = [];
    const user = userEvent.setup();
    render(<Field seen={seen} incomplete={incomplete} />);
    await user.click(segments()[0]);
    await user.keyboard("0412");
    expect(screen.queryByTestId("when-error")).toBeNull();
    await user.click(screen.getByText("elsewhere"));
    expect(seen).toEqual([]);
    expect(incomplete.at(-1)).toBe(true);
    expect(screen.getByTestId("when-error").textContent).toBe("Finish the date and time, or clear it.");
    // Screen readers hear it with the field, and the zone with it.
    const describedBy = segments()[0].getAttribute("aria-describedby")!.split(" ");
    expect(describedBy).toContain(screen.getByTestId("when-error").id);
    expect(describedBy).toContain(screen.getByTestId("when-zone").id);
    await user.click(screen.getByTestId("when-clear"));
    expect(shown()).toBe("dd/mm/yyyy, ––:––");
    expect(incomplete.at(-1)).toBe(false);
    expect(screen.queryByTestId("when-error")).toBeNull();
  });

  it("Clear empties a finished date", async () => {
    const seen: (number | null)[] = [];
    const user = userEvent.setup();
    render(<Field seen={seen} />);
    await user.click(segments()[0]);
    await user.keyboard("04122026 1400");
    await user.click(screen.getByTestId("when-clear"));
    expect(seen).toEqual([Date.UTC(2026, 11, 4, 14, 0), null]);
    expect(shown()).toBe("dd/mm/yyyy, ––:––");
  });
});

describe("time zones", () => {
  it("local time: typed times are the system zone's, and the zone is shown beside the field", async () => {
    await inLanguage("pt-BR");
    const seen: (number | null)[] = [];
    const user = userEvent.setup();
    render(<Field seen={seen} zone="local" />);
    await user.click(segments()[0]);
    await user.keyboard("04122026 1400");
    expect(seen).toEqual([new Date(2026, 11, 4, 14, 0).getTime()]);
    expect(seen[0]).toBe(Date.UTC(2026, 11, 4, 17, 0));
    expect(screen.getByTestId("when-zone").textContent).toBe("Hora local (UTC\u221203:00)");
    expect(screen.getByTestId("when-zone").getAttribute("title")).toBe("America/Sao_Paulo");
  });

  it("UTC: the zone is shown as UTC and typed times are UTC", async () => {
    render(<Field seen={[]} zone="UTC" />);
    expect(screen.getByTestId("when-zone").textContent).toBe("UTC");
  });

  it("a given value is shown as the wall-clock time in the chosen zone", async () => {
    render(<Field seen={[]} zone="UTC" initial={Date.UTC(2026, 11, 4, 14, 0)} />);
    expect(shown()).toBe("04/12/2026, 14:00");
    cleanup();
    render(<Field seen={[]} zone="local" initial={Date.UTC(2026, 11, 4, 14, 0)} />);
    expect(shown()).toBe("04/12/2026, 11:00");
  });
});

describe("presets", () => {
  it("set the value to whole minutes counted from now, in the chosen zone", async () => {
    const seen: (number | null)[] = [];
    const user = userEvent.setup();
    render(<Field seen={seen} presets={["now", "hour_ago", "day_ago"]} />);
    await user.click(screen.getByTestId("when-preset-hour_ago"));
    expect(seen).toEqual([Date.UTC(2026, 3, 12, 14, 37)]);
    expect(shown()).toBe("12/04/2026, 14:37");
    await user.click(screen.getByTestId("when-preset-day_ago"));
    expect(seen.at(-1)).toBe(Date.UTC(2026, 3, 11, 15, 37));
  });

  it("range: yesterday is midnight to midnight in the chosen zone", async () => {
    const seen: Range[] = [];
    const user = userEvent.setup();
    render(<RangeHost seen={seen} presets={["last_hour", "yesterday"]} />);
    await user.click(screen.getByTestId("range-preset-yesterday"));
    expect(seen.at(-1)).toEqual({ from: Date.UTC(2026, 3, 11), to: Date.UTC(2026, 3, 12) });
    expect(shown("range-from")).toBe("11/04/2026, 00:00");
    expect(shown("range-to")).toBe("12/04/2026, 00:00");
    await user.click(screen.getByTestId("range-preset-last_hour"));
    expect(seen.at(-1)).toEqual({ from: Date.UTC(2026, 3, 12, 14, 37), to: Date.UTC(2026, 3, 12, 15, 38) });

    cleanup();
    const local: Range[] = [];
    render(<RangeHost seen={local} zone="local" presets={["yesterday"]} />);
    await user.click(screen.getByTestId("range-preset-yesterday"));
    expect(local.at(-1)).toEqual({ from: new Date(2026, 3, 11).getTime(), to: new Date(2026, 3, 12).getTime() });
  });

  it("range: a named window (an outage) and one typed by hand; Until before From is refused", async () => {
    const outage = { id: "outage", label: "Outage of 10 April", from: Date.UTC(2026, 3, 10, 14, 5), to: Date.UTC(2026, 3, 10, 16, 30) };
    const seen: Range[] = [];
    const user = userEvent.setup();
    render(<RangeHost seen={seen} presets={[outage]} />);
    await user.click(screen.getByTestId("range-preset-outage"));
    expect(seen.at(-1)).toEqual({ from: outage.from, to: outage.to });
    expect(shown("range-from")).toBe("10/04/2026, 14:05");

    await user.click(screen.getByTestId("range-to-clear"));
    await user.click(segments("range-to")[0]);
    await user.keyboard("10042026 1200");
    expect(seen.at(-1)).toEqual({ from: outage.from, to: Date.UTC(2026, 3, 10, 12, 0) });
    expect(screen.getByTestId("range-to-error").textContent).toBe("“Until” must be later than “From”.");
  });
});

describe("loaded on first use", () => {
  it("the lazy field stands in with its label, then becomes the field", async () => {
    const seen: (number | null)[] = [];
    render(<LazyDateTimeField label="When" value={null} zone="UTC" testId="when" onChange={(v) => seen.push(v)} />);
    expect(screen.getByTestId("when-loading").textContent).toBe("When");
    const user = userEvent.setup();
    const first = (await screen.findByTestId("when-input")).querySelector<HTMLElement>("[role=spinbutton]")!;
    expect(screen.queryByTestId("when-loading")).toBeNull();
    await user.click(first);
    await user.keyboard("04122026 1400");
    expect(seen).toEqual([Date.UTC(2026, 11, 4, 14, 0)]);
  });
});
