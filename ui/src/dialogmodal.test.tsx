// What a dialog must do for a keyboard user, checked on DialogModal (the React Aria candidate for Modal.tsx).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { act, cleanup, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState, type ComponentType, type ReactNode } from "react";
import { changeLanguage, initI18n } from "./i18n";
import { DialogModal } from "./components/DialogModal";

type DialogProps = { title: string; onClose: () => void; children: ReactNode; testId?: string };

function Page(props: { Dialog: ComponentType<DialogProps> }) {
  const { Dialog } = props;
  const [open, setOpen] = useState(false);
  return (
    <div>
      <button type="button" onClick={() => setOpen(true)}>
        open
      </button>
      <button type="button">behind</button>
      {open && (
        <Dialog title="Send it?" onClose={() => setOpen(false)} testId="dialog">
          <input aria-label="name" />
          <button type="button" onClick={() => setOpen(false)}>
            cancel
          </button>
          <button type="button">send</button>
        </Dialog>
      )}
    </div>
  );
}

beforeEach(async () => {
  await initI18n("en");
  await act(() => changeLanguage("en"));
});
afterEach(() => {
  cleanup();
});

const dialogs: [string, ComponentType<DialogProps>][] = [["DialogModal", DialogModal]];

describe.each(dialogs)("%s", (_name, Dialog) => {
  it("takes focus when it opens, named by its title", async () => {
    const user = userEvent.setup();
    render(<Page Dialog={Dialog} />);
    await user.click(screen.getByText("open"));
    const dialog = screen.getByRole("dialog", { name: "Send it?" });
    expect(dialog.contains(document.activeElement)).toBe(true);
    expect(dialog.getAttribute("data-testid")).toBe("dialog");
  });

  it("keeps Tab and Shift+Tab inside", async () => {
    const user = userEvent.setup();
    render(<Page Dialog={Dialog} />);
    await user.click(screen.getByText("open"));
    const dialog = screen.getByRole("dialog");
    const visited: string[] = [];
    for (let i = 0; i < 4; i++) {
      await user.tab();
      expect(dialog.contains(document.activeElement)).toBe(true);
      visited.push(document.activeElement!.getAttribute("aria-label") ?? document.activeElement!.textContent!);
    }
    expect(visited).toEqual(["name", "cancel", "send", "name"]);
    await user.tab({ shift: true });
    expect(document.activeElement!.textContent).toBe("send");
  });

  it("closes on Escape and gives focus back to the button that opened it", async () => {
    const user = userEvent.setup();
    render(<Page Dialog={Dialog} />);
    await user.click(screen.getByText("open"));
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).toBeNull();
    // Focus goes back on the next animation frame, once the dialog has left the page.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByText("open")));
  });

  it("gives focus back when closed by one of its buttons", async () => {
    const user = userEvent.setup();
    render(<Page Dialog={Dialog} />);
    await user.click(screen.getByText("open"));
    await user.click(screen.getByText("cancel"));
    expect(screen.queryByRole("dialog")).toBeNull();
    // Focus goes back on the next animation frame, once the dialog has left the page.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByText("open")));
  });

  it("hides the page behind from screen readers while open", async () => {
    const user = userEvent.setup();
    render(<Page Dialog={Dialog} />);
    await user.click(screen.getByText("open"));
    expect(screen.queryByRole("button", { name: "behind" })).toBeNull();
    await user.keyboard("{Escape}");
    expect(screen.getByRole("button", { name: "behind" })).toBeTruthy();
  });

  it("carries the app's language, though drawn outside the app's element", async () => {
    await act(() => changeLanguage("zh-CN"));
    const user = userEvent.setup();
    render(<Page Dialog={Dialog} />);
    await user.click(screen.getByText("open"));
    expect(screen.getByRole("dialog").closest("[lang]")?.getAttribute("lang")).toBe("zh-CN");
  });
});
