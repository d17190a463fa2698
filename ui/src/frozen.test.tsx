// The date field and the dialog run with the built-in prototypes frozen, as in the app's window: Tauri's
// `freezePrototype` (tauri.conf.json) runs `Object.freeze(Object.prototype)` before any of the page's code, and
// a library that assigns to a property a frozen prototype has (`obj.toString = …`, `obj.constructor = …`) then
// throws. This file freezes more than Tauri does (the other intrinsics' prototypes too) before it loads React
// or any library, then types into the field and works the dialog. No JSX here: it would import React's JSX
// runtime before the freeze.
import { expect, it } from "vitest";

const INTRINSICS = [Object, Array, Function, String, Number, Boolean, Symbol, Date, RegExp, Error, Promise, Map, Set, WeakMap, WeakSet];
for (const c of INTRINSICS) Object.freeze(c.prototype);
// The page's own realm, if the test environment gives it one apart from Node's.
const pageObject = (globalThis as { window?: { Object?: ObjectConstructor } }).window?.Object;
if (pageObject && pageObject !== Object) Object.freeze(pageObject.prototype);

it("the prototypes are frozen: assigning over an inherited property throws", () => {
  const plain: Record<string, unknown> = {};
  expect(() => {
    plain.toString = () => "changed";
  }).toThrow(TypeError);
  expect(() => {
    (Array.prototype as unknown as Record<string, unknown>).extra = 1;
  }).toThrow(TypeError);
  expect(Object.isFrozen(Function.prototype)).toBe(true);
});

it("a date is typed into the field and a dialog opens and closes on Escape, giving focus back", async () => {
  // Loaded only now, after the freeze, like the app's script after Tauri's initialisation script.
  const { act, render, screen, waitFor } = await import("@testing-library/react");
  const { default: userEvent } = await import("@testing-library/user-event");
  const { createElement: h, useState } = await import("react");
  const { changeLanguage, initI18n } = await import("./i18n");
  const { DateTimeField } = await import("./components/DateTimeField");
  const { Modal } = await import("./components/Modal");

  await initI18n("en");
  await act(() => changeLanguage("pt-BR"));
  const seen: (number | null)[] = [];
  function Page() {
    const [v, setV] = useState<number | null>(null);
    const [open, setOpen] = useState(false);
    const field = h(DateTimeField, {
      label: "Quando",
      value: v,
      zone: "UTC",
      testId: "when",
      presets: ["now"],
      onChange: (x: number | null) => {
        seen.push(x);
        setV(x);
      },
    });
    const dialog = open
      ? h(Modal, {
          title: "Enviar?",
          onClose: () => setOpen(false),
          children: [h("button", { type: "button", key: "a" }, "a"), h("button", { type: "button", key: "b" }, "b")],
        })
      : null;
    return h("div", null, field, h("button", { type: "button", onClick: () => setOpen(true) }, "abrir"), dialog);
  }
  const user = userEvent.setup();
  render(h(Page));
  await user.click(screen.getByTestId("when-input").querySelector<HTMLElement>("[role=spinbutton]")!);
  await user.keyboard("04122026 1400");
  expect(seen).toEqual([Date.UTC(2026, 11, 4, 14, 0)]);

  await user.click(screen.getByText("abrir"));
  const dialog = screen.getByRole("dialog", { name: "Enviar?" });
  expect(dialog.contains(document.activeElement)).toBe(true);
  await user.keyboard("{Escape}");
  expect(screen.queryByRole("dialog")).toBeNull();
  await waitFor(() => expect(document.activeElement).toBe(screen.getByText("abrir")));
});
