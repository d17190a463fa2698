// A page for checking the date fields and the dialogs in the real WebKitGTK engine, under the app's CSP and with
// the prototypes frozen (run.sh drives it). The fields load lazily, as they would in a screen.
import { StrictMode, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { changeLanguage, initI18n, type Language } from "../src/i18n";
import { LazyDateTimeField, LazyDateTimeRange } from "../src/components/DateTimeField.lazy";
import type { Range } from "../src/components/DateTimeField";
import { Modal } from "../src/components/Modal";
import type { ZoneChoice } from "../src/lib/datetime";
import "../src/styles.css";

type DialogProps = { title: string; onClose: () => void; children: ReactNode; testId?: string };

/** The browser's own modal <dialog>, for comparison: no library at all. */
function NativeDialog(props: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useLayoutEffect(() => {
    const d = ref.current!;
    d.showModal();
    return () => d.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="modal"
      aria-labelledby="native-title"
      data-testid={props.testId}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <h2 className="modal-title" id="native-title">
        {props.title}
      </h2>
      {props.children}
    </dialog>
  );
}

const kinds = {
  native: NativeDialog,
  current: Modal,
};

function DialogCheck(props: { kind: keyof typeof kinds }) {
  const [open, setOpen] = useState(false);
  const D = kinds[props.kind];
  return (
    <div className="row">
      <button type="button" className="btn" data-testid={`open-${props.kind}`} onClick={() => setOpen(true)}>
        open {props.kind}
      </button>
      {open && (
        <D title={`Dialog ${props.kind}`} onClose={() => setOpen(false)} testId={`dialog-${props.kind}`}>
          <input aria-label="name" data-testid={`${props.kind}-name`} />
          <div className="row modal-actions">
            <button type="button" className="btn" onClick={() => setOpen(false)}>
              cancel
            </button>
            <button type="button" className="btn primary">
              send
            </button>
          </div>
        </D>
      )}
    </div>
  );
}

function Page(props: { zone: ZoneChoice }) {
  const [value, setValue] = useState<number | null>(null);
  const [range, setRange] = useState<Range>({ from: null, to: null });
  return (
    <div className="content" style={{ overflow: "auto" }}>
      <section className="card">
        <LazyDateTimeField label="When" value={value} onChange={setValue} zone={props.zone} presets={["now", "hour_ago"]} testId="when" />
        <p>
          value: <output data-testid="value">{value === null ? "null" : new Date(value).toISOString()}</output>
        </p>
      </section>
      <section className="card">
        <LazyDateTimeRange
          value={range}
          onChange={setRange}
          zone={props.zone}
          presets={["last_hour", "yesterday"]}
          fromLabel="From"
          toLabel="Until"
          testId="range"
        />
        <p>
          range:{" "}
          <output data-testid="range-value">
            {range.from === null ? "null" : new Date(range.from).toISOString()} – {range.to === null ? "null" : new Date(range.to).toISOString()}
          </output>
        </p>
      </section>
      <section className="card">
        <DialogCheck kind="native" />
        <DialogCheck kind="current" />
      </section>
    </div>
  );
}

const query = new URLSearchParams(location.search);
const language = (query.get("lang") ?? "en") as Language;
void initI18n(language).then(async () => {
  await changeLanguage(language);
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <Page zone={(query.get("zone") ?? "UTC") as ZoneChoice} />
    </StrictMode>,
  );
});
